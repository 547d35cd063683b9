"""Signed statements: receipts and the closing statement, their members and signatures."""

import base64
import hashlib
from typing import Any

import pytest
from nacl.signing import SigningKey

from verification.errors import SignatureError
from verification.formats import RECEIPT_FORMAT, canonical_json
from verification.statements import (
    StatementFormatError,
    closing_fields,
    issue_receipt,
    parse_closing,
    parse_receipt,
    sign_statement,
    verify_statement,
)

KEY = SigningKey(bytes(range(32)))
FINGERPRINT = hashlib.sha256(b"manifest").digest()
LEAF = hashlib.sha256(b"leaf").digest()


def test_a_receipt_signs_the_format_line_and_its_canonical_members() -> None:
    receipt = issue_receipt(KEY, FINGERPRINT, LEAF, 7, "2018-05-02T09:01:00Z")
    fields = {name: value for name, value in receipt.items() if name != "signature"}
    message = RECEIPT_FORMAT.encode() + b"\n" + canonical_json(fields)
    # The signature is plain Ed25519 over that message: any Ed25519 library checks it.
    KEY.verify_key.verify(message, base64.b64decode(receipt["signature"]))
    parsed = parse_receipt(receipt)
    assert (parsed.index, parsed.leaf_hash, parsed.cycle_fingerprint) == (7, LEAF, FINGERPRINT)
    assert parsed.origin == "civica/" + FINGERPRINT.hex()
    verify_statement(parsed.statement, RECEIPT_FORMAT, bytes(KEY.verify_key))


@pytest.mark.parametrize(
    ("member", "value"),
    [("index", 8), ("leaf_hash", "00" * 32), ("include_by", "2018-05-02T09:02:00Z")],
)
def test_a_changed_receipt_no_longer_verifies(member: str, value: Any) -> None:
    receipt = issue_receipt(KEY, FINGERPRINT, LEAF, 7, "2018-05-02T09:01:00Z")
    receipt[member] = value
    with pytest.raises(SignatureError):
        verify_statement(parse_receipt(receipt).statement, RECEIPT_FORMAT, bytes(KEY.verify_key))


def test_a_receipt_from_another_key_does_not_verify() -> None:
    receipt = issue_receipt(SigningKey(bytes(32)), FINGERPRINT, LEAF, 7, "2018-05-02T09:01:00Z")
    with pytest.raises(SignatureError):
        verify_statement(receipt, RECEIPT_FORMAT, bytes(KEY.verify_key))


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.pop("origin"),
        lambda r: r.update(index=-1),
        lambda r: r.update(index="7"),
        lambda r: r.update(leaf_hash="AB" * 32),
        lambda r: r.update(extra=True),
        lambda r: r.update(format="civica-receipt/2"),
    ],
)
def test_malformed_receipts_are_refused(change: Any) -> None:
    receipt = issue_receipt(KEY, FINGERPRINT, LEAF, 7, "2018-05-02T09:01:00Z")
    change(receipt)
    with pytest.raises(StatementFormatError):
        parse_receipt(receipt)


def test_the_closing_statement_binds_every_file() -> None:
    hashes = {
        name: hashlib.sha256(name.encode()).digest()
        for name in (
            "checkpoints.jsonl",
            "entries.jsonl",
            "sealing-key.json",
            "ballots.jsonl",
            "results.json",
        )
    }
    fields = closing_fields(FINGERPRINT, 3, LEAF, hashes, "2018-06-01T00:00:00Z")
    statement = sign_statement("civica-close/1", fields, KEY)
    closing = parse_closing(statement)
    assert closing.files == hashes
    assert closing.final_size == 3
    assert closing.final_root == LEAF
    verify_statement(closing.statement, "civica-close/1", bytes(KEY.verify_key))
    statement["files"]["results.json"] = "00" * 32
    with pytest.raises(SignatureError):
        verify_statement(statement, "civica-close/1", bytes(KEY.verify_key))
    del statement["files"]["results.json"]
    with pytest.raises(StatementFormatError, match="exactly"):
        parse_closing(statement)
