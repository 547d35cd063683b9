"""`civica verify` and `civica verify-receipt`: summaries, JSON reports and exit statuses."""

import json
from pathlib import Path

import pytest

from service.cli import main

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def test_a_clean_record_exits_0_with_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["verify", str(VECTORS / "clean")])
    out = capsys.readouterr().out
    assert status == 0
    assert "26 entries, 7 checkpoints, 4 scopes" in out
    assert "result       all 24 checks hold" in out


def test_findings_exit_1_and_name_what_they_concern(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["verify", str(VECTORS / "count_altered")])
    out = capsys.readouterr().out
    assert status == 1
    assert "result-votes [scope 1]: project 101: published 4 votes" in out
    assert "FAIL (1)   result-votes" in out


def test_json_reports_are_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    folder = VECTORS / "receipt_wrong_key"
    status = main(["verify", str(folder), "--json", "--receipt", str(folder / "receipt.json")])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["ok"] is False
    assert report["findings"] == [
        {
            "check": "receipt-signature",
            "message": "civica-receipt/1 signature does not verify with the log key: not a "
            "receipt of this cycle's log",
            "receipt": "receipt.json",
        }
    ]
    assert report["counts"]["entries"] == 26
    assert {"total", "decrypt"} <= set(report["timings_s"])


@pytest.mark.parametrize(
    "arguments",
    [
        ["verify", "/no/such/record"],
        ["verify", str(VECTORS / "clean"), "--receipt", "/no/such/receipt.json"],
        ["verify", str(VECTORS / "clean"), "--fingerprint", "abc"],
        ["verify-receipt", "/no/such/receipt.json", "--record", str(VECTORS / "clean")],
    ],
)
def test_unusable_input_exits_2(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(arguments) == 2
    assert "unusable input" in capsys.readouterr().err


def test_a_receipt_is_honoured(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "verify-receipt",
            str(VECTORS / "clean" / "receipt.json"),
            "--record",
            str(VECTORS / "clean"),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "receipt receipt.json: honoured" in out
    assert "entry 6 (short code " in out


def test_a_receipt_whose_entry_is_missing_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    folder = VECTORS / "receipt_entry_absent"
    status = main(["verify-receipt", str(folder / "receipt.json"), "--record", str(folder)])
    out = capsys.readouterr().out
    assert status == 1
    assert "evidence of misconduct" in out


def test_saved_checkpoints_are_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (VECTORS / "clean" / "checkpoints.jsonl").read_text().splitlines()
    as_json = tmp_path / "seen.json"
    as_json.write_text(lines[1])
    as_note = tmp_path / "seen.txt"
    as_note.write_text(json.loads(lines[3])["note"])
    arguments = ["verify", str(VECTORS / "clean"), "--checkpoint", str(as_json)]
    status = main([*arguments, "--checkpoint", str(as_note)])
    assert status == 0
    assert "2 observed checkpoints" in capsys.readouterr().out
    other = (VECTORS / "split_view_same_size" / "checkpoints.jsonl").read_text().splitlines()[2]
    (tmp_path / "other.json").write_text(other)
    status = main(["verify", str(VECTORS / "clean"), "--checkpoint", str(tmp_path / "other.json")])
    assert status == 1
    assert "other.json give two different roots for size 8: a split view" in capsys.readouterr().out
