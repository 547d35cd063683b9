"""Time civica's tally rules against pabutools on the shared pabulib files.

    python -m bench.tally                      # every file, every rule
    python -m bench.tally --files Assen Lodz --rules mes-add1 --pabutools-timeout 120

For each (file, rule), civica runs `--repeat` times in this process and pabutools `--repeat`
times in a subprocess that is killed after `--pabutools-timeout` seconds of wall time ("> N s");
each reports the median of its runs. A rule slower than 5 s runs once, so a first run that warms
caches counts for pabutools' fast rules no more than for civica's; a rule that takes
milliseconds runs until its runs add up to `--min-seconds` (at most 1000 runs), on both sides
alike, since a median of three runs of a tenth of a millisecond moves by a factor of 2 between
benchmark runs on a shared machine. Times are CPU seconds of the process (`time.process_time`),
so that other load on the machine disturbs them less; both time the rule only (parsing is
reported apart). Winner sets are compared; the whole run stops starting new measurements after
`--max-minutes`.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ballots.pabulib import PabulibFile, read_pabulib
from ballots.tally import TallyRule, TieBreak, tally

ROOT = Path(__file__).resolve().parents[1]
PABULIB = ROOT.parent / "shared" / "pabulib"
LEXICO = TieBreak("lexico")
RULES: dict[str, TallyRule] = {
    "greedy": TallyRule("greedy", tie_break=LEXICO),
    "greedy-stop": TallyRule("greedy-stop", tie_break=LEXICO),
    "mes-none": TallyRule("mes", completion="none", tie_break=LEXICO),
    "mes-add1": TallyRule("mes", completion="add1", tie_break=LEXICO),
    "mes-add1-greedy": TallyRule("mes", completion="add1-greedy", tie_break=LEXICO),
    "mes-add1-nostop": TallyRule("mes", completion="add1-nostop", tie_break=LEXICO),
    "mes-card-none": TallyRule("mes", completion="none", utilities="cardinality", tie_break=LEXICO),
    "mes-card-add1": TallyRule("mes", completion="add1", utilities="cardinality", tie_break=LEXICO),
    "mes-card-add1-nostop": TallyRule(
        "mes", completion="add1-nostop", utilities="cardinality", tie_break=LEXICO
    ),
}
DEFAULT_RULES = [name for name in RULES if "-card" not in name]
"""MES with cardinality utilities (an option of the rule) is measured when asked by name."""
T = TypeVar("T")
SLOW_CIVICA_SECONDS = 5.0
"""A run slower than this is not repeated."""
MAX_RUNS = 1000


@dataclass(frozen=True)
class Measurement:
    file: str
    rule: str
    civica: float
    civica_runs: int
    pabutools: float | None
    pabutools_timed_out: bool
    agree: bool | None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    args = _parser().parse_args(argv)
    if args.pabutools_worker:
        file, rule_name, repeat, min_seconds = args.pabutools_worker
        return _pabutools_worker(file, rule_name, int(repeat), float(min_seconds))
    files = shared_files(args.files)
    rules = args.rules or DEFAULT_RULES
    deadline = time.monotonic() + 60 * args.max_minutes
    python = platform.python_version()
    print(f"machine: {platform.platform()}, {platform.processor() or 'cpu'}, Python {python}")
    print(
        f"command: python -m bench.tally {' '.join(argv if argv is not None else sys.argv[1:])}\n"
    )
    _print_read_times(files)
    print("| file | rule | civica (median) | pabutools | ratio | same winners |")
    print("|---|---|---:|---:|---:|---|")
    for path in files:
        pb = read_pabulib(path)
        for rule_name in rules:
            if time.monotonic() > deadline:
                print(f"\nstopped: --max-minutes {args.max_minutes} reached")
                return 0
            measurement = _measure(
                path, pb, rule_name, args.repeat, args.min_seconds, args.pabutools_timeout
            )
            print(_row(measurement), flush=True)
    return 0


def shared_files(parts: Sequence[str] | None) -> list[Path]:
    """The shared .pb files whose names contain one of `parts` (any case), or all of them."""
    return sorted(
        path
        for path in PABULIB.glob("*.pb")
        if not parts or any(part.lower() in path.name.lower() for part in parts)
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", nargs="*", help="substrings of file names (default: all)")
    parser.add_argument(
        "--rules", nargs="*", choices=list(RULES), help="default: all with cost utilities"
    )
    parser.add_argument("--repeat", type=int, default=3, help="least runs per measurement")
    parser.add_argument(
        "--min-seconds", type=float, default=0.5, help="least CPU time of a measurement's runs"
    )
    parser.add_argument("--pabutools-timeout", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--max-minutes", type=float, default=15.0)
    parser.add_argument(
        "--pabutools-worker",
        nargs=4,
        metavar=("FILE", "RULE", "REPEAT", "MIN_SECONDS"),
        help=argparse.SUPPRESS,
    )
    return parser


def _print_read_times(files: Sequence[Path]) -> None:
    print("| file | voters | projects | read (civica) |")
    print("|---|---:|---:|---:|")
    for path in files:
        started = time.process_time()
        pb = read_pabulib(path)
        seconds = time.process_time() - started
        print(f"| {path.stem} | {len(pb.votes)} | {len(pb.projects)} | {seconds:.2f} s |")
    print()


def _measure(
    path: Path, pb: PabulibFile, rule_name: str, repeat: int, min_seconds: float, timeout: float
) -> Measurement:
    projects, ballots, budget = pb.tally_projects(), pb.tally_ballots(), pb.budget
    times, outcome = timed_runs(
        lambda: tally(projects, budget, ballots, RULES[rule_name]), repeat, min_seconds
    )
    winners = set(outcome.winners)
    median = statistics.median(times)
    if rule_name == "greedy-stop":
        return Measurement(path.stem, rule_name, median, len(times), None, False, None)
    reference = _run_pabutools(path, rule_name, repeat, min_seconds, timeout)
    if reference is None:
        return Measurement(path.stem, rule_name, median, len(times), timeout, True, None)
    seconds, reference_winners = reference
    agree = reference_winners == winners
    return Measurement(path.stem, rule_name, median, len(times), seconds, False, agree)


def _run_pabutools(
    path: Path, rule_name: str, repeat: int, min_seconds: float, timeout: float
) -> tuple[float, set[str]] | None:
    """pabutools' median time and winners, or None if it was killed after `timeout` seconds."""
    command = [
        sys.executable, "-m", "bench.tally", "--pabutools-worker",
        str(path), rule_name, str(repeat), str(min_seconds),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=True
        )
    except subprocess.TimeoutExpired:
        return None
    result = json.loads(done.stdout)
    return float(result["seconds"]), set(result["winners"])


def _time(seconds: float) -> str:
    """Seconds, or milliseconds below a tenth of a second (where "0.00 s" would say nothing),
    with three decimals below one millisecond and two below ten (0.071 ms, 2.04 ms)."""
    if seconds < 0.001:
        return f"{seconds * 1000:.3f} ms"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds:.2f} s"


def _row(m: Measurement) -> str:
    civica = _time(m.civica) + ("" if m.civica_runs > 1 else " (1 run)")
    if m.pabutools is None:
        return f"| {m.file} | {m.rule} | {civica} | n/a | | |"
    ratio = _ratio(m.pabutools / m.civica)
    if m.pabutools_timed_out:
        return f"| {m.file} | {m.rule} | {civica} | > {m.pabutools:.0f} s | > {ratio} | |"
    same = "yes" if m.agree else "**no**"
    return f"| {m.file} | {m.rule} | {civica} | {_time(m.pabutools)} | {ratio} | {same} |"


def _ratio(ratio: float) -> str:
    """With one decimal below 100 (a ratio near 10 rounded to "10×" would hide 9.6)."""
    return f"{ratio:.1f}×" if ratio < 100 else f"{ratio:.0f}×"


def timed_runs(compute: Callable[[], T], repeat: int, min_seconds: float) -> tuple[list[float], T]:
    """CPU seconds of each run of `compute`, and its last result: at least `repeat` runs (one if
    a run takes more than `SLOW_CIVICA_SECONDS`), more while they add up to less than
    `min_seconds`, at most `MAX_RUNS`."""
    times: list[float] = []
    while True:
        started = time.process_time()
        result = compute()
        times.append(time.process_time() - started)
        if times[-1] > SLOW_CIVICA_SECONDS or len(times) >= MAX_RUNS:
            return times, result
        if len(times) >= repeat and sum(times) >= min_seconds:
            return times, result


def _pabutools_worker(file: str, rule_name: str, repeat: int, min_seconds: float) -> int:
    """Run one rule with pabutools and print its winners and its median time as JSON."""
    from bench import pabutools_rules

    instance, profile = pabutools_rules.load(file)
    compute: Callable[[], Any] = pabutools_rules.RULES[rule_name](instance, profile)
    times, outcome = timed_runs(compute, repeat, min_seconds)
    winners = sorted(p.name for p in outcome)
    print(json.dumps({"seconds": statistics.median(times), "winners": winners}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
