"""The verifier's checks beyond the tamper vectors: malformed lines, limits, receipts, input."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from tests.support.election import OPENS_AT, TestElection, derive, rule, scope
from tests.vectors.generate import entries_of, vector_election
from verification.checkpoint import sign_checkpoint
from verification.formats import canonical_json
from verification.merkle import hash_tree
from verification.record import RecordInputError
from verification.statements import issue_receipt, sign_statement
from verification.verifier import ReceiptInput, verify_receipt, verify_receipts, verify_record

CLEAN = Path(__file__).resolve().parents[2] / "vectors" / "clean"


@pytest.fixture
def record(tmp_path: Path) -> Path:
    folder = tmp_path / "record"
    shutil.copytree(CLEAN, folder)
    return folder


def _lines(folder: Path, name: str) -> list[bytes]:
    return (folder / name).read_bytes().splitlines()


def _rewrite(folder: Path, name: str, change: Callable[[list[bytes]], None]) -> None:
    lines = _lines(folder, name)
    change(lines)
    (folder / name).write_bytes(b"".join(line + b"\n" for line in lines))


def _checks(folder: Path, **options: Any) -> set[str]:
    report = verify_record(str(folder), **options)
    assert report.exit_status == (0 if report.ok else 1)
    return {finding.check for finding in report.findings}


def test_a_non_canonical_entry_line_is_reported(record: Path) -> None:
    def spaced(lines: list[bytes]) -> None:
        lines[3] = json.dumps(json.loads(lines[3])).encode()

    _rewrite(record, "entries.jsonl", spaced)
    assert "entry-line" in _checks(record)


def test_a_wrong_index_is_reported(record: Path) -> None:
    def renumbered(lines: list[bytes]) -> None:
        value = json.loads(lines[5])
        value["index"] = 50
        lines[5] = canonical_json(value)

    _rewrite(record, "entries.jsonl", renumbered)
    report = verify_record(str(record))
    assert [f.entry for f in report.findings if f.check == "entry-line"] == [5]


@pytest.mark.parametrize(
    "line",
    [b'{"entry":"","index":4}', b'{"entry":"QR==","index":4}', b'{"entry":"@@@@","index":4}'],
)
def test_empty_or_odd_entries_are_findings(record: Path, line: bytes) -> None:
    _rewrite(record, "entries.jsonl", lambda lines: lines.__setitem__(4, line))
    checks = _checks(record)
    assert checks & {"entry-line", "entry-format"}
    assert "checkpoint-root" in checks


def test_an_unreadable_entry_stops_the_tree_with_findings(record: Path) -> None:
    _rewrite(record, "entries.jsonl", lambda lines: lines.__setitem__(9, b"{not json"))
    report = verify_record(str(record))
    checks = {f.check for f in report.findings}
    assert {"entry-line", "checkpoint-root"} <= checks
    assert any("cannot be rebuilt past entry 9" in f.message for f in report.findings)


def test_missing_and_extra_ballot_lines_are_reported(record: Path) -> None:
    _rewrite(record, "ballots.jsonl", lambda lines: lines.pop())
    assert "ballot-line" in _checks(record)
    _rewrite(record, "ballots.jsonl", lambda lines: lines.extend([lines[0], lines[0]]))
    report = verify_record(str(record))
    assert any("more than there are entries" in f.message for f in report.findings)


def test_a_reordered_ballot_line_is_not_canonical(record: Path) -> None:
    def reordered(lines: list[bytes]) -> None:
        value = json.loads(lines[2])
        reversed_keys = dict(reversed(list(value.items())))
        lines[2] = json.dumps(reversed_keys, separators=(",", ":")).encode()

    _rewrite(record, "ballots.jsonl", reordered)
    report = verify_record(str(record))
    assert [(f.check, f.entry) for f in report.findings if f.check == "ballot-line"] == [
        ("ballot-line", 2)
    ]


def test_entries_after_the_last_checkpoint_are_reported(record: Path) -> None:
    _rewrite(record, "checkpoints.jsonl", lambda lines: lines.pop())
    report = verify_record(str(record))
    assert "checkpoint-final" in {f.check for f in report.findings}


def test_a_non_canonical_checkpoint_line_is_reported(record: Path) -> None:
    def spaced(lines: list[bytes]) -> None:
        lines[0] = json.dumps(json.loads(lines[0]), sort_keys=True).encode()

    _rewrite(record, "checkpoints.jsonl", spaced)
    assert "checkpoint-line" in _checks(record)


def test_a_closing_statement_signed_by_another_key_is_reported(record: Path) -> None:
    closing = json.loads((record / "closing.json").read_bytes())
    del closing["signature"]
    forged = sign_statement("civica-close/1", closing, SigningKey(derive("x", "forger")))
    (record / "closing.json").write_bytes(canonical_json(forged))
    assert _checks(record) == {"closing-signature"}


def test_results_with_a_scope_missing_are_reported(record: Path) -> None:
    results = json.loads((record / "results.json").read_bytes())
    results["scopes"].pop()
    (record / "results.json").write_bytes(canonical_json(results))
    assert "result-scope" in _checks(record)


def test_an_expected_fingerprint_is_compared(record: Path) -> None:
    assert "manifest-fingerprint" in _checks(record, expected_fingerprint=bytes(32))


def test_a_manifest_that_is_not_json_is_unusable(record: Path) -> None:
    (record / "manifest.json").write_bytes(b"{")
    with pytest.raises(RecordInputError, match="manifest"):
        verify_record(str(record))


def test_a_non_canonical_manifest_is_reported(record: Path) -> None:
    value = json.loads((record / "manifest.json").read_bytes())
    (record / "manifest.json").write_bytes(json.dumps(value, indent=1).encode())
    checks = _checks(record)
    assert {"manifest-canonical", "manifest-fingerprint"} <= checks


def test_findings_past_the_limit_are_counted_not_listed(record: Path) -> None:
    (record / "sealing-key.json").write_bytes(
        (CLEAN.parent / "sealing_key_replaced" / "sealing-key.json").read_bytes()
    )
    report = verify_record(str(record), finding_limit=3)
    listed = [f for f in report.findings if f.check == "ballot-content"]
    assert len(listed) == 3
    assert report.omitted["ballot-content"] == report.failed("ballot-content") - 3 > 0
    assert report.to_json()["omitted"]["ballot-content"] == report.omitted["ballot-content"]


def test_progress_is_reported_up_to_the_number_of_entries() -> None:
    calls: list[tuple[int, int | None]] = []
    report = verify_record(str(CLEAN), progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 26)
    assert calls[-1] == (26, 26)
    assert report.counts["entries"] == 26


def test_receipts_alone_are_checked_without_opening_ballots() -> None:
    election = vector_election()
    report = verify_receipts(
        str(CLEAN), [ReceiptInput(f"r{i}", r) for i, r in enumerate(election.receipts)]
    )
    assert report.ok, report.findings
    assert report.timings.get("decrypt") is None
    assert verify_receipt(election.receipts[0], str(CLEAN)).ok


def test_a_receipt_with_another_leaf_hash_is_reported() -> None:
    election = vector_election()
    receipt = dict(election.receipts[3] or {})
    genuine = issue_receipt(
        election.keys.log_key, election.fingerprint, bytes(32), 3, receipt["include_by"]
    )
    report = verify_receipt(genuine, str(CLEAN))
    assert [f.check for f in report.findings] == ["receipt-entry"]


def test_a_receipt_of_another_cycle_is_reported() -> None:
    election = vector_election()
    receipt = issue_receipt(election.keys.log_key, bytes(32), bytes(32), 3, "2018-05-02T09:00:00Z")
    assert [f.check for f in verify_receipt(receipt, str(CLEAN)).findings] == ["receipt-cycle"]


def test_a_malformed_receipt_is_reported() -> None:
    report = verify_receipt({"format": "civica-receipt/1"}, str(CLEAN))
    assert [f.check for f in report.findings] == ["receipt-format"]


def test_a_receipt_needs_a_validly_signed_final_checkpoint(record: Path) -> None:
    election = vector_election()
    lines = _lines(record, "checkpoints.jsonl")
    final = json.loads(lines[-1])
    final["note"] = final["note"].replace(final["note"].split("\n\n")[1][-6:], "AAAAA=\n")
    lines[-1] = canonical_json(final)
    (record / "checkpoints.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))
    report = verify_receipt(election.receipts[25], str(record))
    assert "receipt-inclusion" in {f.check for f in report.findings}


def test_a_cycle_without_ballots_verifies(tmp_path: Path) -> None:
    election = TestElection(
        [scope(1, "nacional", 100, {11: 60, 12: 50}, tally=rule("greedy", min_votes=1))],
        seed="empty",
    )
    election.close(tmp_path)
    report = verify_record(str(tmp_path))
    assert report.ok, report.findings
    results = json.loads((tmp_path / "results.json").read_bytes())
    assert results["scopes"][0]["winners"] == []
    assert results["final_checkpoint"]["size"] == 0


def test_checkpoints_an_observer_saved_must_agree_with_the_record(tmp_path: Path) -> None:
    election = vector_election()
    genuine = json.loads(_lines(CLEAN, "checkpoints.jsonl")[2])["note"].encode()
    report = verify_record(str(CLEAN), observed_checkpoints=[("saved.txt", genuine)])
    assert report.ok, report.findings
    assert report.counts["observed_checkpoints"] == 1
    # The server showed this observer a board where entry 0 was another ballot.
    other = entries_of(CLEAN)[:10]
    other[0] = election.entry_for("ana", 1, {103: 1}, label="shown to one observer")
    shown = election.checkpoint_record(10, hash_tree(other), OPENS_AT).note
    report = verify_record(str(CLEAN), observed_checkpoints=[("shown.txt", shown)])
    findings = {(f.check, f.checkpoint) for f in report.findings}
    assert ("checkpoint-root", 10) in findings
    assert ("checkpoint-consistency", 12) in findings
    # A checkpoint beyond the record's end: the board was cut after this observer looked.
    longer = election.checkpoint_record(40, hash_tree([b"x"] * 40), OPENS_AT).note
    report = verify_record(str(CLEAN), observed_checkpoints=[("later.txt", longer)])
    assert any("record holds only 26" in f.message for f in report.findings)
    # Unsigned (or signed by someone else), it proves nothing and is reported.
    forged = sign_checkpoint(election.origin, 10, hash_tree(other), SigningKey(bytes(32)))
    report = verify_record(str(CLEAN), observed_checkpoints=[("forged.txt", forged)])
    assert [f.check for f in report.findings] == ["checkpoint-signature"]
