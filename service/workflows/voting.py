"""Opening a cycle's vote (freezing its manifest) and casting ballots onto the board.

A cast is one transaction: the voter roll row (which refuses a second ballot where revoting is
off, and a web ballot after a desk one), the single-use cast token, and the board entry, whose
index is taken last under the log head's lock. The receipt is signed only after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import asyncpg

from ballots import repository as board_store
from ballots.casting import prepare_entry, seal_ballot
from ballots.errors import (
    AlreadyCast,
    BoardNotOpen,
    DuplicateSubmission,
    NotEligibleToVote,
    VotingClosed,
)
from ballots.repository import BoardState
from ballots.rules import validate_ballot
from proposals import repository as store
from proposals.errors import FinalListNotPublished
from proposals.model import Cycle, ProjectStatus, Scope
from proposals.phases import Phase
from proposals.tally_choice import tally_rule_of
from service import board
from service.accounts import StaffAccount
from service.audit import record_audit, staff_actor
from service.config import Settings
from service.keys import DeploymentKeys
from service.version import SOFTWARE
from verification import repository as roll
from verification.eligibility import check_eligibility
from verification.formats import Channel, rfc3339
from verification.identity.model import CitizenSession, voter_alias
from verification.manifest import (
    CycleInfo,
    Manifest,
    ProjectEntry,
    ScopeSpec,
    VotingInfo,
    encode_manifest,
    fingerprint_of,
    parse_manifest,
)
from verification.messages import _
from verification.statements import issue_receipt
from verification.voter_roll import AlreadyVoted

SYSTEM_ACTOR = "system"
MERGE_MARGIN = timedelta(seconds=30)


@lru_cache(maxsize=32)
def frozen_manifest(manifest_bytes: bytes) -> Manifest:
    """The parsed manifest (parsing is pure, so the result is cached by its bytes)."""
    return parse_manifest(manifest_bytes)


@dataclass(frozen=True)
class CastResult:
    receipt: dict[str, Any]
    index: int
    leaf_hash: bytes


async def open_voting(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    slug: str,
    now: datetime | None = None,
) -> BoardState:
    """Freeze the cycle's manifest and open its board (idempotent); sign the empty checkpoint."""
    moment = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=True)
        state = await board_store.fetch_board(conn, cycle.id)
        if state is not None:
            return state
        if cycle.phase_at(moment) not in (Phase.VOTING, Phase.RESULTS):
            raise VotingClosed(_("Voting has not started in this cycle."))
        if cycle.final_list_published_at is None:
            raise FinalListNotPublished(_("Voting cannot open before the final list is published."))
        manifest = await _build_manifest(conn, settings, keys, cycle)
        await board_store.insert_manifest(
            conn,
            cycle.id,
            manifest.body,
            manifest.fingerprint,
            manifest.log_public_key,
            manifest.sealing_public_key,
        )
        await record_audit(
            conn,
            SYSTEM_ACTOR,
            "voting.open",
            f"cycle/{cycle.slug}",
            None,
            {"fingerprint": manifest.fingerprint.hex()},
        )
    await board.checkpoint(pool, keys, cycle.id, force=True)
    state = await board_store.fetch_board(pool, cycle.id)
    assert state is not None
    return state


@dataclass(frozen=True)
class _BuiltManifest:
    body: bytes
    fingerprint: bytes
    log_public_key: bytes
    sealing_public_key: bytes


async def _build_manifest(
    conn: board_store.Connection, settings: Settings, keys: DeploymentKeys, cycle: Cycle
) -> _BuiltManifest:
    scopes = await store.fetch_scopes(conn, cycle.id)
    projects = [
        p
        for p in await store.fetch_cycle_projects(conn, cycle.id)
        if p.status is ProjectStatus.FINAL
    ]
    schedule = cycle.settings.schedule
    sealing_pk = board.create_sealing_key(settings.data_dir, cycle.id)
    log_pk = bytes(board.log_signing_key(keys, cycle.id).verify_key)
    manifest = Manifest(
        cycle=CycleInfo(
            cycle.id, cycle.slug, cycle.name, cycle.settings.reference_date.isoformat()
        ),
        voting=VotingInfo(
            rfc3339(schedule.voting_at),
            rfc3339(schedule.results_at),
            cycle.settings.revoting_allowed,
            settings.checkpoint_interval_s,
        ),
        log_public_key=log_pk,
        sealing_public_key=sealing_pk,
        scopes=tuple(
            ScopeSpec(
                scope.id,
                scope.slug,
                scope.name,
                scope.settings.vote_group,
                scope.budget_cents,
                scope.settings.ballot,
                tally_rule_of(scope.settings.tally).as_dict(),
                tuple(
                    ProjectEntry(p.id, str(p.id), p.title, p.cost_cents)
                    for p in sorted(projects, key=lambda p: p.id)
                    if p.scope_id == scope.id
                ),
            )
            for scope in scopes
        ),
        software=SOFTWARE,
    )
    body = encode_manifest(manifest)
    parse_manifest(body)  # what is frozen must be a manifest the verifier accepts
    return _BuiltManifest(body, fingerprint_of(body), log_pk, sealing_pk)


async def voting_state(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    cycle: Cycle,
    now: datetime | None = None,
) -> tuple[BoardState, Manifest]:
    """The open board and its manifest, opening voting on first use; VotingClosed otherwise."""
    moment = now or datetime.now(UTC)
    if cycle.phase_at(moment) is not Phase.VOTING:
        raise VotingClosed(_("Voting is not open in this cycle."))
    state = await board_store.fetch_board(pool, cycle.id)
    if state is None:
        state = await open_voting(pool, settings, keys, cycle.slug, moment)
    if state.closed_at is not None:
        raise VotingClosed(_("Voting has closed in this cycle."))
    return state, frozen_manifest(state.manifest)


def eligibility_reasons(scope: Scope, cycle: Cycle, voter: CitizenSession) -> list[str]:
    """Why `voter` may not vote in `scope` (empty: they may)."""
    rules = scope.settings.vote_eligibility
    return [r.explanation for r in check_eligibility(rules, voter, cycle.settings.reference_date)]


async def cast_ballot(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    cycle: Cycle,
    scope: Scope,
    voter: CitizenSession,
    selections: Mapping[int, int],
    *,
    channel: Channel,
    token_nonce: str | None = None,
    token_expires_at: datetime | None = None,
    desk_staff: StaffAccount | None = None,
    now: datetime | None = None,
) -> CastResult:
    """Validate, seal and append one ballot; return the signed receipt (after the commit)."""
    moment = now or datetime.now(UTC)
    state, manifest = await voting_state(pool, settings, keys, cycle, moment)
    spec = manifest.scope(scope.id)
    if spec is None:
        raise BoardNotOpen(_("This scope is not on the ballot of this cycle."))
    validate_ballot(spec.rules, selections)
    reasons = eligibility_reasons(scope, cycle, voter)
    if reasons:
        raise NotEligibleToVote(reasons)
    alias = voter_alias(keys.identifier_pepper, cycle.id, voter.person_key)
    sealed = seal_ballot(state.sealing_public_key, scope.id, selections)
    prepared = prepare_entry(state.fingerprint, scope.id, bytes.fromhex(alias), channel, sealed)
    async with pool.acquire() as conn, conn.transaction():
        if token_nonce is not None:
            await _use_token(conn, token_nonce, token_expires_at or moment)
        try:
            await roll.mark_voted(
                conn,
                cycle.id,
                alias,
                spec.vote_group,
                "desk" if channel is Channel.DESK else "web",
                revoting_allowed=manifest.voting.revoting,
            )
        except AlreadyVoted:
            raise AlreadyCast(
                await _already_cast_message(conn, cycle, alias, spec.vote_group, channel)
            ) from None
        index = await board_store.append_entry(conn, cycle.id, prepared.entry, prepared.leaf_hash)
        if desk_staff is not None:
            await record_audit(
                conn,
                staff_actor(desk_staff),
                "ballot.desk_entry",
                f"cycle/{cycle.slug}/scope/{scope.slug}",
                None,
                {"index": index, "leaf_hash": prepared.leaf_hash.hex()},
            )
    include_by = moment + timedelta(seconds=settings.checkpoint_interval_s) + MERGE_MARGIN
    receipt = issue_receipt(
        board.log_signing_key(keys, cycle.id),
        state.fingerprint,
        prepared.leaf_hash,
        index,
        rfc3339(include_by),
    )
    return CastResult(receipt, index, prepared.leaf_hash)


async def _use_token(conn: board_store.Connection, nonce: str, expires_at: datetime) -> None:
    if not await board_store.record_cast_token(conn, nonce, expires_at):
        raise DuplicateSubmission(
            _(
                "This ballot was already cast: the form was sent twice. Your first submission "
                "counts; there is nothing more to do."
            )
        )


async def _already_cast_message(
    conn: board_store.Connection, cycle: Cycle, alias: str, vote_group: str, channel: Channel
) -> str:
    entries = {e.vote_group: e for e in await roll.voter_entries(conn, cycle.id, alias)}
    previous = entries.get(vote_group)
    if previous is not None and previous.channel == "desk" and channel is Channel.WEB:
        return _(
            "A paper ballot was already entered for you at an assisted-voting desk in this "
            "vote, so you cannot vote online in it."
        )
    if channel is Channel.DESK:
        return _("This citizen has already voted in this vote; a second ballot is not allowed.")
    return _("You have already voted in this vote. This cycle does not allow changing a vote.")
