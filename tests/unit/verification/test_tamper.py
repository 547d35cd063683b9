"""Every committed vector is verified as an outside observer would: tampered records are
reported with their findings, clean ones verify.

A vector is a folder under tests/vectors/ with the record files, an `expected.json`
({"description", "findings": [check names]}) and optionally a voter's `receipt.json`. Most are
written by tests/vectors/generate.py; any other folder of that shape is tested the same way.
"""

import json
from pathlib import Path

import pytest

from tests.vectors.generate import ATTACKS, generate
from verification.verifier import ReceiptInput, verify_record

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
ALL = sorted(path.parent.name for path in VECTORS.glob("*/expected.json"))


def _expected(name: str) -> list[str]:
    findings: list[str] = json.loads((VECTORS / name / "expected.json").read_text())["findings"]
    return findings


def _receipts(folder: Path) -> list[ReceiptInput]:
    path = folder / "receipt.json"
    if not path.exists():
        return []
    return [ReceiptInput(path.name, json.loads(path.read_text()))]


@pytest.mark.parametrize("name", [name for name in ALL if _expected(name)])
def test_tampered_record_is_reported(name: str) -> None:
    folder = VECTORS / name
    report = verify_record(str(folder), receipts=_receipts(folder))
    found = {finding.check for finding in report.findings}
    assert not report.ok
    assert report.exit_status == 1
    assert set(_expected(name)) <= found, f"{name}: expected {_expected(name)}, found {found}"


@pytest.mark.parametrize("name", [name for name in ALL if not _expected(name)])
def test_clean_record_verifies(name: str) -> None:
    folder = VECTORS / name
    report = verify_record(str(folder), receipts=_receipts(folder))
    assert report.findings == []
    assert report.ok
    assert report.exit_status == 0


def test_every_attack_of_the_issue_has_a_vector() -> None:
    attacks = {
        "ballot_dropped",
        "ballot_content_altered",
        "entry_replaced",
        "entries_swapped",
        "entry_duplicated",
        "entry_injected",
        "checkpoint_signature_forged",
        "split_view_same_size",
        "split_view_inconsistent",
        "count_altered",
        "winners_altered",
        "manifest_cost_altered",
        "manifest_budget_altered",
        "sealing_key_replaced",
        "receipt_entry_absent",
        "receipt_wrong_key",
    }
    assert attacks <= set(ALL)
    assert {"clean", "worked_example"} <= set(ALL)


def test_the_generator_reproduces_the_committed_vectors(tmp_path: Path) -> None:
    generate(tmp_path)
    for name in ["clean", "worked_example", *ATTACKS]:
        for path in sorted((VECTORS / name).iterdir()):
            regenerated = tmp_path / name / path.name
            assert regenerated.read_bytes() == path.read_bytes(), f"{name}/{path.name} differs"
    assert (tmp_path / "README.md").read_bytes() == (VECTORS / "README.md").read_bytes()
