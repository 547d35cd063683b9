"""Turning a voter's choices into a board entry: seal the ballot, encode the entry, hash it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nacl.public import PublicKey, SealedBox

from verification.formats import BallotContent, Channel, Entry, encode_ballot, encode_entry
from verification.merkle import hash_leaf


@dataclass(frozen=True)
class PreparedEntry:
    """An entry ready to append: its bytes and RFC 9162 leaf hash."""

    entry: bytes
    leaf_hash: bytes


def seal_ballot(sealing_public_key: bytes, scope_id: int, selections: Mapping[int, int]) -> bytes:
    """Encrypt the ballot content to the cycle's sealing key (libsodium sealed box)."""
    plaintext = encode_ballot(BallotContent(scope_id, dict(selections)))
    return bytes(SealedBox(PublicKey(sealing_public_key)).encrypt(plaintext))


def prepare_entry(
    fingerprint: bytes, scope_id: int, alias: bytes, channel: Channel, sealed_ballot: bytes
) -> PreparedEntry:
    """Encode a board entry and compute its leaf hash."""
    entry = encode_entry(Entry(fingerprint, scope_id, alias, channel, sealed_ballot))
    return PreparedEntry(entry, hash_leaf(entry))
