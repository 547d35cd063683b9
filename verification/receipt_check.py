"""Receipts given to the verifier (docs/election-record.md §10; §11, the receipt-* checks).

A receipt is honoured when it is a well-formed `civica-receipt/1` statement signed by the
manifest's log key, names this cycle, its entry is in the record with its leaf hash, and a
validly signed checkpoint of all entries, whose root is the rebuilt tree's, covers it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verification.errors import SignatureError
from verification.findings import Finding, Report
from verification.formats import RECEIPT_FORMAT, log_origin
from verification.manifest import Manifest
from verification.statements import Receipt, StatementFormatError, parse_receipt, verify_statement


@dataclass(frozen=True)
class ReceiptInput:
    """A receipt to check, with a label (its file name) for the findings."""

    label: str
    value: Any


def receipt_indexes(receipts: Sequence[ReceiptInput]) -> set[int]:
    """The entry indexes the well-formed receipts name (their leaf hashes are kept)."""
    return {receipt.index for receipt in _parsed(receipts) if receipt is not None}


def _parsed(receipts: Sequence[ReceiptInput]) -> Iterator[Receipt | None]:
    for receipt in receipts:
        try:
            yield parse_receipt(receipt.value)
        except StatementFormatError:
            yield None


def check_receipts(
    report: Report,
    manifest: Manifest,
    fingerprint: bytes,
    receipts: Sequence[ReceiptInput],
    leaf_hashes: Mapping[int, bytes],
    size: int,
    final_verified: bool,
) -> None:
    """Check each receipt against the record's entries and its signed final checkpoint."""
    if not receipts:
        return
    report.ran(
        "receipt-format", "receipt-signature", "receipt-cycle", "receipt-entry", "receipt-inclusion"
    )
    for given in receipts:
        try:
            receipt = parse_receipt(given.value)
        except StatementFormatError as error:
            report.add(Finding("receipt-format", str(error), receipt=given.label))
            continue
        try:
            verify_statement(receipt.statement, RECEIPT_FORMAT, manifest.log_public_key)
        except SignatureError as error:
            report.add(
                Finding(
                    "receipt-signature",
                    f"{error}: not a receipt of this cycle's log",
                    receipt=given.label,
                )
            )
            continue
        if receipt.cycle_fingerprint != fingerprint or receipt.origin != log_origin(fingerprint):
            report.add(
                Finding("receipt-cycle", "the receipt names another cycle", receipt=given.label)
            )
            continue
        leaf = leaf_hashes.get(receipt.index)
        if leaf is None:
            report.add(
                Finding(
                    "receipt-entry",
                    f"the record has no entry {receipt.index} (it holds {size}): a validly "
                    "signed receipt whose ballot is missing, evidence of misconduct",
                    entry=receipt.index,
                    receipt=given.label,
                )
            )
            continue
        if leaf != receipt.leaf_hash:
            report.add(
                Finding(
                    "receipt-entry",
                    f"entry {receipt.index} has leaf hash {leaf.hex()}, not the receipt's "
                    f"{receipt.leaf_hash.hex()}: the receipted ballot is not on the board",
                    entry=receipt.index,
                    receipt=given.label,
                )
            )
            continue
        if not final_verified:
            report.add(
                Finding(
                    "receipt-inclusion",
                    "no validly signed final checkpoint covers the rebuilt tree, so inclusion "
                    "cannot be established",
                    entry=receipt.index,
                    receipt=given.label,
                )
            )
