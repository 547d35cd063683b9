"""`civica tally FILE.pb`: run a tally rule on a pabulib file and print the winners."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ballots.pabulib import PabulibFile, PabulibFormatError, read_pabulib
from ballots.tally import (
    COMPLETIONS,
    RULES,
    TIE_BREAKS,
    UTILITIES,
    Outcome,
    TallyError,
    TallyRule,
    TieBreak,
    tally,
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "tally",
        help="run a tally rule on a pabulib .pb file",
        description="Run a tally rule on a pabulib .pb file. Cumulative ballots count by points;"
        " choose-1 and ordinal ballots count as approvals of the projects they name.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.pb", help="a pabulib file")
    parser.add_argument(
        "--rule",
        choices=RULES,
        default="mes",
        help="greedy: most votes first, skip what does not fit; greedy-stop: stop at the first"
        " project that does not fit; mes: Method of Equal Shares (default)",
    )
    parser.add_argument(
        "--min-votes",
        type=int,
        default=0,
        metavar="N",
        help="projects with fewer votes (points, for cumulative ballots) are not eligible",
    )
    parser.add_argument("--completion", choices=COMPLETIONS, help="mes only (default: add1-greedy)")
    parser.add_argument("--utilities", choices=UTILITIES, help="mes only (default: cost)")
    parser.add_argument(
        "--add1-step",
        type=int,
        default=1,
        metavar="N",
        help="mes with an add1 completion: money units added to every voter's budget per step"
        " (default 1)",
    )
    parser.add_argument(
        "--tie-break",
        choices=TIE_BREAKS,
        default="cost-then-id",
        help="lexico: ids as strings (pabutools' default); cost-then-id: lower cost, then id"
        " (civica's default); seeded: SHA-256 of --seed and the id",
    )
    parser.add_argument("--seed", help="the published seed of the seeded tie-break")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Tally the file; a bad file or bad options give one line on stderr and status 2."""
    try:
        rule = TallyRule(
            rule=args.rule,
            completion=args.completion,
            utilities=args.utilities,
            min_votes=args.min_votes,
            tie_break=TieBreak.parse(args.tie_break, args.seed),
            add1_step=args.add1_step,
        )
    except TallyError as error:
        print(f"civica tally: {error}", file=sys.stderr)
        return 2
    try:
        pb = read_pabulib(args.file)
        outcome = tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), rule)
    except (OSError, UnicodeDecodeError, PabulibFormatError, TallyError) as error:
        print(f"civica tally: {args.file}: {_reason(error)}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"file": str(args.file), **outcome.as_dict()}, ensure_ascii=False))
    else:
        print(_table(args.file, pb, outcome))
    return 0


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text ({error.reason} at byte {error.start})"
    return str(error)


def _table(path: Path, pb: PabulibFile, outcome: Outcome) -> str:
    currency = pb.meta.get("currency", "")
    lines = [
        f"{path.name}: {len(pb.projects)} projects, {len(pb.votes)} ballots"
        f" ({pb.vote_type}), budget {outcome.budget} {currency}".rstrip(),
        f"rule: {outcome.rule.describe()}",
    ]
    if outcome.voter_budget is not None:
        hundredths = outcome.voter_budget.numerator * 100 // outcome.voter_budget.denominator
        lines.append(
            f"MES per-voter budget: {outcome.voter_budget}"
            f" (about {hundredths // 100}.{hundredths % 100:02d})"
        )
    order = {pid: position for position, pid in enumerate(outcome.winners, start=1)}
    added = set(outcome.added_by_completion)
    points = pb.vote_type == "cumulative"
    rows = [("#", "project", "cost", "votes", *(("points",) if points else ()), "selected")]
    ranked = sorted(
        pb.projects,
        key=lambda p: (
            p.project_id not in order,
            order.get(p.project_id, 0),
            -outcome.scores[p.project_id],
        ),
    )
    for project in ranked:
        pid = project.project_id
        selected = "" if pid not in order else "yes (greedy)" if pid in added else "yes"
        rows.append(
            (
                str(order.get(pid, "")),
                pid,
                str(project.cost),
                str(outcome.votes[pid]),
                *((str(outcome.scores[pid]),) if points else ()),
                selected,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.ljust(width) if i in (1, len(row) - 1) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    share = 100 * outcome.total_cost / outcome.budget if outcome.budget else 0.0
    lines.append(
        f"winners: {len(outcome.winners)} projects, total cost {outcome.total_cost}"
        f" of {outcome.budget} ({share:.1f}%)"
    )
    return "\n".join(lines)
