"""`civica migrate`: apply pending database migrations and exit."""

from __future__ import annotations

import argparse
import asyncio

from service.commands.common import fail, settings_from
from service.database import migrate_database, running_database
from service.embedded_db import EmbeddedDatabaseError
from service.migrations import MigrationError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("migrate", help="apply pending database migrations")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        with running_database(settings) as ready:
            assert ready.database_url is not None
            applied = asyncio.run(migrate_database(ready.database_url))
    except (MigrationError, EmbeddedDatabaseError) as error:
        return fail(str(error))
    if applied:
        print("applied migrations: " + ", ".join(f"{v:04d}" for v in applied))
    else:
        print("the database is up to date; nothing to apply")
    return 0
