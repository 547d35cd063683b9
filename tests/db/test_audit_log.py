"""The audit log: hash-chained, append-only in the database, tampering detected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from itertools import pairwise

import asyncpg
import pytest

from service.audit import AuditChainBroken, record_audit, verify_audit_chain
from service.database import create_pool


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    opened = await create_pool(database_url, min_size=1, max_size=8)
    try:
        yield opened
    finally:
        await opened.close()


async def append(pool: asyncpg.Pool, n: int, subject: str = "cycle/x") -> None:
    for i in range(n):
        async with pool.acquire() as conn, conn.transaction():
            await record_audit(
                conn, "staff:ana", "cycle.update", subject, {"budget": i}, {"budget": i + 1}
            )


async def test_entries_chain_and_verify(pool: asyncpg.Pool) -> None:
    assert await verify_audit_chain(pool) == 0
    await append(pool, 5)
    async with pool.acquire() as conn, conn.transaction():
        await record_audit(conn, "cli", "cycle.load", "cycle/ç", None, {"name": "Açores", "n": 1.5})
    assert await verify_audit_chain(pool) == 6
    rows = await pool.fetch("SELECT previous_hash, entry_hash FROM audit_log ORDER BY id")
    assert rows[0]["previous_hash"] == bytes(32)
    for before, after in pairwise(rows):
        assert after["previous_hash"] == before["entry_hash"]


async def test_the_database_refuses_update_delete_and_truncate(pool: asyncpg.Pool) -> None:
    await append(pool, 2)
    for statement in (
        "UPDATE audit_log SET actor = 'staff:mallory'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await pool.execute(statement)
    assert await verify_audit_chain(pool) == 2


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("UPDATE audit_log SET after = '{\"budget\": 999}' WHERE id = 2", "content"),
        ("UPDATE audit_log SET actor = 'staff:mallory' WHERE id = 2", "content"),
        (
            "UPDATE audit_log SET recorded_at = recorded_at - interval '1 day' WHERE id = 2",
            "content",
        ),
        ("DELETE FROM audit_log WHERE id = 2", "link"),
    ],
)
async def test_a_tampered_row_is_found(pool: asyncpg.Pool, tamper: str, reason: str) -> None:
    await append(pool, 4)
    async with pool.acquire() as conn, conn.transaction():
        # someone with superuser rights bypasses the trigger
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(tamper)
    with pytest.raises(AuditChainBroken) as caught:
        await verify_audit_chain(pool)
    assert caught.value.entry_id in (2, 3)
    assert reason in caught.value.reason


async def test_an_entry_commits_or_rolls_back_with_its_change(pool: asyncpg.Pool) -> None:
    async def change_that_fails() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await record_audit(conn, "cli", "cycle.load", "cycle/x", None, {"a": 1})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await change_that_fails()
    assert await pool.fetchval("SELECT count(*) FROM audit_log") == 0
    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            await record_audit(conn, "cli", "cycle.load", "cycle/x", None, None)


async def test_concurrent_appends_keep_one_chain(pool: asyncpg.Pool) -> None:
    await asyncio.gather(*(append(pool, 5, f"cycle/{n}") for n in range(6)))
    assert await verify_audit_chain(pool) == 30
