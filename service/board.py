"""The public board's moving parts: opening a cycle's log, checkpointing it, serving proofs.

Casting appends entries under the log head's row lock (ballots.repository.append_entry). A
checkpointer task then folds the new leaves into the stored compact range, stores every
completed subtree, and signs a C2SP checkpoint: the tree is never recomputed from scratch.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from ballots import repository
from ballots.errors import BoardNotOpen
from ballots.repository import BoardState, StoredCheckpoint
from service.keys import DeploymentKeys, keys_dir, read_secret
from verification.checkpoint import sign_checkpoint
from verification.formats import log_origin
from verification.merkle import (
    NodeId,
    plan_consistency_proof,
    plan_inclusion_proof,
)
from verification.tree import CompactRange

log = logging.getLogger(__name__)

CHECKPOINTER_LOCK = 0x6369766963610003


def sealing_key_path(data_dir: Path, cycle_id: int) -> Path:
    return keys_dir(data_dir) / "cycles" / str(cycle_id) / "sealing_secret_key"


def create_sealing_key(data_dir: Path, cycle_id: int) -> bytes:
    """Generate the cycle's sealing key pair (secret kept 0600 in the data folder); return the
    public key. If a key exists from an interrupted opening, it is reused, never replaced."""
    path = sealing_key_path(data_dir, cycle_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes(PrivateKey(read_secret(path)).public_key)
    secret = PrivateKey.generate()
    with os.fdopen(fd, "wb") as handle:
        handle.write(bytes(secret))
        handle.flush()
        os.fsync(handle.fileno())
    return bytes(secret.public_key)


def read_sealing_secret(data_dir: Path, cycle_id: int) -> bytes:
    """The sealing secret key; only the close procedure calls this."""
    return read_secret(sealing_key_path(data_dir, cycle_id))


def log_signing_key(keys: DeploymentKeys, cycle_id: int) -> SigningKey:
    return SigningKey(keys.cycle_log_seed(cycle_id))


async def checkpoint(
    pool: asyncpg.Pool, keys: DeploymentKeys, cycle_id: int, *, force: bool = False
) -> StoredCheckpoint | None:
    """Sign a checkpoint over every entry appended so far, if the tree grew (or `force`)."""
    async with pool.acquire() as conn, conn.transaction():
        board = await repository.fetch_board(conn, cycle_id)
        if board is None:
            raise BoardNotOpen("this cycle has no board")
        size, checkpointed, compact_bytes = await repository.lock_head_for_checkpoint(
            conn, cycle_id
        )
        if size == checkpointed and not force:
            return None
        existing = await repository.fetch_checkpoint(conn, cycle_id, size)
        if existing is not None:
            return existing
        leaves = await repository.fetch_leaf_hashes(conn, cycle_id, checkpointed, size)
        completed: list[tuple[NodeId, bytes]] = []
        compact = CompactRange.from_bytes(compact_bytes).extend(
            leaves, visit=lambda node, node_hash: completed.append((node, node_hash))
        )
        root = compact.root()
        note = sign_checkpoint(
            log_origin(board.fingerprint), size, root, log_signing_key(keys, cycle_id)
        )
        await repository.insert_nodes(conn, cycle_id, completed)
        published_at = await repository.insert_checkpoint(
            conn, cycle_id, size, root, note, compact.to_bytes()
        )
        return StoredCheckpoint(size, root, note, published_at)


async def inclusion_proof(
    db: repository.Executor, cycle_id: int, index: int, tree_size: int
) -> list[bytes]:
    """RFC 9162 inclusion proof of entry `index` in the checkpointed tree of `tree_size`."""
    plan = plan_inclusion_proof(index, tree_size)
    return plan.assemble(await repository.fetch_nodes(db, cycle_id, plan.nodes))


async def consistency_proof(
    db: repository.Executor, cycle_id: int, size1: int, size2: int
) -> list[bytes]:
    """RFC 9162 consistency proof between two checkpointed tree sizes."""
    plan = plan_consistency_proof(size1, size2)
    return plan.assemble(await repository.fetch_nodes(db, cycle_id, plan.nodes))


@dataclass
class Checkpointer:
    """Signs checkpoints of every open board at a fixed interval; one process at a time."""

    pool: asyncpg.Pool
    keys: DeploymentKeys
    interval_s: float

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except (OSError, asyncpg.PostgresError):
                log.exception("checkpointing failed; retrying at the next interval")
            await asyncio.sleep(self.interval_s)

    async def run_once(self) -> int:
        """Checkpoint every open board that grew; return how many were signed."""
        async with self.pool.acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", CHECKPOINTER_LOCK):
                return 0
            try:
                cycle_ids = [
                    r["cycle_id"]
                    for r in await conn.fetch(
                        "SELECT cycle_id FROM board_heads WHERE closed_at IS NULL "
                        "AND size > checkpoint_size"
                    )
                ]
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", CHECKPOINTER_LOCK)
        signed = 0
        for cycle_id in cycle_ids:
            if await checkpoint(self.pool, self.keys, cycle_id) is not None:
                signed += 1
        return signed


__all__ = ["BoardState", "Checkpointer", "checkpoint", "create_sealing_key"]
