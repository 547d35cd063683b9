"""Transparency-log checkpoints: C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint).

A checkpoint is a C2SP signed note (see `verification.note`) whose text is:

    <origin>\\n                  the log's identity, non-empty
    <tree size>\\n               ASCII decimal, no leading zeros (0 for the empty tree)
    <base64 root hash>\\n        RFC 9162 Merkle Tree Hash at that size (32 bytes here)
    [<extension line>\\n ...]    optional, each non-empty

The log's key name in its signature line SHOULD be the origin. Parsing is stricter than the
specification asks in one way: no body line may start or end with whitespace, so one
checkpoint has exactly one encoding.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nacl.signing import SigningKey

from verification.errors import CheckpointFormatError, OriginMismatchError
from verification.merkle import HASH_SIZE
from verification.note import (
    NoteSigner,
    NoteVerifier,
    create_signer,
    decode_base64,
    open_note,
    parse_note,
    parse_verifier_key,
    sign_note,
)

MAX_TREE_SIZE = (1 << 64) - 1

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f]")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's signed statement of its tree: origin, size, root hash and extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def _check_line(what: str, line: str) -> None:
    if not line:
        raise CheckpointFormatError(f"checkpoint {what} line is empty")
    if _CONTROL_CHARACTERS.search(line):
        raise CheckpointFormatError(f"checkpoint {what} line holds a control character")
    if line != line.strip():
        raise CheckpointFormatError(f"checkpoint {what} line starts or ends with whitespace")


def encode_checkpoint(checkpoint: Checkpoint) -> str:
    """Return the checkpoint's note text: origin, size, base64 root and extension lines."""
    _check_line("origin", checkpoint.origin)
    for extension in checkpoint.extensions:
        _check_line("extension", extension)
    if not 0 <= checkpoint.size <= MAX_TREE_SIZE:
        raise CheckpointFormatError(f"tree size {checkpoint.size} is out of range")
    if len(checkpoint.root_hash) != HASH_SIZE:
        raise CheckpointFormatError(f"root hash is {len(checkpoint.root_hash)} bytes, not 32")
    lines = [
        checkpoint.origin,
        str(checkpoint.size),
        base64.b64encode(checkpoint.root_hash).decode(),
        *checkpoint.extensions,
    ]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Parse a checkpoint's note text (every line ending in a newline)."""
    if not text.endswith("\n"):
        raise CheckpointFormatError("checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointFormatError(f"checkpoint has {len(lines)} lines, needs at least 3")
    origin, size_line, root_line, *extensions = lines
    _check_line("origin", origin)
    for extension in extensions:
        _check_line("extension", extension)
    # Tree size: ASCII decimal without leading zeros, within 64 bits.
    if not _DECIMAL.fullmatch(size_line) or int(size_line) > MAX_TREE_SIZE:
        raise CheckpointFormatError(f"checkpoint tree size {size_line!r} is not a valid size")
    # Root hash: canonical standard base64 of a SHA-256 hash.
    root_hash = decode_base64(root_line, CheckpointFormatError, "checkpoint root hash")
    if len(root_hash) != HASH_SIZE:
        raise CheckpointFormatError(f"checkpoint root hash is {len(root_hash)} bytes, not 32")
    return Checkpoint(origin, int(size_line), root_hash, tuple(extensions))


def sign_checkpoint(
    origin: str,
    size: int,
    root_hash: bytes,
    signing_key: SigningKey | bytes | NoteSigner,
    key_name: str | None = None,
    *,
    extensions: Sequence[str] = (),
) -> bytes:
    """Return the signed checkpoint note; the key name defaults to the origin."""
    if isinstance(signing_key, NoteSigner):
        if key_name is not None and key_name != signing_key.name:
            raise CheckpointFormatError(f"signer is {signing_key.name!r}, not {key_name!r}")
        signer = signing_key
    else:
        signer = create_signer(origin if key_name is None else key_name, signing_key)
    text = encode_checkpoint(Checkpoint(origin, size, root_hash, tuple(extensions)))
    return sign_note(text, [signer])


def parse_checkpoint(note: bytes) -> Checkpoint:
    """Parse a signed checkpoint note WITHOUT checking its signatures."""
    return parse_checkpoint_text(parse_note(note).text)


def verify_checkpoint(
    note: bytes,
    verifier_key: str | NoteVerifier | Sequence[str | NoteVerifier],
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Verify a signed checkpoint against trusted key(s) and return it."""
    keys = [verifier_key] if isinstance(verifier_key, str | NoteVerifier) else verifier_key
    verifiers = [key if isinstance(key, NoteVerifier) else parse_verifier_key(key) for key in keys]
    # The note must carry a valid signature by a trusted key, and no bad one by a known key.
    signed, _ = open_note(note, verifiers)
    checkpoint = parse_checkpoint_text(signed.text)
    # The checkpoint must be about the log the caller expects.
    if origin is not None and checkpoint.origin != origin:
        raise OriginMismatchError(f"checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
