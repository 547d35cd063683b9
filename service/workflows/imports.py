"""Importing a pabulib file as a cycle, and replaying its ballots through the real cast path.

The import stores the cycle, its one scope and its projects (on the final list) in one
transaction. The replay casts every ballot with `cast_ballot`, as the web ballot page does, for
synthetic voters whose person keys derive from the file and its voter ids; a voter who already
has a ballot is skipped, so a replay that stopped half-way resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from ballots.errors import AlreadyCast, VotingError
from ballots.pabulib import PabulibFile
from ballots.rules import InvalidBallot
from proposals import repository as store
from proposals.errors import CycleExists, NotFound, PabulibNotImportable
from proposals.i18n import _
from proposals.model import Cycle, EventKind, ProjectDraft, ProjectStatus
from proposals.pabulib_cycle import ImportedBallot, PabulibCycle, tie_order_agrees
from proposals.phases import Phase
from service.audit import record_audit
from service.config import Settings
from service.keys import DeploymentKeys
from service.workflows.voting import cast_ballot
from verification.formats import Channel
from verification.identity.model import CitizenSession, person_key, provider_subject_key

PROVIDER = "pabulib"
_ID_ATTEMPTS = 6


@dataclass(frozen=True)
class ImportedCycle:
    cycle: Cycle
    project_ids: dict[str, int]
    """The file's project id -> civica project id."""
    source_sha256: bytes
    created: bool


class _TieOrderBroken(Exception):
    """The ids given to the projects do not sort as the file's ids; try again with new ids."""


def file_digest(data: bytes) -> bytes:
    """The SHA-256 that identifies an imported file."""
    return hashlib.sha256(data).digest()


async def import_pabulib(
    pool: asyncpg.Pool,
    actor: str,
    plan: PabulibCycle,
    pb: PabulibFile,
    *,
    source_name: str,
    source_sha256: bytes,
    now: datetime | None = None,
) -> ImportedCycle:
    """Store the planned cycle with its projects on the final list; the same file again is a no-op.

    A cycle with the slug that was not imported from this very file is refused (CycleExists).
    """
    moment = now or datetime.now(UTC)
    slug = plan.settings.slug
    async with pool.acquire() as conn, conn.transaction():
        try:
            existing = await store.lock_cycle(conn, slug, exclusive=True)
        except NotFound:
            existing = None
        if existing is not None:
            earlier = await store.fetch_pabulib_import(conn, existing.id)
            if earlier is None or earlier.source_sha256 != source_sha256:
                raise CycleExists(
                    _(
                        "A cycle “{slug}” already exists and was not imported from this file; "
                        "choose another slug with --slug.",
                        slug=slug,
                    )
                )
            return ImportedCycle(existing, earlier.project_ids, source_sha256, created=False)
        cycle_id = await store.insert_cycle(conn, plan.settings)
        scope = await store.insert_scope(conn, cycle_id, plan.scope, 0)
        project_ids = await _insert_projects(conn, cycle_id, scope.id, plan)
        await store.mark_provisional_list_published(conn, cycle_id, moment)
        await store.mark_final_list_published(conn, cycle_id, moment)
        for project_id in project_ids.values():
            await store.insert_event(
                conn,
                cycle_id,
                kind=EventKind.FINAL_LIST,
                status=ProjectStatus.FINAL.value,
                at=moment,
                project_id=project_id,
            )
        await store.insert_pabulib_import(
            conn, cycle_id, source_name, source_sha256, dict(pb.meta), project_ids
        )
        await record_audit(
            conn,
            actor,
            "cycle.import_pb",
            f"cycle/{slug}",
            None,
            {
                **plan.settings.to_dict(),
                "scopes": [plan.scope.to_dict()],
                "source": source_name,
                "source_sha256": source_sha256.hex(),
                "projects": project_ids,
            },
        )
        cycle = await store.fetch_cycle(conn, slug)
    return ImportedCycle(cycle, project_ids, source_sha256, created=True)


async def _insert_projects(
    conn: store.Connection, cycle_id: int, scope_id: int, plan: PabulibCycle
) -> dict[str, int]:
    """Insert the projects so that their ids sort, as text, in the file's tie-break order.

    Ids are consecutive, so they sort alike unless they cross a power of ten (99 -> 100); then
    the attempt is rolled back and made again with the ids that follow, which do not.
    """
    for _attempt in range(_ID_ATTEMPTS):
        try:
            async with conn.transaction():
                ids = {}
                for project in plan.projects:
                    draft = ProjectDraft(
                        scope_id, None, project.title, project.description, "", project.cost_cents
                    )
                    stored = await store.insert_project(conn, cycle_id, draft, ProjectStatus.FINAL)
                    ids[project.source_id] = stored.id
                if not tie_order_agrees(list(ids.items())):
                    raise _TieOrderBroken
                return ids
        except _TieOrderBroken:
            continue
    raise PabulibNotImportable(
        _("The projects could not be given ids in the file's order; try the import again.")
    )


@dataclass
class ReplayReport:
    """What a replay did: ballots cast now, found cast before, and refused (with why)."""

    cast: int = 0
    already_cast: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def synthetic_voter(pepper: bytes, source_sha256: bytes, voter_id: str) -> CitizenSession:
    """The voter standing for one of the file's voter ids: same file and id, same person key."""
    subject = provider_subject_key(PROVIDER, source_sha256.hex(), voter_id)
    return CitizenSession(
        person_key=person_key(pepper, subject),
        provider=PROVIDER,
        birth_date=None,
        residence=None,
        status="citizen",
        census_member=False,
    )


async def replay_ballots(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    imported: ImportedCycle,
    ballots: Sequence[ImportedBallot],
    *,
    workers: int = 8,
) -> ReplayReport:
    """Cast every ballot through `cast_ballot` (channel web), `workers` at a time."""
    started = time.perf_counter()
    cycle = await store.fetch_cycle(pool, imported.cycle.slug)
    if cycle.phase_at(datetime.now(UTC)) is not Phase.VOTING:
        raise PabulibNotImportable(_("The cycle is not in its voting phase; nothing was cast."))
    (scope,) = await store.fetch_scopes(pool, cycle.id)
    report = ReplayReport()
    queue: asyncio.Queue[ImportedBallot] = asyncio.Queue()
    for ballot in ballots:
        queue.put_nowait(ballot)

    async def work() -> None:
        while not queue.empty():
            ballot = queue.get_nowait()
            voter = synthetic_voter(keys.identifier_pepper, imported.source_sha256, ballot.voter_id)
            selections = {imported.project_ids[pid]: p for pid, p in ballot.selections.items()}
            try:
                await cast_ballot(
                    pool, settings, keys, cycle, scope, voter, selections, channel=Channel.WEB
                )
            except AlreadyCast:
                report.already_cast += 1
            except (InvalidBallot, VotingError) as error:
                report.refused.append((ballot.voter_id, str(error)))
            else:
                report.cast += 1

    await asyncio.gather(*(work() for _ in range(max(1, workers))))
    report.seconds = time.perf_counter() - started
    return report
