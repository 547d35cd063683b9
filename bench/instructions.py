"""Count the CPU instructions of one tally, civica's and pabutools', under valgrind's callgrind.

    python -m bench.instructions --files Assen Czestochowa --rules greedy mes-none

On the smallest shared files both implementations take a millisecond or less, and their times
move by a factor of 2 from run to run on a shared machine; instruction counts do not (they
repeat to within a few instructions). For each (file, rule), a worker process reads the file,
runs the rule once to warm up, then `--calls` more times; the same worker with no further calls
is counted too, and the difference divided by `--calls` is the count per call. Needs valgrind
(Debian package `valgrind`); under it a rule runs about 50 times slower, so this is for the
rules that take milliseconds (pabutools' counts still vary by about 10% between batches of
calls, by its garbage collection; civica's by a few instructions).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.tally import DEFAULT_RULES, ROOT, RULES, shared_files

_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def main(argv: Sequence[str] | None = None) -> int:
    """Print a Markdown table of instructions per tally call."""
    args = _parser().parse_args(argv)
    if args.worker:
        side, file, rule_name, calls = args.worker
        return _worker(side, file, rule_name, int(calls))
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install -y valgrind)", file=sys.stderr)
        return 2
    files = shared_files(args.files)
    print(f"command: python -m bench.instructions {' '.join(argv or sys.argv[1:])}\n")
    print("| file | rule | civica (instructions) | pabutools | ratio |")
    print("|---|---|---:|---:|---:|")
    for path in files:
        for rule_name in args.rules or DEFAULT_RULES:
            ours = _per_call("civica", path, rule_name, args.calls)
            if rule_name == "greedy-stop":
                print(f"| {path.stem} | {rule_name} | {ours / 1e6:.2f} M | n/a | |", flush=True)
                continue
            theirs = _per_call("pabutools", path, rule_name, args.calls)
            print(
                f"| {path.stem} | {rule_name} | {ours / 1e6:.2f} M | {theirs / 1e6:.2f} M "
                f"| {theirs / ours:.1f}× |",
                flush=True,
            )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", nargs="*", help="substrings of file names (default: all)")
    parser.add_argument("--rules", nargs="*", choices=list(RULES), help="default: as bench.tally")
    parser.add_argument("--calls", type=int, default=20, help="calls counted per side")
    parser.add_argument(
        "--worker", nargs=4, metavar=("SIDE", "FILE", "RULE", "CALLS"), help=argparse.SUPPRESS
    )
    return parser


def _per_call(side: str, path: Path, rule_name: str, calls: int) -> float:
    counts = [_count(side, path, rule_name, n) for n in (0, calls)]
    return (counts[1] - counts[0]) / calls


def _count(side: str, path: Path, rule_name: str, calls: int) -> int:
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, "-m", "bench.instructions",
        "--worker", side, str(path), rule_name, str(calls),
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env=environment, check=True
    )
    found = _COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _worker(side: str, file: str, rule_name: str, calls: int) -> int:
    compute: Callable[[], Any]
    if side == "civica":
        from ballots.pabulib import read_pabulib
        from ballots.tally import tally

        pb = read_pabulib(Path(file))
        projects, ballots, budget = pb.tally_projects(), pb.tally_ballots(), pb.budget
        rule = RULES[rule_name]

        def compute() -> Any:
            return tally(projects, budget, ballots, rule)
    else:
        from bench import pabutools_rules

        instance, profile = pabutools_rules.load(file)
        compute = pabutools_rules.RULES[rule_name](instance, profile)
    compute()
    for _ in range(calls):
        compute()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
