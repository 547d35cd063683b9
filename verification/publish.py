"""Writing the election record (§1–§9): what the close procedure publishes.

`RecordWriter` takes the board's entries in index order, in as many batches as the caller
likes (the close reads them from the database in pages), writes `entries.jsonl` while it
recounts, and at `finish` writes the other files and signs the closing statement. Entries pass
through once; the opened ballots wait in a temporary spool until last-ballot-counts is known.

The output is a pure function of the inputs (Ed25519 signatures are deterministic), so a close
that crashed and runs again writes the same bytes. Each file is written under a temporary name
and renamed, `closing.json` last.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from nacl.public import PrivateKey
from nacl.signing import SigningKey

from verification.formats import (
    CLOSING_FORMAT,
    RESULTS_FORMAT,
    b64encode,
    canonical_json,
    decode_entry,
)
from verification.manifest import Manifest, fingerprint_of, parse_manifest
from verification.merkle import hash_leaf
from verification.record import (
    BALLOTS,
    CHECKPOINTS,
    CLOSING,
    ENTRIES,
    MANIFEST,
    RESULTS,
    SEALING_KEY,
)
from verification.recount import INVALID, Recount, RecountResult, ballot_line_prefix
from verification.statements import closing_fields, sign_statement
from verification.tree import CompactRange


class RecordWriteError(ValueError):
    """The inputs cannot make a valid record (wrong key, entries the checkpoints do not cover)."""


@dataclass(frozen=True)
class CheckpointRecord:
    """One signed checkpoint as `checkpoints.jsonl` lists it (§4)."""

    size: int
    root: bytes
    note: bytes
    published_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root": self.root.hex(),
            "note": self.note.decode("utf-8"),
            "published_at": self.published_at,
        }


def entry_line(index: int, entry: bytes) -> bytes:
    """One `entries.jsonl` line: {"entry": base64, "index": i} in canonical JSON."""
    return b'{"entry":"%s","index":%d}\n' % (b64encode(entry).encode(), index)


def sealing_key_file(secret_key: bytes) -> bytes:
    """`sealing-key.json`: the released key pair (§5)."""
    public_key = bytes(PrivateKey(secret_key).public_key)
    return canonical_json(
        {"public_key": b64encode(public_key), "secret_key": b64encode(secret_key)}
    )


def results_document(
    fingerprint: bytes, size: int, root: bytes, software: str, result: RecountResult
) -> dict[str, Any]:
    """`results.json` (§8) as a JSON-ready object."""
    return {
        "format": RESULTS_FORMAT,
        "cycle_fingerprint": fingerprint.hex(),
        "final_checkpoint": {"size": size, "root": root.hex()},
        "software": software,
        "scopes": [scope.to_json() for scope in result.scopes],
    }


class RecordWriter:
    """Write one cycle's record into `folder` (created if needed); see the module docstring."""

    def __init__(
        self,
        folder: Path,
        manifest_bytes: bytes,
        sealing_secret_key: bytes,
        log_signing_key: SigningKey,
    ) -> None:
        self.manifest: Manifest = parse_manifest(manifest_bytes)
        if bytes(PrivateKey(sealing_secret_key).public_key) != self.manifest.sealing_public_key:
            raise RecordWriteError("the sealing key is not the manifest's sealing key")
        if bytes(log_signing_key.verify_key) != self.manifest.log_public_key:
            raise RecordWriteError("the log signing key is not the manifest's log key")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._manifest_bytes = manifest_bytes
        self._fingerprint = fingerprint_of(manifest_bytes)
        self._secret = sealing_secret_key
        self._log_key = log_signing_key
        self._recount = Recount(self.manifest, sealing_secret_key)
        self._tree = CompactRange()
        self._entries_path = folder / (ENTRIES + ".partial")
        self._entries: IO[bytes] = self._entries_path.open("wb")
        self._entries_hash = hashlib.sha256()
        # Stays open across add_entries calls; finish() closes it.
        self._spool: IO[bytes] = tempfile.TemporaryFile(prefix="civica-ballots-")  # noqa: SIM115
        self._valid = bytearray()
        self._size = 0
        self.result: RecountResult | None = None
        """The recount (statuses and per-scope results), once `finish` has run."""

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the open files (`finish` does it too); partial files stay for a retry."""
        self._entries.close()
        self._spool.close()

    def add_entries(self, entries: Iterable[bytes]) -> None:
        """Append entries (their exact bytes), continuing the index from the last call."""
        leaves = []
        for data in entries:
            entry = decode_entry(data)
            if entry.fingerprint != self._fingerprint:
                raise RecordWriteError(f"entry {self._size} belongs to another cycle")
            line = entry_line(self._size, data)
            self._entries.write(line)
            self._entries_hash.update(line)
            leaves.append(hash_leaf(data))
            opened = self._recount.add(
                self._size, entry.scope_id, entry.alias, entry.channel, entry.sealed_ballot
            )
            self._spool.write(ballot_line_prefix(opened) + b"\n")
            self._valid.append(opened.valid)
            self._size += 1
        self._tree = self._tree.extend(leaves)

    def finish(
        self, checkpoints: Iterable[CheckpointRecord], closed_at: str, software: str
    ) -> dict[str, Any]:
        """Write every other file and the signed closing statement; return the statement."""
        try:
            return self._finish(checkpoints, closed_at, software)
        finally:
            self.close()

    def _finish(
        self, checkpoints: Iterable[CheckpointRecord], closed_at: str, software: str
    ) -> dict[str, Any]:
        self._entries.close()
        hashes = {ENTRIES: self._entries_hash.digest()}
        hashes[CHECKPOINTS] = self._write_checkpoints(checkpoints)
        root = self._tree.root()
        result = self._recount.finish()
        self.result = result
        hashes[BALLOTS] = self._write_ballots(result)
        hashes[SEALING_KEY] = self._write(SEALING_KEY, sealing_key_file(self._secret))
        results = results_document(self._fingerprint, self._size, root, software, result)
        hashes[RESULTS] = self._write(RESULTS, canonical_json(results))
        self._write(MANIFEST, self._manifest_bytes)
        os.replace(self._entries_path, self.folder / ENTRIES)
        fields = closing_fields(self._fingerprint, self._size, root, hashes, closed_at)
        statement = sign_statement(CLOSING_FORMAT, fields, self._log_key)
        self._write(CLOSING, canonical_json(statement))
        return statement

    def _write_checkpoints(self, checkpoints: Iterable[CheckpointRecord]) -> bytes:
        last: CheckpointRecord | None = None
        digest = hashlib.sha256()
        path = self.folder / (CHECKPOINTS + ".partial")
        with path.open("wb") as out:
            for checkpoint in checkpoints:
                if last is not None and checkpoint.size <= last.size:
                    raise RecordWriteError("checkpoints must be listed in increasing size")
                line = canonical_json(checkpoint.to_json()) + b"\n"
                out.write(line)
                digest.update(line)
                last = checkpoint
        if last is None or last.size != self._size or last.root != self._tree.root():
            raise RecordWriteError(
                f"the final checkpoint must cover all {self._size} entries with their root"
            )
        os.replace(path, self.folder / CHECKPOINTS)
        return digest.digest()

    def _write_ballots(self, result: RecountResult) -> bytes:
        digest = hashlib.sha256()
        path = self.folder / (BALLOTS + ".partial")
        self._spool.seek(0)
        with path.open("wb") as out:
            for index, prefix in enumerate(self._spool):
                if not self._valid[index]:
                    status = INVALID
                elif index in result.counted_indexes:
                    status = "counted"
                else:
                    status = "superseded"
                line = prefix[:-1] + b'"' + status.encode() + b'"}\n'
                out.write(line)
                digest.update(line)
        os.replace(path, self.folder / BALLOTS)
        return digest.digest()

    def _write(self, name: str, data: bytes) -> bytes:
        path = self.folder / (name + ".partial")
        path.write_bytes(data)
        os.replace(path, self.folder / name)
        return hashlib.sha256(data).digest()


def write_record(
    folder: Path,
    *,
    manifest_bytes: bytes,
    entries: Iterable[bytes],
    checkpoints: Iterable[CheckpointRecord],
    sealing_secret_key: bytes,
    log_signing_key: SigningKey,
    closed_at: str,
    software: str,
) -> dict[str, Any]:
    """Write a whole record in one call; returns the signed closing statement."""
    with RecordWriter(folder, manifest_bytes, sealing_secret_key, log_signing_key) as writer:
        writer.add_entries(entries)
        return writer.finish(checkpoints, closed_at, software)
