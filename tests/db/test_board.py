"""The public board on the real database: contiguous indices under concurrency, signed
checkpoints whose roots match the entries, proofs that verify, append-only storage."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from nacl.signing import SigningKey

from ballots import repository
from ballots.errors import BoardNotOpen, ManifestAlreadyFrozen
from service import board
from service.database import create_pool
from service.keys import load_or_create_keys
from tests.support.board import OpenBoard, append_test_entry, open_test_board
from verification.checkpoint import verify_checkpoint
from verification.formats import log_origin
from verification.merkle import hash_tree, verify_consistency, verify_inclusion
from verification.note import NoteVerifier, compute_key_id


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url)
    try:
        yield pool
    finally:
        await pool.close()


async def cast(pool: asyncpg.Pool, tb: OpenBoard, n: int) -> tuple[int, bytes]:
    return await append_test_entry(pool, tb, n)


async def test_concurrent_appends_get_contiguous_indices(
    pool: asyncpg.Pool, data_dir: Path
) -> None:
    tb = await open_test_board(pool, data_dir)
    cycle_id = tb.cycle_id
    results = await asyncio.gather(*(cast(pool, tb, n) for n in range(120)))
    assert sorted(index for index, _ in results) == list(range(120))
    stored = await repository.fetch_entries(pool, cycle_id, 0, 1000)
    assert [i for i, _, _ in stored] == list(range(120))
    by_index = dict(results)
    assert all(entry == by_index[i] for i, entry, _ in stored)


async def test_checkpoints_sign_the_tree_of_the_entries_and_proofs_verify(
    pool: asyncpg.Pool, data_dir: Path
) -> None:
    tb = await open_test_board(pool, data_dir)
    cycle_id, fp = tb.cycle_id, tb.fingerprint
    keys = load_or_create_keys(data_dir)
    log_key = board.log_signing_key(keys, cycle_id)
    origin = log_origin(fp)
    verifier = NoteVerifier(
        origin, compute_key_id(origin, bytes(log_key.verify_key)), bytes(log_key.verify_key)
    )

    first = await asyncio.gather(*(cast(pool, tb, n) for n in range(37)))
    cp1 = await board.checkpoint(pool, keys, cycle_id)
    assert cp1 is not None
    assert await board.checkpoint(pool, keys, cycle_id) is None, "no growth, no new checkpoint"
    second = await asyncio.gather(*(cast(pool, tb, n) for n in range(37, 100)))
    cp2 = await board.checkpoint(pool, keys, cycle_id)
    assert cp2 is not None

    entries = [entry for _, entry in sorted(first + second)]
    for cp in (cp1, cp2):
        parsed = verify_checkpoint(cp.note, verifier)
        assert parsed.origin == origin
        assert parsed.size == cp.tree_size
        assert parsed.root_hash == hash_tree(entries[: cp.tree_size])
    assert (cp1.tree_size, cp2.tree_size) == (37, 100)

    proof = await board.consistency_proof(pool, cycle_id, 37, 100)
    verify_consistency(37, 100, proof, cp1.root_hash, cp2.root_hash)
    rows = await repository.fetch_entries(pool, cycle_id, 0, 100)
    for index in random.Random(7).sample(range(100), 20):
        leaf = rows[index][2]
        verify_inclusion(
            leaf, index, 100, await board.inclusion_proof(pool, cycle_id, index, 100), cp2.root_hash
        )
        if index < 37:
            verify_inclusion(
                leaf,
                index,
                37,
                await board.inclusion_proof(pool, cycle_id, index, 37),
                cp1.root_hash,
            )


async def test_the_checkpointer_signs_only_grown_boards(pool: asyncpg.Pool, data_dir: Path) -> None:
    tb = await open_test_board(pool, data_dir)
    cycle_id = tb.cycle_id
    keys = load_or_create_keys(data_dir)
    checkpointer = board.Checkpointer(pool, keys, interval_s=0.01)
    assert await checkpointer.run_once() == 0
    await cast(pool, tb, 1)
    assert await checkpointer.run_once() == 1
    assert await checkpointer.run_once() == 0
    assert [c.tree_size for c in await repository.fetch_checkpoints(pool, cycle_id)] == [1]


async def test_the_board_is_append_only_and_closes(pool: asyncpg.Pool, data_dir: Path) -> None:
    tb = await open_test_board(pool, data_dir)
    cycle_id = tb.cycle_id
    await cast(pool, tb, 1)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await pool.execute("UPDATE board_entries SET entry = '\\x00' WHERE cycle_id = $1", cycle_id)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await pool.execute("DELETE FROM board_entries WHERE cycle_id = $1", cycle_id)
    async with pool.acquire() as conn:
        assert await repository.close_board(conn, cycle_id) == 1
        assert await repository.close_board(conn, cycle_id) is None
    with pytest.raises(BoardNotOpen):
        await cast(pool, tb, 2)


async def test_a_manifest_is_frozen_once(pool: asyncpg.Pool, data_dir: Path) -> None:
    cycle_id = (await open_test_board(pool, data_dir)).cycle_id
    async with pool.acquire() as conn:
        with pytest.raises(ManifestAlreadyFrozen):
            await repository.insert_manifest(conn, cycle_id, b"{}", bytes(32), bytes(32), bytes(32))


def test_the_sealing_key_is_private_and_never_replaced(data_dir: Path) -> None:
    first = board.create_sealing_key(data_dir, 5)
    assert board.create_sealing_key(data_dir, 5) == first
    path = board.sealing_key_path(data_dir, 5)
    assert path.stat().st_mode & 0o777 == 0o600
    assert bytes(SigningKey(board.read_sealing_secret(data_dir, 5))) != first
