"""`civica import-census FILE.csv`: replace the census roll from a CSV file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from service.commands.common import fail, settings_from
from service.database import create_pool, migrate_database, running_database
from service.embedded_db import EmbeddedDatabaseError
from service.identity import CONTACT_KEY_FILE
from service.keys import KeyFileError, keys_dir, load_or_create_keys, read_or_create_secret
from service.migrations import MigrationError
from verification import repository
from verification.identity.census import CensusEntry, CensusFileRejected, entry_for, parse_census


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import-census",
        help="replace the census roll (ID number, birth date, residence, phone/e-mail) from CSV",
    )
    parser.add_argument("file", type=Path, help="the census CSV file (UTF-8, header row first)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        data = args.file.read_bytes()
    except OSError as error:
        return fail(f"cannot read {args.file}: {error.strerror}")
    try:
        rows = parse_census(data, today=date.today())
    except CensusFileRejected as rejected:
        print(f"civica: {args.file} was not imported; nothing changed:", file=sys.stderr)
        for problem in rejected.problems:
            print(f"  line {problem.line}: {problem.message}", file=sys.stderr)
        return 1
    try:
        keys = load_or_create_keys(settings.data_dir)
        contact_key = read_or_create_secret(keys_dir(settings.data_dir) / CONTACT_KEY_FILE)
        entries = [entry_for(row, keys.identifier_pepper, contact_key) for row in rows]
        with running_database(settings) as ready:
            assert ready.database_url is not None
            count = asyncio.run(_import(ready.database_url, entries))
    except (MigrationError, EmbeddedDatabaseError, KeyFileError) as error:
        return fail(str(error))
    print(f"imported {count} people into the census roll (the previous roll was replaced)")
    return 0


async def _import(url: str, entries: list[CensusEntry]) -> int:
    await migrate_database(url)
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        imported = await repository.replace_census(pool, entries, source="command", staff_id=None)
    finally:
        await pool.close()
    return imported.entries
