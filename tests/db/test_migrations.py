"""Migrations: applied in order once, recorded with checksums, edits refused, locked."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import asyncpg
import pytest

from service.migrations import Migration, MigrationError, load_migrations, migrate

REPO = Path(__file__).resolve().parents[2]
SQL_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def repository_queries() -> list[tuple[str, str]]:
    """Every module-level SQL constant in the repository modules: (module:NAME, sql)."""
    found = []
    for path in sorted(REPO.glob("*/repository.py")) + sorted(REPO.glob("*/*/repository.py")):
        if path.relative_to(REPO).parts[0].startswith("."):
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target = node.targets[0]
            if not (isinstance(target, ast.Name) and target.id.isupper()):
                continue
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                sql = node.value.value.strip()
                if sql.upper().startswith(SQL_VERBS):
                    found.append((f"{path.relative_to(REPO)}:{target.id}", sql))
    return found


async def test_migrations_apply_in_order_and_record_checksums(empty_database_url: str) -> None:
    conn = await asyncpg.connect(empty_database_url)
    try:
        files = load_migrations()
        applied = await migrate(conn)
        assert applied == [m.version for m in files]
        assert applied == sorted(applied)
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
        assert [(r["version"], r["checksum"]) for r in rows] == [
            (m.version, m.checksum) for m in files
        ]
        assert await migrate(conn) == []
    finally:
        await conn.close()


async def test_every_repository_query_matches_the_migrated_schema(database_url: str) -> None:
    queries = repository_queries()
    assert queries, "the repository modules should hold SQL constants"
    conn = await asyncpg.connect(database_url)
    try:
        for where, sql in queries:
            try:
                await conn.prepare(sql)
            except asyncpg.PostgresError as error:
                pytest.fail(f"{where} does not fit the schema: {error}")
    finally:
        await conn.close()


async def test_an_edited_applied_migration_is_refused(database_url: str) -> None:
    edited = [
        Migration(m.version, m.name, m.sql + "\n-- edited afterwards\n") if i == 0 else m
        for i, m in enumerate(load_migrations())
    ]
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(MigrationError, match="was edited after it was applied"):
            await migrate(conn, edited)
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == len(edited)
    finally:
        await conn.close()


async def test_a_database_newer_than_the_code_is_refused(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(MigrationError, match="does not have"):
            await migrate(conn, load_migrations()[:-1] if len(load_migrations()) > 1 else [])
    finally:
        await conn.close()


async def test_a_failing_migration_changes_nothing(empty_database_url: str) -> None:
    broken = [
        Migration(1, "good", "CREATE TABLE a (x int);"),
        Migration(2, "bad", "CREATE TABLE b (x int); SELECT no_such_function();"),
    ]
    conn = await asyncpg.connect(empty_database_url)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(conn, broken)
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 1
        assert await conn.fetchval("SELECT to_regclass('b')") is None
        assert await conn.fetchval("SELECT to_regclass('a')") == "a"
    finally:
        await conn.close()


async def test_concurrent_migrators_apply_each_migration_once(empty_database_url: str) -> None:
    slow = [
        Migration(1, "slow", "CREATE TABLE counter (n int); SELECT pg_sleep(0.3);"),
        Migration(2, "insert", "INSERT INTO counter VALUES (1);"),
    ]
    conns = [await asyncpg.connect(empty_database_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(c, slow) for c in conns))
        assert sorted(v for r in results for v in r) == [1, 2]
        assert await conns[0].fetchval("SELECT count(*) FROM counter") == 1
    finally:
        for conn in conns:
            await conn.close()
