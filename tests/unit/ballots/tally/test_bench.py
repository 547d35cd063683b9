"""The tally benchmark runs, and reports civica and pabutools agreeing, on the smallest file."""

import pytest

from bench import tally as bench_tally
from tests.unit.ballots.shared_files import needs_files


@needs_files
def test_benchmark_prints_a_row_per_rule_with_the_same_winners(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rules = ["greedy", "greedy-stop", "mes-none", "mes-card-none"]
    argv = ["--files", "Assen", "--rules", *rules, "--repeat", "1", "--pabutools-timeout", "60"]
    assert bench_tally.main(argv) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "Assen_2024 |" in line]
    table = [row for row in rows if any(f"| {rule} |" in row for rule in rules)]
    assert [row.split(" | ")[1] for row in table] == rules
    for row in table:
        if "greedy-stop" in row:
            assert "n/a" in row  # pabutools has no greedy that stops at the first misfit
        else:
            assert row.endswith("| yes |")
