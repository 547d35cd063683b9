"""The close: stop the board, sign the final checkpoint, open the ballots and publish the record.

Every step can be repeated: the board keeps its first `closed_at`, the final checkpoint is
signed once, and the record writer is deterministic (Ed25519 signatures are), so a close that
crashed half-way and runs again publishes exactly the record it would have published.
The sealing secret key is read here and nowhere else.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from ballots import repository as board_store
from ballots.errors import VotingError
from proposals import repository as store
from proposals.phases import Phase
from service import board
from service.audit import record_audit
from service.config import Settings
from service.keys import DeploymentKeys
from service.version import SOFTWARE
from service.workflows.cycles import change_phase
from service.workflows.voting import SYSTEM_ACTOR, open_voting
from verification.formats import rfc3339
from verification.messages import _
from verification.publish import CheckpointRecord, RecordWriter
from verification.record import CLOSING, RECORD_FILES

ENTRY_PAGE = 5000


class CloseRefused(VotingError):
    """The cycle cannot be closed (yet), or was closed already."""


@dataclass(frozen=True)
class ClosedCycle:
    cycle_id: int
    size: int
    closing_statement: bytes


async def close_cycle(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    slug: str,
    *,
    actor: str = SYSTEM_ACTOR,
    now: datetime | None = None,
    refuse_if_closed: bool = False,
) -> ClosedCycle:
    """Close voting in a cycle whose voting phase is over and publish its election record."""
    moment = now or datetime.now(UTC)
    cycle = await store.fetch_cycle(pool, slug)
    if cycle.phase_at(moment) is not Phase.RESULTS:
        raise CloseRefused(_("Voting closes when the voting phase ends; it has not ended yet."))
    state = await board_store.fetch_board(pool, cycle.id)
    if state is None:
        state = await open_voting(pool, settings, keys, slug, moment)
    if refuse_if_closed and state.closed_at is not None:
        raise CloseRefused(_("This cycle is closed already; its record is published."))
    # One close at a time per cycle (the keeper and an administrator may both start one):
    # the record is built in one folder, and the second finds it published.
    async with pool.acquire() as lock:
        await board_store.lock_close(lock, cycle.id)
        try:
            return await _close_locked(pool, settings, keys, slug, cycle.id, state.size, actor)
        finally:
            await board_store.unlock_close(lock, cycle.id)


async def _close_locked(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    slug: str,
    cycle_id: int,
    size_before: int,
    actor: str,
) -> ClosedCycle:
    published = await board_store.fetch_record_file_names(pool, cycle_id)
    if published >= set(RECORD_FILES):
        closing = await board_store.fetch_record_file(pool, cycle_id, CLOSING)
        assert closing is not None
        return ClosedCycle(cycle_id, size_before, closing)
    async with pool.acquire() as conn, conn.transaction():
        size = await board_store.close_board(conn, cycle_id)
        if size is not None:
            await record_audit(
                conn, actor, "voting.close", f"cycle/{slug}", None, {"entries": size}
            )
    final = await board.checkpoint(pool, keys, cycle_id, force=True)
    assert final is not None
    closed = await board_store.fetch_board(pool, cycle_id)
    assert closed is not None
    assert closed.closed_at is not None
    folder = settings.data_dir / "records" / f"{cycle_id}.building"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        await _write_record(pool, settings, keys, closed, folder)
        files = {name: (folder / name).read_bytes() for name in RECORD_FILES}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    async with pool.acquire() as conn, conn.transaction():
        for name, content in files.items():
            await board_store.insert_record_file(
                conn, cycle_id, name, content, hashlib.sha256(content).digest()
            )
        await record_audit(
            conn,
            actor,
            "record.publish",
            f"cycle/{slug}",
            None,
            {
                "entries": closed.size,
                "closing_sha256": hashlib.sha256(files[CLOSING]).hexdigest(),
            },
        )
    return ClosedCycle(cycle_id, closed.size, files[CLOSING])


async def end_voting_and_close(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    slug: str,
    *,
    actor: str,
    staff_id: int | None,
    reason: str,
    now: datetime | None = None,
) -> ClosedCycle:
    """End the voting phase now (a recorded phase advance with `reason`) and close the cycle.

    Refused (CloseRefused) when the cycle is closed already or its voting phase is not running;
    an empty reason is refused by the phase change (ReasonRequired) before anything changes.
    """
    moment = now or datetime.now(UTC)
    cycle = await store.fetch_cycle(pool, slug)
    state = await board_store.fetch_board(pool, cycle.id)
    if (
        state is not None and state.closed_at is not None
    ) or await board_store.fetch_record_file_names(pool, cycle.id):
        raise CloseRefused(_("This cycle is closed already; its record is published."))
    if cycle.phase_at(moment) is not Phase.VOTING:
        raise CloseRefused(_("Voting is not open in this cycle, so there is nothing to close."))
    await change_phase(pool, actor, staff_id, slug, kind="advance", reason=reason, now=moment)
    # Not refuse_if_closed: the keeper may start this very close as soon as the phase ends.
    return await close_cycle(pool, settings, keys, slug, actor=actor)


async def _write_record(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    state: board_store.BoardState,
    folder: Path,
) -> None:
    assert state.closed_at is not None
    writer = RecordWriter(
        folder,
        state.manifest,
        board.read_sealing_secret(settings.data_dir, state.cycle_id),
        board.log_signing_key(keys, state.cycle_id),
    )
    with writer:
        for start in range(0, state.size, ENTRY_PAGE):
            rows = await board_store.fetch_entries(
                pool, state.cycle_id, start, min(state.size, start + ENTRY_PAGE)
            )
            writer.add_entries(entry for _index, entry, _leaf in rows)
        checkpoints = [
            CheckpointRecord(c.tree_size, c.root_hash, c.note, rfc3339(c.published_at))
            for c in await board_store.fetch_checkpoints(pool, state.cycle_id)
        ]
        writer.finish(checkpoints, rfc3339(state.closed_at), SOFTWARE)
