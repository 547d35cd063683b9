"""The asyncpg pool, on the configured server or on the embedded one."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress

import asyncpg

from service.config import Settings
from service.embedded_db import EmbeddedDatabaseError, EmbeddedPostgres
from service.migrations import migrate


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """Open a pool whose connections decode JSON columns and speak UTC."""
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        server_settings={"timezone": "UTC", "application_name": "civica"},
    )
    assert pool is not None
    return pool


@asynccontextmanager
async def database_url(settings: Settings) -> AsyncIterator[str]:
    """Yield the URL of the database: DATABASE_URL, or an embedded server started for the block."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    server = EmbeddedPostgres(settings.data_dir)
    url = _with_database(await asyncio.to_thread(server.start), "civica")
    try:
        await ensure_database_exists(url)
        yield url
    finally:
        await asyncio.to_thread(server.stop)


@contextmanager
def running_database(settings: Settings) -> Iterator[Settings]:
    """Run the embedded server for the block when no DATABASE_URL is set; yield settings naming it.

    The CLI holds the server for the whole process, so the app's lifespan only opens a pool.
    """
    if settings.database_url is not None:
        yield settings
        return
    if not settings.allow_embedded_database:
        raise EmbeddedDatabaseError(
            "DATABASE_URL is not set and CIVICA_EMBEDDED_DB=0 forbids the "
            "embedded server: set DATABASE_URL to your PostgreSQL"
        )
    server = EmbeddedPostgres(settings.data_dir)
    url = _with_database(server.start(), "civica")
    try:
        asyncio.run(ensure_database_exists(url))
        yield dataclasses.replace(settings, database_url=url)
    finally:
        server.stop()


async def ensure_database_exists(url: str) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    name = url.split("?")[0].rsplit("/", 1)[1]
    admin = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with suppress(asyncpg.DuplicateDatabaseError):
                await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def migrate_database(url: str) -> list[int]:
    """Apply pending migrations; return the versions applied."""
    conn = await asyncpg.connect(url)
    try:
        return await migrate(conn)
    finally:
        await conn.close()


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    prefix = base.rsplit("/", 1)[0]
    return f"{prefix}/{name}" + (f"?{query}" if query else "")
