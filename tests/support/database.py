"""Test databases: one server per run, a migrated template, and one fresh clone per test."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from service.embedded_db import EmbeddedPostgres
from service.migrations import load_migrations, migrate

REPO = Path(__file__).resolve().parents[2]
TEST_DATA_DIR = REPO / ".test-data"
TEMPLATE_LOCK = 0x6369766963610002


def server_url_from_env() -> str | None:
    """An existing server named by CIVICA_TEST_DATABASE_URL (any database on it will do)."""
    return os.environ.get("CIVICA_TEST_DATABASE_URL") or None


def start_embedded_server() -> EmbeddedPostgres:
    """The embedded server the tests use by default (fsync off: test data is disposable)."""
    server = EmbeddedPostgres(TEST_DATA_DIR, fast_unsafe=True)
    server.start()
    return server


def with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


def template_name() -> str:
    digest = hashlib.sha256()
    for migration in load_migrations():
        digest.update(migration.checksum.encode())
    return f"civica_template_{digest.hexdigest()[:12]}"


async def ensure_template(server_url: str) -> str:
    """Create and migrate the template database for the current migrations, once per server."""
    name = template_name()
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await admin.execute("SELECT pg_advisory_lock($1)", TEMPLATE_LOCK)
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                building = f"{name}_building"
                await admin.execute(f'DROP DATABASE IF EXISTS "{building}"')
                await admin.execute(f'CREATE DATABASE "{building}"')
                conn = await asyncpg.connect(with_database(server_url, building))
                try:
                    await migrate(conn)
                finally:
                    await conn.close()
                await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        finally:
            await admin.execute("SELECT pg_advisory_unlock($1)", TEMPLATE_LOCK)
    finally:
        await admin.close()
    return name


async def create_test_database(server_url: str, template: str | None) -> str:
    """A new database (a clone of `template`, or empty); returns its URL."""
    name = f"civica_test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        source = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{source}')
    finally:
        await admin.close()
    return with_database(server_url, name)


async def drop_test_database(server_url: str, url: str) -> None:
    name = url.split("?")[0].rsplit("/", 1)[1]
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def fresh_database(server_url: str, template: str | None) -> AsyncIterator[str]:
    """A new database for the duration of the block, dropped afterwards."""
    url = await create_test_database(server_url, template)
    try:
        yield url
    finally:
        await drop_test_database(server_url, url)
