"""Signed receipts: the log's promise that a voter's entry is on the board (record spec §10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nacl.signing import SigningKey

from ballots.manifest import rfc3339
from verification.formats import RECEIPT_FORMAT, b64encode, log_origin, short_code, signed_message


def issue_receipt(
    log_signing_seed: bytes, fingerprint: bytes, leaf_hash: bytes, index: int, include_by: datetime
) -> dict[str, Any]:
    """A receipt for entry `index`, signed with the cycle's log key. It names no ballot content."""
    fields: dict[str, Any] = {
        "format": RECEIPT_FORMAT,
        "origin": log_origin(fingerprint),
        "cycle_fingerprint": fingerprint.hex(),
        "leaf_hash": leaf_hash.hex(),
        "index": index,
        "include_by": rfc3339(include_by),
    }
    signature = SigningKey(log_signing_seed).sign(signed_message(RECEIPT_FORMAT, fields)).signature
    return {**fields, "signature": b64encode(bytes(signature))}


def receipt_short_code(receipt: dict[str, Any]) -> str:
    """The short code a voter can read out or look for on the public board."""
    return short_code(bytes.fromhex(str(receipt["leaf_hash"])))
