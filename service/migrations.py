"""Forward-only numbered SQL migrations, each applied once in its own transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from service.resources import resource_dir

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
LOCK_KEY = 0x6369766963610001  # "civica" + 1: the advisory lock that serialises migrators

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    """The database and the migration files disagree."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(folder: Path | None = None) -> list[Migration]:
    """Read the migration files in version order."""
    folder = folder or resource_dir("sql") / "migrations"
    found: list[Migration] = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".sql":
            continue
        match = MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lowercase_name.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return found


async def migrate(conn: asyncpg.Connection, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the migrations not yet applied; return the versions applied now."""
    migrations = load_migrations() if migrations is None else migrations
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
    try:
        await conn.execute(CREATE_LEDGER)
        applied = {
            row["version"]: row
            for row in await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        }
        _check_applied(applied, migrations)
        done: list[int] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            done.append(migration.version)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)


def _check_applied(applied: dict[int, asyncpg.Record], migrations: list[Migration]) -> None:
    by_version = {m.version: m for m in migrations}
    for version, row in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {version:04d}_{row['name']} applied, which this "
                "version of civica does not have: run the civica release that applied it"
            )
        if migration.checksum != row["checksum"]:
            raise MigrationError(
                f"migration {version:04d}_{migration.name}.sql was edited after it was applied "
                "(checksum differs). Applied migrations must never change: restore the file and "
                "put the change in a new migration."
            )
