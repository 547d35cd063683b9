"""Signed statements of the election record: receipts (§10) and the closing statement (§9).

A signed statement of format F over an object O (without its `signature` member) is the
Ed25519 signature, with the cycle's log key, of F ‖ "\\n" ‖ canonical_json(O); the signature
is carried, base64, in the `signature` member.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.exceptions import ValueError as NaclValueError
from nacl.signing import SigningKey, VerifyKey

from verification.errors import SignatureError
from verification.formats import (
    CLOSING_FORMAT,
    RECEIPT_FORMAT,
    FormatError,
    b64decode,
    b64encode,
    log_origin,
    signed_message,
)

CLOSING_FILES = (
    "checkpoints.jsonl",
    "entries.jsonl",
    "sealing-key.json",
    "ballots.jsonl",
    "results.json",
)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_HEX32 = re.compile(r"[0-9a-f]{64}")


class StatementFormatError(FormatError):
    """A receipt or closing statement that does not have the members §9/§10 give."""


def sign_statement(
    format_name: str, fields: Mapping[str, Any], signing_key: SigningKey
) -> dict[str, Any]:
    """Return `fields` with the `signature` member of a signed statement of `format_name`."""
    signature = signing_key.sign(signed_message(format_name, fields)).signature
    return {**fields, "signature": b64encode(signature)}


def verify_statement(statement: Mapping[str, Any], format_name: str, public_key: bytes) -> None:
    """Raise `SignatureError` unless `statement` carries a valid signature by `public_key`."""
    fields = {name: value for name, value in statement.items() if name != "signature"}
    text = statement.get("signature")
    if not isinstance(text, str):
        raise SignatureError(f"{format_name} statement has no signature")
    try:
        signature = b64decode(text, "signature")
        message = signed_message(format_name, fields)
        VerifyKey(public_key).verify(message, signature)
    except (FormatError, BadSignatureError, NaclValueError, TypeError):
        raise SignatureError(f"{format_name} signature does not verify with the log key") from None


@dataclass(frozen=True)
class Receipt:
    """A voter's signed promise that entry `index`, with this leaf hash, is on the board."""

    origin: str
    cycle_fingerprint: bytes
    leaf_hash: bytes
    index: int
    include_by: str
    statement: Mapping[str, Any]
    """The receipt as published, signature included."""


def issue_receipt(
    signing_key: SigningKey, fingerprint: bytes, leaf_hash: bytes, index: int, include_by: str
) -> dict[str, Any]:
    """The signed receipt for entry `index` (§10), as a JSON-ready object."""
    fields = {
        "format": RECEIPT_FORMAT,
        "origin": log_origin(fingerprint),
        "cycle_fingerprint": fingerprint.hex(),
        "leaf_hash": leaf_hash.hex(),
        "index": index,
        "include_by": include_by,
    }
    return sign_statement(RECEIPT_FORMAT, fields, signing_key)


def parse_receipt(value: Any) -> Receipt:
    """Read a receipt object, checking its members (not its signature)."""
    fields = _members(
        value,
        "receipt",
        {
            "format": str,
            "origin": str,
            "cycle_fingerprint": str,
            "leaf_hash": str,
            "index": int,
            "include_by": str,
            "signature": str,
        },
    )
    if fields["format"] != RECEIPT_FORMAT:
        raise StatementFormatError(f"receipt format is {fields['format']!r}")
    if fields["index"] < 0 or not _TIMESTAMP.fullmatch(fields["include_by"]):
        raise StatementFormatError("receipt index or include_by is malformed")
    return Receipt(
        origin=fields["origin"],
        cycle_fingerprint=_hex32(fields["cycle_fingerprint"], "receipt cycle_fingerprint"),
        leaf_hash=_hex32(fields["leaf_hash"], "receipt leaf_hash"),
        index=fields["index"],
        include_by=fields["include_by"],
        statement=dict(fields),
    )


@dataclass(frozen=True)
class ClosingStatement:
    """The signed statement that binds the record's files to the final checkpoint."""

    cycle_fingerprint: bytes
    origin: str
    final_size: int
    final_root: bytes
    files: Mapping[str, bytes]
    closed_at: str
    statement: Mapping[str, Any]


def closing_fields(
    fingerprint: bytes,
    final_size: int,
    final_root: bytes,
    file_hashes: Mapping[str, bytes],
    closed_at: str,
) -> dict[str, Any]:
    """The unsigned members of the closing statement (§9)."""
    return {
        "format": CLOSING_FORMAT,
        "cycle_fingerprint": fingerprint.hex(),
        "origin": log_origin(fingerprint),
        "final_checkpoint": {"size": final_size, "root": final_root.hex()},
        "files": {name: file_hashes[name].hex() for name in CLOSING_FILES},
        "closed_at": closed_at,
    }


def parse_closing(value: Any) -> ClosingStatement:
    """Read a closing statement, checking its members (not its signature)."""
    fields = _members(
        value,
        "closing statement",
        {
            "format": str,
            "cycle_fingerprint": str,
            "origin": str,
            "final_checkpoint": dict,
            "files": dict,
            "closed_at": str,
            "signature": str,
        },
    )
    if fields["format"] != CLOSING_FORMAT:
        raise StatementFormatError(f"closing statement format is {fields['format']!r}")
    final = _members(fields["final_checkpoint"], "final_checkpoint", {"size": int, "root": str})
    files = fields["files"]
    if sorted(files) != sorted(CLOSING_FILES) or not all(
        isinstance(v, str) for v in files.values()
    ):
        raise StatementFormatError(f"closing statement must hash exactly {list(CLOSING_FILES)}")
    if not _TIMESTAMP.fullmatch(fields["closed_at"]):
        raise StatementFormatError("closing statement closed_at is malformed")
    return ClosingStatement(
        cycle_fingerprint=_hex32(fields["cycle_fingerprint"], "cycle_fingerprint"),
        origin=fields["origin"],
        final_size=final["size"],
        final_root=_hex32(final["root"], "final_checkpoint.root"),
        files={name: _hex32(text, f"hash of {name}") for name, text in files.items()},
        closed_at=fields["closed_at"],
        statement=dict(fields),
    )


def _members(value: Any, what: str, expected: Mapping[str, type]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != set(expected):
        raise StatementFormatError(f"{what} must have exactly the members {sorted(expected)}")
    for name, kind in expected.items():
        item = value[name]
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise StatementFormatError(f"{what} member {name} must be of type {kind.__name__}")
    return value


def _hex32(text: str, what: str) -> bytes:
    if not _HEX32.fullmatch(text):
        raise StatementFormatError(f"{what} must be 64 lower-case hex digits")
    return bytes.fromhex(text)
