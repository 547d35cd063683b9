"""The `civica` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from types import ModuleType

from service.commands import (
    demo,
    import_census,
    import_pb,
    issue_credential,
    load_cycle,
    migrate,
    serve,
    tally,
    verifier_bundle,
    verify,
)

COMMANDS: tuple[ModuleType, ...] = (
    serve,
    demo,
    migrate,
    load_cycle,
    import_census,
    import_pb,
    issue_credential,
    tally,
    verify,
    verifier_bundle,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="civica",
        description="Participatory budgeting with sealed ballots and verifiable results.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
