"""SQL for the public board: manifests, entries, tree nodes and checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import asyncpg.pool

from ballots.errors import BoardNotOpen, ManifestAlreadyFrozen, UnknownEntry
from verification.merkle import NodeId
from verification.messages import _

Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
Executor = Connection | asyncpg.Pool

INSERT_MANIFEST = """
INSERT INTO manifests (cycle_id, manifest, fingerprint, log_public_key, sealing_public_key)
VALUES ($1, $2, $3, $4, $5)
"""

INSERT_HEAD = "INSERT INTO board_heads (cycle_id) VALUES ($1)"

SELECT_MANIFEST = """
SELECT m.cycle_id, m.manifest, m.fingerprint, m.log_public_key, m.sealing_public_key,
       m.frozen_at, h.size, h.checkpoint_size, h.compact_range, h.closed_at
  FROM manifests m JOIN board_heads h USING (cycle_id)
 WHERE m.cycle_id = $1
"""

# One statement: the UPDATE takes the head row's lock until the transaction ends, so indices
# are handed out in commit order without gaps (a rolled-back cast rolls back its index too).
APPEND_ENTRY = """
WITH head AS (
    UPDATE board_heads SET size = size + 1
     WHERE cycle_id = $1 AND closed_at IS NULL
 RETURNING size - 1 AS leaf_index
)
INSERT INTO board_entries (cycle_id, leaf_index, entry, leaf_hash)
SELECT $1, leaf_index, $2, $3 FROM head
RETURNING leaf_index
"""

LOCK_HEAD_FOR_CHECKPOINT = """
SELECT size, checkpoint_size, compact_range FROM board_heads WHERE cycle_id = $1 FOR UPDATE
"""

SELECT_LEAF_HASHES = """
SELECT leaf_hash FROM board_entries
 WHERE cycle_id = $1 AND leaf_index >= $2 AND leaf_index < $3
 ORDER BY leaf_index
"""

INSERT_NODES = """
INSERT INTO board_nodes (cycle_id, level, node_index, hash)
SELECT $1, level, node_index, hash
  FROM unnest($2::smallint[], $3::bigint[], $4::bytea[]) AS t (level, node_index, hash)
ON CONFLICT DO NOTHING
"""

INSERT_CHECKPOINT = """
INSERT INTO checkpoints (cycle_id, tree_size, root_hash, note) VALUES ($1, $2, $3, $4)
RETURNING published_at
"""

RECORD_CHECKPOINT = """
UPDATE board_heads SET checkpoint_size = $2, compact_range = $3 WHERE cycle_id = $1
"""

CLOSE_HEAD = """
UPDATE board_heads SET closed_at = now() WHERE cycle_id = $1 AND closed_at IS NULL
RETURNING size
"""

SELECT_NODES = """
SELECT n.level, n.node_index, n.hash
  FROM unnest($2::smallint[], $3::bigint[]) AS want (level, node_index)
  JOIN board_nodes n ON n.cycle_id = $1 AND n.level = want.level
                    AND n.node_index = want.node_index
"""

SELECT_CHECKPOINTS = """
SELECT tree_size, root_hash, note, published_at FROM checkpoints
 WHERE cycle_id = $1 ORDER BY tree_size
"""

SELECT_LATEST_CHECKPOINT = """
SELECT tree_size, root_hash, note, published_at FROM checkpoints
 WHERE cycle_id = $1 ORDER BY tree_size DESC LIMIT 1
"""

SELECT_CHECKPOINT_AT = """
SELECT tree_size, root_hash, note, published_at FROM checkpoints
 WHERE cycle_id = $1 AND tree_size = $2
"""

SELECT_ENTRIES = """
SELECT leaf_index, entry, leaf_hash FROM board_entries
 WHERE cycle_id = $1 AND leaf_index >= $2 AND leaf_index < $3
 ORDER BY leaf_index
"""

SELECT_BOARDS_TO_CHECKPOINT = """
SELECT cycle_id FROM board_heads WHERE closed_at IS NULL AND size > checkpoint_size
"""

TRY_LOCK = "SELECT pg_try_advisory_lock($1)"
LOCK_CLOSE = "SELECT pg_advisory_lock($1::int, $2::int)"
UNLOCK_CLOSE = "SELECT pg_advisory_unlock($1::int, $2::int)"
CLOSE_LOCK_CLASS = 0x636C6F73  # "clos": the first key of a cycle's close lock
UNLOCK = "SELECT pg_advisory_unlock($1)"

INSERT_USED_CAST_NONCE = """
INSERT INTO used_cast_tokens (nonce, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING
RETURNING nonce
"""

DELETE_EXPIRED_CAST_TOKENS = "DELETE FROM used_cast_tokens WHERE expires_at < now()"

INSERT_RECORD_FILE = """
INSERT INTO record_files (cycle_id, name, content, sha256) VALUES ($1, $2, $3, $4)
ON CONFLICT (cycle_id, name) DO NOTHING
"""

SELECT_RECORD_FILE_NAMES = "SELECT name FROM record_files WHERE cycle_id = $1"

SELECT_RECORD_FILE_SIZE = """
SELECT length(content) AS size, sha256 FROM record_files WHERE cycle_id = $1 AND name = $2
"""

SELECT_RECORD_FILE_CHUNK = """
SELECT substring(content FROM $3 FOR $4) FROM record_files WHERE cycle_id = $1 AND name = $2
"""

SELECT_RECORD_FILE = "SELECT content FROM record_files WHERE cycle_id = $1 AND name = $2"

SELECT_CYCLES_WITH_RECORD = """
SELECT cycle_id FROM record_files WHERE name = 'closing.json' AND cycle_id = ANY($1::bigint[])
"""

SELECT_CYCLE_ID_BY_SLUG = "SELECT id FROM cycles WHERE slug = $1"

SELECT_INDEX_OF_LEAF = """
SELECT leaf_index FROM board_entries WHERE cycle_id = $1 AND leaf_hash = $2
"""


@dataclass(frozen=True)
class BoardState:
    """A cycle's frozen manifest and the state of its log."""

    cycle_id: int
    manifest: bytes
    fingerprint: bytes
    log_public_key: bytes
    sealing_public_key: bytes
    frozen_at: datetime
    size: int
    checkpoint_size: int
    compact_range: bytes
    closed_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> BoardState:
        return cls(**{field: row[field] for field in cls.__dataclass_fields__})


@dataclass(frozen=True)
class StoredCheckpoint:
    tree_size: int
    root_hash: bytes
    note: bytes
    published_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> StoredCheckpoint:
        return cls(row["tree_size"], row["root_hash"], row["note"], row["published_at"])


async def insert_manifest(
    conn: Connection,
    cycle_id: int,
    manifest: bytes,
    fingerprint: bytes,
    log_public_key: bytes,
    sealing_public_key: bytes,
) -> None:
    """Freeze a cycle's manifest and open its empty board."""
    try:
        await conn.execute(
            INSERT_MANIFEST, cycle_id, manifest, fingerprint, log_public_key, sealing_public_key
        )
    except asyncpg.UniqueViolationError:
        raise ManifestAlreadyFrozen("this cycle's manifest is already frozen") from None
    await conn.execute(INSERT_HEAD, cycle_id)


async def fetch_board(db: Executor, cycle_id: int) -> BoardState | None:
    row = await db.fetchrow(SELECT_MANIFEST, cycle_id)
    return None if row is None else BoardState.from_row(row)


async def append_entry(conn: Connection, cycle_id: int, entry: bytes, leaf_hash: bytes) -> int:
    """Append an entry inside the caller's transaction; return its index.

    The head row stays locked until the caller commits, so call it last in the transaction.
    """
    index = await conn.fetchval(APPEND_ENTRY, cycle_id, entry, leaf_hash)
    if index is None:
        raise BoardNotOpen(_("Voting is not open in this cycle."))
    return int(index)


async def lock_head_for_checkpoint(conn: Connection, cycle_id: int) -> tuple[int, int, bytes]:
    """Lock the head (blocking casts briefly); return size, checkpointed size, compact range."""
    row = await conn.fetchrow(LOCK_HEAD_FOR_CHECKPOINT, cycle_id)
    if row is None:
        raise BoardNotOpen("this cycle has no board")
    return int(row["size"]), int(row["checkpoint_size"]), bytes(row["compact_range"])


async def fetch_leaf_hashes(db: Executor, cycle_id: int, start: int, end: int) -> list[bytes]:
    rows = await db.fetch(SELECT_LEAF_HASHES, cycle_id, start, end)
    return [bytes(row["leaf_hash"]) for row in rows]


async def insert_nodes(
    conn: Connection, cycle_id: int, nodes: Sequence[tuple[NodeId, bytes]]
) -> None:
    if nodes:
        await conn.execute(
            INSERT_NODES,
            cycle_id,
            [n.level for n, _ in nodes],
            [n.index for n, _ in nodes],
            [h for _, h in nodes],
        )


async def insert_checkpoint(
    conn: Connection,
    cycle_id: int,
    size: int,
    root: bytes,
    note: bytes,
    compact_range: bytes,
) -> datetime:
    published_at: datetime = await conn.fetchval(INSERT_CHECKPOINT, cycle_id, size, root, note)
    await conn.execute(RECORD_CHECKPOINT, cycle_id, size, compact_range)
    return published_at


async def close_board(conn: Connection, cycle_id: int) -> int | None:
    """Refuse further entries; return the final size (None if it was closed already)."""
    size = await conn.fetchval(CLOSE_HEAD, cycle_id)
    return None if size is None else int(size)


async def fetch_nodes(db: Executor, cycle_id: int, nodes: Sequence[NodeId]) -> list[bytes]:
    """Hashes of the given perfect subtrees, in order; raises if one is not stored."""
    rows = await db.fetch(
        SELECT_NODES, cycle_id, [n.level for n in nodes], [n.index for n in nodes]
    )
    found = {(row["level"], row["node_index"]): bytes(row["hash"]) for row in rows}
    try:
        return [found[(n.level, n.index)] for n in nodes]
    except KeyError as missing:
        raise UnknownEntry(f"subtree {missing} is not checkpointed yet") from None


async def fetch_checkpoints(db: Executor, cycle_id: int) -> list[StoredCheckpoint]:
    return [StoredCheckpoint.from_row(r) for r in await db.fetch(SELECT_CHECKPOINTS, cycle_id)]


async def fetch_latest_checkpoint(db: Executor, cycle_id: int) -> StoredCheckpoint | None:
    row = await db.fetchrow(SELECT_LATEST_CHECKPOINT, cycle_id)
    return None if row is None else StoredCheckpoint.from_row(row)


async def fetch_checkpoint(db: Executor, cycle_id: int, size: int) -> StoredCheckpoint | None:
    row = await db.fetchrow(SELECT_CHECKPOINT_AT, cycle_id, size)
    return None if row is None else StoredCheckpoint.from_row(row)


async def fetch_entries(
    db: Executor, cycle_id: int, start: int, end: int
) -> list[tuple[int, bytes, bytes]]:
    rows = await db.fetch(SELECT_ENTRIES, cycle_id, start, end)
    return [(int(r["leaf_index"]), bytes(r["entry"]), bytes(r["leaf_hash"])) for r in rows]


async def fetch_index_of_leaf(db: Executor, cycle_id: int, leaf_hash: bytes) -> int:
    index = await db.fetchval(SELECT_INDEX_OF_LEAF, cycle_id, leaf_hash)
    if index is None:
        raise UnknownEntry("no entry on this board has that leaf hash")
    return int(index)


async def fetch_boards_to_checkpoint(db: Executor) -> list[int]:
    """Open boards that grew since their last checkpoint."""
    return [int(r["cycle_id"]) for r in await db.fetch(SELECT_BOARDS_TO_CHECKPOINT)]


async def try_advisory_lock(conn: Connection, key: int) -> bool:
    return bool(await conn.fetchval(TRY_LOCK, key))


async def advisory_unlock(conn: Connection, key: int) -> None:
    await conn.execute(UNLOCK, key)


async def lock_close(conn: Connection, cycle_id: int) -> None:
    """Wait for, then hold (on this connection's session), the lock on closing this cycle."""
    await conn.execute(LOCK_CLOSE, CLOSE_LOCK_CLASS, cycle_id)


async def unlock_close(conn: Connection, cycle_id: int) -> None:
    await conn.execute(UNLOCK_CLOSE, CLOSE_LOCK_CLASS, cycle_id)


async def fetch_cycle_id(db: Executor, slug: str) -> int | None:
    cycle_id = await db.fetchval(SELECT_CYCLE_ID_BY_SLUG, slug)
    return None if cycle_id is None else int(cycle_id)


async def record_cast_token(conn: Connection, nonce: str, expires_at: datetime) -> bool:
    """Mark a cast token used; False if it had been used already."""
    return await conn.fetchval(INSERT_USED_CAST_NONCE, nonce, expires_at) is not None


async def delete_expired_cast_tokens(db: Executor) -> None:
    await db.execute(DELETE_EXPIRED_CAST_TOKENS)


async def insert_record_file(
    conn: Connection, cycle_id: int, name: str, content: bytes, sha256: bytes
) -> None:
    await conn.execute(INSERT_RECORD_FILE, cycle_id, name, content, sha256)


async def fetch_record_file_names(db: Executor, cycle_id: int) -> set[str]:
    return {str(r["name"]) for r in await db.fetch(SELECT_RECORD_FILE_NAMES, cycle_id)}


async def fetch_record_file_size(db: Executor, cycle_id: int, name: str) -> int | None:
    row = await db.fetchrow(SELECT_RECORD_FILE_SIZE, cycle_id, name)
    return None if row is None else int(row["size"])


async def fetch_record_file_chunk(
    db: Executor, cycle_id: int, name: str, offset: int, length: int
) -> bytes:
    """`length` bytes of a record file from `offset` (0-based)."""
    chunk = await db.fetchval(SELECT_RECORD_FILE_CHUNK, cycle_id, name, offset + 1, length)
    return bytes(chunk or b"")


async def fetch_cycles_with_record(db: Executor, cycle_ids: Sequence[int]) -> set[int]:
    """Which of these cycles have published their record (the files are stored together)."""
    return {int(r["cycle_id"]) for r in await db.fetch(SELECT_CYCLES_WITH_RECORD, list(cycle_ids))}


async def fetch_record_file(db: Executor, cycle_id: int, name: str) -> bytes | None:
    content = await db.fetchval(SELECT_RECORD_FILE, cycle_id, name)
    return None if content is None else bytes(content)
