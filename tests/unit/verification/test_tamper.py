"""Every committed tamper vector is reported with its finding; the clean records verify.

The vectors are files under tests/vectors/<attack>/ (see tests/vectors/generate.py and
expected.json); these tests verify the committed files, as an outside observer would.
"""

import json
from pathlib import Path

import pytest

from tests.vectors.generate import generate
from verification.verifier import ReceiptInput, verify_record

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
EXPECTED: dict[str, list[str]] = json.loads((VECTORS / "expected.json").read_text())


def _receipts(folder: Path) -> list[ReceiptInput]:
    path = folder / "receipt.json"
    if not path.exists():
        return []
    return [ReceiptInput(path.name, json.loads(path.read_text()))]


@pytest.mark.parametrize("name", sorted(name for name, checks in EXPECTED.items() if checks))
def test_tampered_record_is_reported(name: str) -> None:
    folder = VECTORS / name
    report = verify_record(str(folder), receipts=_receipts(folder))
    found = {finding.check for finding in report.findings}
    assert not report.ok
    assert report.exit_status == 1
    assert set(EXPECTED[name]) <= found, f"{name}: expected {EXPECTED[name]}, found {found}"


@pytest.mark.parametrize("name", sorted(name for name, checks in EXPECTED.items() if not checks))
def test_clean_record_verifies(name: str) -> None:
    folder = VECTORS / name
    report = verify_record(str(folder), receipts=_receipts(folder))
    assert report.findings == []
    assert report.ok
    assert report.exit_status == 0
    assert report.counts["receipts"] == 1


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
    assert attacks <= set(EXPECTED)
    assert all((VECTORS / name / "manifest.json").exists() for name in EXPECTED)


def test_the_generator_reproduces_the_committed_vectors(tmp_path: Path) -> None:
    generate(tmp_path)
    for name in EXPECTED:
        for path in sorted((VECTORS / name).iterdir()):
            regenerated = tmp_path / name / path.name
            assert regenerated.read_bytes() == path.read_bytes(), f"{name}/{path.name} differs"
    assert (tmp_path / "expected.json").read_bytes() == (VECTORS / "expected.json").read_bytes()
