"""The tally benchmark runs, and reports civica and pabutools agreeing, on the smallest file."""

import time

import pytest

from bench import tally as bench_tally
from tests.unit.ballots.shared_files import needs_files


@needs_files
def test_benchmark_prints_a_row_per_rule_with_the_same_winners(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rules = ["greedy", "greedy-stop", "mes-none", "mes-card-none"]
    argv = ["--files", "Assen", "--rules", *rules, "--repeat", "1", "--min-seconds", "0"]
    assert bench_tally.main(argv) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "Assen_2024 |" in line]
    table = [row for row in rows if any(f"| {rule} |" in row for rule in rules)]
    assert [row.split(" | ")[1] for row in table] == rules
    for row in table:
        if "greedy-stop" in row:
            assert "n/a" in row  # pabutools has no greedy that stops at the first misfit
        else:
            assert row.endswith("| yes |")


def test_fast_rules_are_timed_over_many_runs_and_slow_ones_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    def fast() -> int:
        calls.append(1)
        return len(calls)

    times, last = bench_tally.timed_runs(fast, repeat=3, min_seconds=0.01)
    assert len(times) == len(calls) == last
    assert 3 <= last <= bench_tally.MAX_RUNS
    assert sum(times) >= 0.01 or last == bench_tally.MAX_RUNS

    def at_least(seconds: float) -> None:
        started = time.process_time()
        while time.process_time() - started <= seconds:
            pass

    times, _ = bench_tally.timed_runs(lambda: at_least(0.02), repeat=5, min_seconds=0.0)
    assert len(times) == 5  # the least number of runs asked for, no more
    monkeypatch.setattr(bench_tally, "SLOW_CIVICA_SECONDS", 0.01)
    times, _ = bench_tally.timed_runs(lambda: at_least(0.02), repeat=5, min_seconds=1.0)
    assert len(times) == 1  # a slow rule runs once
