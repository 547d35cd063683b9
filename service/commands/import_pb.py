"""`civica import-pb FILE.pb`: load a pabulib file as a cycle; replay its ballots; close it.

- without options: the cycle, its one scope and its projects (on the final list), voting a week
  from now;
- `--replay`: the voting phase begins now (a recorded phase change) and every ballot of the
  file is cast through the real cast path, for synthetic voters (docs/pabulib.md);
- `--close`: the voting phase ends now and the cycle is closed: its election record and
  results are published.

Every step can run again: the same file under the same slug is not imported twice, voters who
already voted are skipped, and a closed cycle stays as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg

from ballots.errors import VotingError
from ballots.pabulib import PabulibFile, PabulibFormatError, parse_pabulib
from proposals import repository as store
from proposals.errors import ProposalsError
from proposals.pabulib_cycle import (
    PabulibCycle,
    cycle_from_pabulib,
    default_slug,
    source_outcome,
)
from proposals.phases import Phase
from proposals.validation import SLUG
from service.audit import CLI_ACTOR
from service.commands.common import settings_from
from service.config import Settings
from service.database import create_pool, migrate_database, running_database
from service.embedded_db import EmbeddedDatabaseError
from service.keys import DeploymentKeys, KeyFileError, load_or_create_keys
from service.migrations import MigrationError
from service.template_helpers import IMPORT_REASON_IDS
from service.workflows.closing import close_cycle, end_voting_and_close
from service.workflows.cycles import change_phase
from service.workflows.imports import (
    ImportedCycle,
    ReplayReport,
    file_digest,
    import_pabulib,
    replay_ballots,
)
from verification.tallying import tally_scope

Say = Callable[[str], None]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import-pb",
        help="load a pabulib .pb file as a cycle, replay its ballots, close it",
        description="Load a pabulib .pb file as a budget cycle with one scope (money in cents,"
        " the file's rule where civica implements it). --replay casts every ballot through the"
        " real cast path; --close ends voting and publishes the election record.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.pb", help="a pabulib file")
    parser.add_argument("--slug", help="the cycle's short name (default: from the file name)")
    parser.add_argument("--name", help="the cycle's name (default: the file's description)")
    parser.add_argument(
        "--replay", action="store_true", help="open voting now and cast the file's ballots"
    )
    parser.add_argument(
        "--close", action="store_true", help="end voting now and publish the record and results"
    )
    parser.add_argument(
        "--workers", type=int, default=4, metavar="N", help="ballots cast at once (default 4)"
    )
    parser.set_defaults(func=run)


class ImportFailed(Exception):
    """The file cannot be imported; the message says why (exit status 2)."""


@dataclass(frozen=True)
class ImportSummary:
    imported: ImportedCycle
    plan: PabulibCycle
    replay: ReplayReport | None
    closed: bool


def read_file(path: Path) -> tuple[PabulibFile, bytes]:
    """Read and parse a `.pb` file; ImportFailed says what is wrong, with the line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFailed(f"{path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(f"{path}: not UTF-8 text (byte {error.start})") from None
    try:
        return parse_pabulib(text), data
    except PabulibFormatError as error:
        raise ImportFailed(f"{path}: {error}") from None


def plan_import(
    pb: PabulibFile, path: Path, slug: str | None, name: str | None, today: date
) -> PabulibCycle:
    """The cycle the file becomes; ImportFailed if civica cannot take it."""
    chosen = slug or default_slug(path.stem)
    if not SLUG.match(chosen):
        raise ImportFailed(f"--slug {chosen!r}: use 1 to 63 lower-case letters, digits, hyphens")
    try:
        return cycle_from_pabulib(pb, slug=chosen, source_name=path.name, today=today, name=name)
    except ProposalsError as error:
        raise ImportFailed(f"{path}: {error.message}") from None


async def import_file(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    path: Path,
    *,
    slug: str | None = None,
    name: str | None = None,
    replay: bool = False,
    close: bool = False,
    workers: int = 8,
    actor: str = CLI_ACTOR,
    say: Say = print,
) -> ImportSummary:
    """Import, replay and close as asked, telling `say` what happens; ImportFailed otherwise."""
    pb, data = read_file(path)
    plan = plan_import(pb, path, slug, name, datetime.now(UTC).date())
    try:
        imported = await import_pabulib(
            pool, actor, plan, pb, source_name=path.name, source_sha256=file_digest(data)
        )
    except ProposalsError as error:
        raise ImportFailed(error.message) from None
    slug = imported.cycle.slug
    verb = "imported" if imported.created else "already imported"
    say(
        f"{path.name}: {verb} as cycle {slug!r}: {len(plan.projects)} projects,"
        f" {len(plan.ballots)} ballots, rule {plan.rule.describe()}"
    )
    for note in plan.notes:
        say(f"  note: {note}")
    if plan.skipped:
        say(f"  {len(plan.skipped)} voter(s) cannot be replayed: {plan.skipped[0][1]} (e.g.)")
    say("  " + _agreement(pb, plan, imported))
    report = None
    if replay:
        report = await _replay(pool, settings, keys, imported, plan, path, workers, actor, say)
    closed = False
    if close:
        closed = await _close(pool, settings, keys, slug, path, actor, say)
    return ImportSummary(imported, plan, report, closed)


def _agreement(pb: PabulibFile, plan: PabulibCycle, imported: ImportedCycle) -> str:
    """Whether the rule civica publishes picks, from the file's ballots, the file's winners."""
    expected = source_outcome(pb, plan.rule).winners
    ids = imported.project_ids
    costs = {p.source_id: p.cost_cents for p in plan.projects}
    predicted = tally_scope(
        plan.rule.as_dict(),
        sorted((ids[source], costs[source]) for source in ids),
        plan.scope.budget_cents,
        [tuple(sorted((ids[p], v) for p, v in b.selections.items())) for b in plan.ballots],
    ).winners
    by_civica = {civica: source for source, civica in ids.items()}
    named = [by_civica[w] for w in predicted]
    if named == list(expected):
        return f"check: civica's rule selects the file's winners {named} (in cents, same order)"
    return (
        f"WARNING: the file's own rule selects {list(expected)}, civica's published rule would"
        f" select {named} (see the notes above)"
    )


async def _replay(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    imported: ImportedCycle,
    plan: PabulibCycle,
    path: Path,
    workers: int,
    actor: str,
    say: Say,
) -> ReplayReport | None:
    cycle = await store.fetch_cycle(pool, imported.cycle.slug)
    phase = cycle.phase_at(datetime.now(UTC))
    if phase is Phase.RESULTS:
        say("  voting has ended in this cycle: nothing replayed")
        return None
    if phase is not Phase.VOTING:
        try:
            await change_phase(
                pool,
                actor,
                None,
                cycle.slug,
                kind="advance",
                reason=IMPORT_REASON_IDS[0].format(file=path.name),
            )
        except ProposalsError as error:
            raise ImportFailed(error.message) from None
    try:
        report = await replay_ballots(pool, settings, keys, imported, plan.ballots, workers=workers)
    except (ProposalsError, VotingError) as error:
        raise ImportFailed(str(error)) from None
    rate = report.cast / report.seconds if report.seconds else 0.0
    say(
        f"  replayed: {report.cast} cast, {report.already_cast} cast before,"
        f" {len(report.refused)} refused, in {report.seconds:.1f} s ({rate:.0f} ballots/s)"
    )
    for voter_id, why in report.refused[:5]:
        say(f"    refused: voter {voter_id}: {why}")
    return report


async def _close(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    slug: str,
    path: Path,
    actor: str,
    say: Say,
) -> bool:
    cycle = await store.fetch_cycle(pool, slug)
    phase = cycle.phase_at(datetime.now(UTC))
    try:
        if phase is Phase.VOTING:
            closed = await end_voting_and_close(
                pool,
                settings,
                keys,
                slug,
                actor=actor,
                staff_id=None,
                reason=IMPORT_REASON_IDS[1].format(file=path.name),
            )
        elif phase is Phase.RESULTS:
            closed = await close_cycle(pool, settings, keys, slug, actor=actor)
        else:
            raise ImportFailed(f"cycle {slug!r}: voting has not opened; use --replay first")
    except (ProposalsError, VotingError) as error:
        raise ImportFailed(str(error)) from None
    say(f"  closed: {closed.size} board entries; record and results published")
    return True


def run(args: argparse.Namespace) -> int:
    """Import the file; a bad file or a refused step gives one line on stderr and status 2."""
    try:
        pb, _data = read_file(args.file)
        plan_import(pb, args.file, args.slug, args.name, datetime.now(UTC).date())
    except ImportFailed as error:
        print(f"civica import-pb: {error}", file=sys.stderr)
        return 2
    settings = settings_from(args)
    try:
        keys = load_or_create_keys(settings.data_dir)
        with running_database(settings) as ready:
            assert ready.database_url is not None
            asyncio.run(migrate_database(ready.database_url))
            summary = asyncio.run(_run(ready, keys, args))
    except (MigrationError, EmbeddedDatabaseError, KeyFileError) as error:
        print(f"civica import-pb: {error}", file=sys.stderr)
        return 1
    except ImportFailed as error:
        print(f"civica import-pb: {error}", file=sys.stderr)
        return 2
    slug = summary.imported.cycle.slug
    print(f"  cycle page: /cycles/{slug}")
    if summary.closed:
        print(f"  results: /cycles/{slug}/results   record: /cycles/{slug}/record/")
    return 0


async def _run(settings: Settings, keys: DeploymentKeys, args: argparse.Namespace) -> ImportSummary:
    assert settings.database_url is not None
    pool = await create_pool(settings.database_url, min_size=1, max_size=max(2, args.workers + 1))
    try:
        return await import_file(
            pool,
            settings,
            keys,
            args.file,
            slug=args.slug,
            name=args.name,
            replay=args.replay,
            close=args.close,
            workers=args.workers,
        )
    finally:
        await pool.close()
