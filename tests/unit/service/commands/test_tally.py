import argparse
import json
from pathlib import Path

import pytest

from service.commands import tally as tally_command

PB = "\n".join(
    [
        "META",
        "key;value",
        "description;test",
        "budget;100",
        "vote_type;approval",
        "currency;EUR",
        "PROJECTS",
        "project_id;cost",
        "X;60",
        "Y;40",
        "Z;50",
        "VOTES",
        "voter_id;vote",
        "1;X,Z",
        "2;X,Z",
        "3;X",
        "4;Y",
        "",
    ]
)


def civica(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="civica")
    subparsers = parser.add_subparsers(dest="command", required=True)
    tally_command.add_parser(subparsers)
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status


@pytest.fixture
def election(tmp_path: Path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(PB, encoding="utf-8")
    return path


def test_json_output(election: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert civica("tally", str(election), "--rule", "mes", "--completion", "none", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["winners"] == ["X"]
    assert result["total_cost"] == 60
    assert result["rule"] == {
        "rule": "mes",
        "completion": "none",
        "utilities": "cost",
        "min_votes": 0,
        "tie_break": "cost-then-id",
    }
    assert result["votes"] == {"X": 3, "Y": 1, "Z": 2}


@pytest.mark.parametrize(
    ("options", "winners"),
    [
        (["--rule", "greedy"], ["X", "Y"]),
        (["--rule", "greedy-stop"], ["X"]),
        (["--rule", "greedy", "--min-votes", "2"], ["X"]),
        (["--rule", "mes", "--completion", "add1"], ["X", "Y"]),
        (["--rule", "mes", "--tie-break", "lexico"], ["X", "Y"]),
        (["--rule", "mes", "--tie-break", "seeded", "--seed", "abc"], ["X", "Y"]),
    ],
)
def test_rules_and_options(
    election: Path, capsys: pytest.CaptureFixture[str], options: list[str], winners: list[str]
) -> None:
    assert civica("tally", str(election), *options, "--json") == 0
    assert json.loads(capsys.readouterr().out)["winners"] == winners


def test_readable_table(election: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert civica("tally", str(election), "--rule", "greedy") == 0
    out = capsys.readouterr().out
    assert "rule: greedy min-votes=0 tie-break=cost-then-id" in out
    assert "winners: 2 projects, total cost 100 of 100 (100.0%)" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PB.replace("Y;40", "Y;forty"), "line 10: cost of project 'Y'"),
        (PB.replace("4;Y", "4;W"), "line 17: vote of voter '4' names unknown project 'W'"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, message: str
) -> None:
    path = tmp_path / "bad.pb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert civica("tally", str(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_missing_file_and_bad_options_exit_2(
    election: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert civica("tally", str(election.with_name("absent.pb"))) == 2
    assert "No such file" in capsys.readouterr().err
    assert civica("tally", str(election), "--rule", "greedy", "--completion", "add1") == 2
    assert "takes no completion" in capsys.readouterr().err
    assert civica("tally", str(election), "--tie-break", "seeded") == 2
    assert "seed" in capsys.readouterr().err
    assert civica("tally", str(election), "--min-votes", "-1") == 2
