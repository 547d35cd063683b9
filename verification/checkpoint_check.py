"""Checks on `checkpoints.jsonl` (§4, §11 items 2–4): format, signatures, order, roots, consistency.

The roots and consistency proofs come from the tree the verifier rebuilds from the entries
(`verification.rebuild`): `on_mark` is its callback at each checkpoint size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from verification.checkpoint import Checkpoint, parse_checkpoint, verify_checkpoint
from verification.errors import ConsistencyProofError, NoteFormatError, VerificationError
from verification.findings import Finding, Report
from verification.formats import FormatError, canonical_json, log_origin
from verification.manifest import Manifest
from verification.merkle import EMPTY_ROOT, verify_consistency
from verification.note import NoteVerifier, compute_key_id
from verification.record import CHECKPOINTS


@dataclass(frozen=True, slots=True)
class ListedCheckpoint:
    """A checkpoint: where it comes from, its size and root, and whether it is validly signed."""

    source: str
    """"line 3" of checkpoints.jsonl, or the file of a checkpoint an observer saw."""
    size: int
    root: bytes
    signed: bool


class CheckpointCheck:
    """Load and check the record's checkpoints; then check them against the rebuilt tree."""

    def __init__(self, report: Report, manifest: Manifest, fingerprint: bytes) -> None:
        self.report = report
        self.origin = log_origin(fingerprint)
        key_id = compute_key_id(self.origin, manifest.log_public_key)
        self._verifier = NoteVerifier(self.origin, key_id, manifest.log_public_key)
        self.listed: list[ListedCheckpoint] = []
        self._by_size: dict[int, list[ListedCheckpoint]] = {}
        self._reached: set[int] = set()
        self.count = 0
        self.observed = 0
        self.seconds = 0.0
        report.ran(
            "checkpoint-line",
            "checkpoint-signature",
            "checkpoint-order",
            "checkpoint-root",
            "checkpoint-consistency",
            "checkpoint-final",
        )

    @property
    def marks(self) -> list[int]:
        """The distinct positive checkpoint sizes, in increasing order."""
        return sorted(size for size in self._by_size if size > 0)

    def load(self, lines: Iterable[bytes]) -> None:
        """Parse every line, verify every note, and check what needs no entries."""
        started = time.perf_counter()
        for number, line in enumerate(lines):
            self.count += 1
            listed = self._parse(number, line)
            if listed is None:
                continue
            if self.listed and listed.size <= self.listed[-1].size:
                self.report.add(
                    Finding(
                        "checkpoint-order",
                        f"line {number} lists size {listed.size} after size {self.listed[-1].size}",
                        checkpoint=listed.size,
                    )
                )
            self.listed.append(listed)
            self._add(listed)
        self.seconds += time.perf_counter() - started

    def observe(self, label: str, note: bytes) -> None:
        """Add a checkpoint seen elsewhere (saved while voting was open, say).

        A validly signed checkpoint is the log's word: it must agree with the record like the
        record's own, so a server that showed this observer another board is caught.
        """
        started = time.perf_counter()
        try:
            unverified = parse_checkpoint(note)
        except NoteFormatError as error:
            self.report.add(Finding("checkpoint-line", str(error), file=label))
            return
        if self._verify(label, note, unverified):
            self._add(ListedCheckpoint(label, unverified.size, unverified.root_hash, True))
            self.observed += 1
        self.seconds += time.perf_counter() - started

    def _add(self, listed: ListedCheckpoint) -> None:
        same = self._by_size.setdefault(listed.size, [])
        # Two signed roots for one size cannot both be true: a split view.
        if same and same[0].root != listed.root:
            self.report.add(
                Finding(
                    "checkpoint-consistency",
                    f"{same[0].source} and {listed.source} give two different roots for "
                    f"size {listed.size}: a split view",
                    checkpoint=listed.size,
                )
            )
        same.append(listed)
        if listed.size == 0 and listed.root != EMPTY_ROOT:
            self.report.add(
                Finding(
                    "checkpoint-root",
                    f"{listed.source}: an empty tree's root is SHA-256 of nothing",
                    checkpoint=0,
                )
            )

    def _parse(self, number: int, line: bytes) -> ListedCheckpoint | None:
        report = self.report
        try:
            value = json.loads(line)
            if not isinstance(value, dict) or set(value) != {
                "size",
                "root",
                "note",
                "published_at",
            }:
                raise FormatError("a line must hold exactly size, root, note and published_at")
            if canonical_json(value) != line:
                raise FormatError("the line is not canonical JSON")
            note = str(value["note"]).encode()
            unverified = parse_checkpoint(note)
        except (ValueError, UnicodeDecodeError, NoteFormatError) as error:
            report.add(Finding("checkpoint-line", f"line {number}: {error}", file=CHECKPOINTS))
            return None
        if value["size"] != unverified.size or value["root"] != unverified.root_hash.hex():
            report.add(
                Finding(
                    "checkpoint-line",
                    f"line {number} lists size {value['size']} and root {value['root']!s:.16}…, "
                    "but its signed note says otherwise",
                    checkpoint=unverified.size,
                )
            )
        if unverified.extensions:
            report.add(
                Finding(
                    "checkpoint-line",
                    f"line {number}: civica checkpoints have no extension lines",
                    checkpoint=unverified.size,
                )
            )
        signed = self._verify(f"line {number}", note, unverified)
        return ListedCheckpoint(f"line {number}", unverified.size, unverified.root_hash, signed)

    def _verify(self, source: str, note: bytes, unverified: Checkpoint) -> bool:
        if unverified.origin != self.origin:
            self.report.add(
                Finding(
                    "checkpoint-signature",
                    f"{source} is a checkpoint of {unverified.origin!r}, not of this "
                    f"manifest's log {self.origin!r}",
                    checkpoint=unverified.size,
                )
            )
            return False
        try:
            verify_checkpoint(note, self._verifier, origin=self.origin)
        except VerificationError as error:
            self.report.add(
                Finding(
                    "checkpoint-signature",
                    f"{source}: {error}",
                    checkpoint=unverified.size,
                )
            )
            return False
        return True

    def on_mark(self, size: int, root: bytes, previous: int, proof: list[bytes]) -> None:
        """Tree callback: compare the checkpoints of `size` with the rebuilt tree."""
        self._reached.add(size)
        for listed in self._by_size[size]:
            if listed.root != root:
                self.report.add(
                    Finding(
                        "checkpoint-root",
                        f"the signed root {listed.root.hex()[:16]}… is not the root "
                        f"{root.hex()[:16]}… of the first {size} entries",
                        checkpoint=size,
                    )
                )
        earlier = self._by_size.get(previous, [])
        for listed in self._by_size[size]:
            for before in earlier:
                try:
                    verify_consistency(previous, size, proof, before.root, listed.root)
                except ConsistencyProofError as error:
                    self.report.add(
                        Finding(
                            "checkpoint-consistency",
                            f"not consistent with the checkpoint of size {previous} "
                            f"(RFC 9162 proof from the entries): {error}",
                            checkpoint=size,
                        )
                    )

    def check_final(self, size: int, root: bytes) -> None:
        """After the tree is rebuilt from `size` entries: unreached sizes and final coverage."""
        for mark in self.marks:
            if mark in self._reached:
                continue
            message = (
                f"it covers {mark} entries, but the record holds only {size}"
                if mark > size
                else "its root could not be checked: an entry before it is unreadable"
            )
            self.report.add(Finding("checkpoint-root", message, checkpoint=mark))
        if not self.listed:
            self.report.add(
                Finding("checkpoint-final", "the record has no checkpoint", file=CHECKPOINTS)
            )
            return
        last = max(self.listed, key=lambda listed: listed.size)
        if last.size < size:
            self.report.add(
                Finding(
                    "checkpoint-final",
                    (
                        f"entry {last.size} is"
                        if last.size == size - 1
                        else f"entries {last.size} to {size - 1} are"
                    )
                    + " covered by no signed checkpoint",
                    checkpoint=last.size,
                )
            )
        elif last.size > size:
            self.report.add(
                Finding(
                    "checkpoint-final",
                    f"the final checkpoint covers {last.size} entries; the record holds {size}",
                    checkpoint=last.size,
                )
            )

    def final_verified(self, size: int, root: bytes) -> bool:
        """Whether a validly signed checkpoint of exactly `size` entries has this root."""
        return any(listed.signed and listed.root == root for listed in self._by_size.get(size, []))
