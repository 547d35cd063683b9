"""Byte-level formats of the election record: canonical JSON, board entries, sealed-ballot
plaintexts, receipts and the closing statement. `docs/election-record.md` is the specification;
this module is its reference implementation and imports nothing beyond the standard library.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

ENTRY_MAGIC = b"civica-entry/1\n"
BALLOT_FORMAT = "civica-ballot/1"
RECEIPT_FORMAT = "civica-receipt/1"
CLOSING_FORMAT = "civica-close/1"
MANIFEST_FORMAT = "civica-manifest/1"
RESULTS_FORMAT = "civica-results/1"
BALLOT_PAD_BLOCK = 256
MAX_SEALED_BALLOT = 65536
SEALED_BOX_OVERHEAD = 48  # X25519 ephemeral public key (32) + Poly1305 tag (16)


class FormatError(ValueError):
    """Bytes that do not follow the election-record format."""


class Channel(IntEnum):
    WEB = 1
    DESK = 2


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace (RFC 8785 for our values).

    Only strings, integers, booleans, null, arrays and objects with ASCII keys are allowed:
    for those, this is exactly the JSON Canonicalization Scheme.
    """
    _check_canonical_value(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


MAX_SAFE_INTEGER = 2**53 - 1


def _check_canonical_value(value: Any) -> None:
    if isinstance(value, float):
        raise FormatError("floating-point numbers are not allowed in canonical JSON")
    # RFC 8785 writes numbers as ECMAScript does: integers are exact only up to 2**53 - 1.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        raise FormatError(f"integer {value} is outside the range canonical JSON keeps exact")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise FormatError("object keys must be ASCII strings")
            _check_canonical_value(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_canonical_value(item)


def parse_canonical_json(data: bytes, what: str) -> Any:
    """Parse JSON that must already be in canonical form."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(f"{what} is not valid UTF-8 JSON: {error}") from None
    if canonical_json(value) != data:
        raise FormatError(f"{what} is not in canonical form")
    return value


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise FormatError(f"{what} is not valid base64") from None


def log_origin(fingerprint: bytes) -> str:
    """The checkpoint origin line of a cycle's log: binds every checkpoint to the manifest."""
    return "civica/" + fingerprint.hex()


@dataclass(frozen=True)
class Entry:
    """One board entry: a sealed ballot with the pseudonymous alias that cast it."""

    fingerprint: bytes
    scope_id: int
    alias: bytes
    channel: Channel
    sealed_ballot: bytes


def encode_entry(entry: Entry) -> bytes:
    """magic ‖ fingerprint ‖ scope id (u32 BE) ‖ alias ‖ channel (u8) ‖ length (u32 BE) ‖ sealed."""
    if len(entry.fingerprint) != 32 or len(entry.alias) != 32:
        raise FormatError("fingerprint and alias are 32 bytes each")
    if not 0 <= entry.scope_id <= 0xFFFFFFFF:
        raise FormatError("scope id out of range")
    if not SEALED_BOX_OVERHEAD < len(entry.sealed_ballot) <= MAX_SEALED_BALLOT:
        raise FormatError("sealed ballot length out of range")
    return b"".join(
        [
            ENTRY_MAGIC,
            entry.fingerprint,
            struct.pack(">I", entry.scope_id),
            entry.alias,
            struct.pack(">B", entry.channel),
            struct.pack(">I", len(entry.sealed_ballot)),
            entry.sealed_ballot,
        ]
    )


def decode_entry(data: bytes) -> Entry:
    """Parse entry bytes, refusing anything but the exact encoding."""
    header = len(ENTRY_MAGIC) + 32 + 4 + 32 + 1 + 4
    if len(data) < header or not data.startswith(ENTRY_MAGIC):
        raise FormatError("not a civica-entry/1 entry")
    offset = len(ENTRY_MAGIC)
    fingerprint = data[offset : offset + 32]
    (scope_id,) = struct.unpack(">I", data[offset + 32 : offset + 36])
    alias = data[offset + 36 : offset + 68]
    channel_byte = data[offset + 68]
    (length,) = struct.unpack(">I", data[offset + 69 : offset + 73])
    sealed = data[header:]
    if len(sealed) != length:
        raise FormatError("entry length field does not match its sealed ballot")
    try:
        channel = Channel(channel_byte)
    except ValueError:
        raise FormatError(f"unknown channel {channel_byte}") from None
    entry = Entry(fingerprint, scope_id, alias, channel, sealed)
    encode_entry(entry)  # re-check the field ranges
    return entry


@dataclass(frozen=True)
class BallotContent:
    """What a voter chose in one scope: project id -> points (1 for approval-style ballots)."""

    scope_id: int
    selections: Mapping[int, int]


def encode_ballot(ballot: BallotContent) -> bytes:
    """Canonical JSON of the ballot, zero-padded to a multiple of 256 bytes before sealing.

    Padding hides how many projects a sealed ballot names.
    """
    body = canonical_json(
        {
            "format": BALLOT_FORMAT,
            "scope": ballot.scope_id,
            "selections": [
                [project, points] for project, points in sorted(ballot.selections.items())
            ],
        }
    )
    padded = -(-(len(body) + 1) // BALLOT_PAD_BLOCK) * BALLOT_PAD_BLOCK
    return body + b"\x00" * (padded - len(body))


def decode_ballot(plaintext: bytes) -> BallotContent:
    """Parse an opened sealed ballot, refusing non-canonical or malformed content."""
    if len(plaintext) % BALLOT_PAD_BLOCK or not plaintext.endswith(b"\x00"):
        raise FormatError("ballot plaintext is not padded to a 256-byte block")
    body = plaintext.rstrip(b"\x00")
    # The padding must be the shortest that works: one plaintext per ballot.
    if len(plaintext) - len(body) > BALLOT_PAD_BLOCK:
        raise FormatError("ballot plaintext has more padding than one block")
    value = parse_canonical_json(body, "ballot")
    if not isinstance(value, dict) or set(value) != {"format", "scope", "selections"}:
        raise FormatError("ballot must have exactly format, scope and selections")
    if value["format"] != BALLOT_FORMAT or not _is_int(value["scope"]):
        raise FormatError("ballot format or scope is wrong")
    pairs = value["selections"]
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and _is_int(p[0]) and _is_int(p[1]) for p in pairs
    ):
        raise FormatError("selections must be a list of [project, points] integer pairs")
    projects = [p[0] for p in pairs]
    if projects != sorted(set(projects)):
        raise FormatError("selections must be sorted by project id without repeats")
    return BallotContent(value["scope"], {p[0]: p[1] for p in pairs})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def signed_message(format_name: str, fields: Mapping[str, Any]) -> bytes:
    """What a signature covers: the format name, a newline, the canonical JSON of the fields."""
    return format_name.encode() + b"\n" + canonical_json(dict(fields))


def short_code(leaf_hash: bytes) -> str:
    """A short, human-checkable code for an entry: 12 base32 characters in groups of four."""
    letters = base64.b32encode(leaf_hash).decode("ascii")[:12]
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def rfc3339(moment: datetime) -> str:
    """A UTC time with second precision, as the record writes times: 2018-09-30T23:59:59Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
