"""A minimal cycle with a frozen manifest and an open board, for board and API tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg

from ballots import repository
from ballots.casting import prepare_entry, seal_ballot
from ballots.model import BallotKind, BallotSpec
from service import board
from service.keys import load_or_create_keys
from verification.formats import Channel
from verification.manifest import (
    CycleInfo,
    Manifest,
    ProjectEntry,
    ScopeSpec,
    VotingInfo,
    encode_manifest,
    fingerprint_of,
)

GREEDY = {"rule": "greedy", "min_votes": 0, "tie_break": "cost-then-id"}


@dataclass(frozen=True)
class OpenBoard:
    cycle_id: int
    slug: str
    fingerprint: bytes
    sealing_public_key: bytes
    scope_id: int


async def open_test_board(pool: asyncpg.Pool, data_dir: Path, slug: str = "t") -> OpenBoard:
    """Insert a cycle with one scope and freeze its manifest (log key from `data_dir`)."""
    cycle_id = await pool.fetchval(
        "INSERT INTO cycles (slug, name, reference_date, project_cost_cap_cents, "
        "propose_eligibility) VALUES ($1, 'Test', '2026-01-01', 100000, '{}') RETURNING id",
        slug,
    )
    scope_id = await pool.fetchval(
        "INSERT INTO scopes (cycle_id, slug, name, budget_cents, ballot, tally, vote_eligibility)"
        " VALUES ($1, 'city', 'City', 500000, '{\"kind\": \"single-choice\"}', '{}', '{}')"
        " RETURNING id",
        cycle_id,
    )
    keys = load_or_create_keys(data_dir)
    sealing_pk = board.create_sealing_key(data_dir, cycle_id)
    log_pk = bytes(board.log_signing_key(keys, cycle_id).verify_key)
    manifest = encode_manifest(
        Manifest(
            cycle=CycleInfo(cycle_id, slug, "Test", "2026-01-01"),
            voting=VotingInfo("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", False, 30),
            log_public_key=log_pk,
            sealing_public_key=sealing_pk,
            scopes=(
                ScopeSpec(
                    scope_id,
                    "city",
                    "City",
                    "main",
                    500000,
                    BallotSpec(BallotKind.SINGLE_CHOICE),
                    GREEDY,
                    (ProjectEntry(1, "P1", "Park", 100000),),
                ),
            ),
            software="civica test",
        )
    )
    fingerprint = fingerprint_of(manifest)
    async with pool.acquire() as conn:
        await repository.insert_manifest(conn, cycle_id, manifest, fingerprint, log_pk, sealing_pk)
    return OpenBoard(cycle_id, slug, fingerprint, sealing_pk, scope_id)


async def append_test_entry(pool: asyncpg.Pool, test_board: OpenBoard, n: int) -> tuple[int, bytes]:
    """Append a sealed single-choice ballot for alias `n`; return (index, entry bytes)."""
    prepared = prepare_entry(
        test_board.fingerprint,
        test_board.scope_id,
        n.to_bytes(32, "big"),
        Channel.WEB,
        seal_ballot(test_board.sealing_public_key, 1, {1: 1}),
    )
    async with pool.acquire() as conn, conn.transaction():
        index = await repository.append_entry(
            conn, test_board.cycle_id, prepared.entry, prepared.leaf_hash
        )
    return index, prepared.entry
