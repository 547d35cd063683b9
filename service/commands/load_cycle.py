"""`civica load-cycle FILE`: validate a cycle file fully and load it in one transaction."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from proposals.cycle_file import CycleDefinition, parse_cycle_file
from proposals.errors import CycleFileInvalid, Problem, ProposalsError
from service.audit import CLI_ACTOR
from service.commands.common import fail, settings_from
from service.config import ConfigError
from service.database import create_pool, migrate_database, running_database
from service.embedded_db import EmbeddedDatabaseError
from service.i18n import LocaleSettings
from service.migrations import MigrationError
from service.workflows.cycles import load_cycle_definition


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "load-cycle",
        help="load a budget cycle from a TOML (or JSON) file",
        description="Validate a cycle file (docs/cycle-file.md) and load it in one transaction.",
    )
    parser.add_argument("file", type=Path, help="the cycle file, e.g. docs/examples/opp-2018.toml")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace an existing cycle with the same slug (only before voting opens and "
        "while it has no proposals)",
    )
    parser.add_argument(
        "--check", action="store_true", help="only validate the file; change nothing"
    )
    parser.set_defaults(func=run)


def read_definition(path: Path, default_language: str = "en") -> CycleDefinition:
    """Read and validate a cycle file; CycleFileInvalid lists every problem."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CycleFileInvalid([_problem(f"cannot read the file: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CycleFileInvalid(
            [_problem(f"line {line}: the file is not UTF-8 text (byte {error.start})")]
        ) from None
    return parse_cycle_file(
        text,
        json_format=path.suffix.lower() == ".json",
        default_language=default_language,
    )


def _problem(message: str) -> Problem:
    return Problem("file", message)


def run(args: argparse.Namespace) -> int:
    try:
        default_language = LocaleSettings.from_env().default_locale
    except ConfigError as error:
        return fail(str(error))
    try:
        definition = read_definition(args.file, default_language)
    except CycleFileInvalid as invalid:
        print(f"civica: {args.file} is not a valid cycle file:", file=sys.stderr)
        for problem in invalid.problems:
            print(f"  {problem.field}: {problem.message}", file=sys.stderr)
        return 1
    scopes = len(definition.scopes)
    if args.check:
        print(f"{args.file}: valid cycle {definition.settings.slug!r} with {scopes} scope(s)")
        return 0
    settings = settings_from(args)
    try:
        with running_database(settings) as ready:
            assert ready.database_url is not None
            asyncio.run(migrate_database(ready.database_url))
            replaced = asyncio.run(_load(ready.database_url, definition, args.replace))
    except (MigrationError, EmbeddedDatabaseError) as error:
        return fail(str(error))
    except ProposalsError as error:
        return fail(error.message)
    verb = "replaced" if replaced else "loaded"
    print(f"{verb} cycle {definition.settings.slug!r} with {scopes} scope(s)")
    return 0


async def _load(url: str, definition: CycleDefinition, replace: bool) -> bool:
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        _cycle, replaced = await load_cycle_definition(
            pool, CLI_ACTOR, definition, replace_existing=replace
        )
        return replaced
    finally:
        await pool.close()
