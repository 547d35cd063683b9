"""The verifier's single pass over the board (§3, §5, §6; §11 items 3, 6).

`entries.jsonl` and `ballots.jsonl` are read side by side. Per entry: its line is compared
with the one canonical encoding, the entry is decoded, its leaf hash goes into the rebuilt
tree, and (unless only receipts are checked) the shared `Recount` opens and validates it and
its published ballot line is compared byte for byte with the expected one. Statuses depend on
later entries (last ballot counts), so the published status is kept, one byte per entry, and
compared in `finish`.

The common case is the fast path (byte comparisons); anything that differs goes to a slow path
that parses the line and says precisely what differs.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from verification.checkpoint_check import CheckpointCheck
from verification.findings import Finding, Report
from verification.formats import (
    ENTRY_MAGIC,
    MAX_SEALED_BALLOT,
    SEALED_BOX_OVERHEAD,
    Channel,
    FormatError,
    canonical_json,
    decode_entry,
)
from verification.manifest import Manifest
from verification.rebuild import TreeRebuilder
from verification.record import BALLOTS, ENTRIES
from verification.recount import (
    COUNTED,
    INVALID,
    SUPERSEDED,
    OpenedBallot,
    Recount,
    RecountResult,
    ballot_line_prefix,
)

_STATUS_CODES = {COUNTED: 0, SUPERSEDED: 1, INVALID: 2}
_STATUS_NAMES = {code: name for name, code in _STATUS_CODES.items()}
_STATUS_TAILS = {b'"%s"}' % name.encode(): code for name, code in _STATUS_CODES.items()}
_UNKNOWN = 3  # no comparable status: the entry or its published line is unusable
_HEADER = len(ENTRY_MAGIC) + 32 + 4 + 32 + 1 + 4
_LINE_START = b'{"entry":"'
_CHANNELS = {int(channel): channel for channel in Channel}
_PROGRESS_EVERY = 1024
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Characters allowed before "=" and before "==": their unused low bits must be zero.
_BEFORE_ONE_PAD = frozenset(char for value, char in enumerate(_BASE64) if not value & 0x03)
_BEFORE_TWO_PADS = frozenset(char for value, char in enumerate(_BASE64) if not value & 0x0F)


def _canonical_padding(encoded: bytes) -> bool:
    """Whether padded base64 leaves its unused trailing bits zero (RFC 4648 §3.5).

    (`binascii.a2b_base64` accepts "QR==" for "QQ==": the check is ours.)
    """
    if encoded[-2:] == b"==":
        return encoded[-3] in _BEFORE_TWO_PADS
    if encoded[-1:] == b"=":
        return encoded[-2] in _BEFORE_ONE_PAD
    return True


class BoardCheck:
    """Check every entry and published ballot in one streaming pass."""

    def __init__(
        self,
        report: Report,
        manifest: Manifest,
        fingerprint: bytes,
        checkpoints: CheckpointCheck,
        *,
        secret_key: bytes | None,
        receipt_indexes: set[int],
        progress: Callable[[int, int | None], None] | None,
        expected_entries: int | None,
        open_ballots: bool = True,
    ) -> None:
        self.report = report
        self.manifest = manifest
        self._header = ENTRY_MAGIC + fingerprint
        self._tree = TreeRebuilder(checkpoints.marks, checkpoints.on_mark)
        self._tree_broken = False
        self._recount = Recount(manifest, secret_key) if open_ballots else None
        self._open_ballots = open_ballots
        self._receipt_indexes = receipt_indexes
        self.leaf_hashes: dict[int, bytes] = {}
        self._progress = progress
        self._expected = expected_entries
        self._published = bytearray()
        self._computed = bytearray()
        self.size = 0
        self._seconds = 0.0
        self._result: RecountResult | None = None
        report.ran("entry-line", "entry-format")
        if open_ballots:
            report.ran("ballot-line", "ballot-content", "ballot-status")

    @property
    def root(self) -> bytes:
        """Root of the tree rebuilt from the entries read (up to the first unreadable one)."""
        return self._tree.root()

    def run(self, entries: Iterable[bytes], ballots: Iterable[bytes] | None) -> None:
        """Read both files to their end."""
        started = time.perf_counter()
        published: Iterator[bytes] = iter(ballots if ballots is not None else ())
        # The loop runs once per entry: names are bound locally and the common case inlined.
        sha256 = hashlib.sha256
        from_base64 = binascii.a2b_base64
        base64_error = binascii.Error
        header = self._header
        scope_start = len(header)
        known_scopes = {scope.id for scope in self.manifest.scopes}
        leaves: list[bytes] = []
        add_leaf = leaves.append
        receipts = self._receipt_indexes
        recount = self._recount.add if self._recount is not None else None
        compare = self._compare_ballot
        position = -1
        for position, line in enumerate(entries):
            if not position % _PROGRESS_EVERY:
                self._tree_extend(leaves)
                if self._progress is not None:
                    self._progress(position, self._expected)
            # Fast path: the line is exactly {"entry":"<canonical base64>","index":<position>}.
            suffix = b'","index":%d}' % position
            data = None
            if line[: len(_LINE_START)] == _LINE_START and line.endswith(suffix):
                encoded = line[len(_LINE_START) : -len(suffix)]
                try:
                    data = from_base64(encoded, strict_mode=True)
                except base64_error:
                    data = None
                if data is not None and not _canonical_padding(encoded):
                    data = None
            if data is None:
                data = self._entry_bytes_slowly(position, line)
                if data is None:
                    self._tree_extend(leaves)
                    self._break_tree(position)
                    self._skip_ballot(position, published)
                    continue
            leaf = sha256(b"\x00" + data).digest()
            add_leaf(leaf)
            if position in receipts:
                self.leaf_hashes[position] = leaf
            sealed_length = len(data) - _HEADER
            channel = _CHANNELS.get(data[_HEADER - 5]) if sealed_length > 0 else None
            if (
                channel is None
                or data[:scope_start] != header
                or int.from_bytes(data[_HEADER - 4 : _HEADER], "big") != sealed_length
                or not SEALED_BOX_OVERHEAD < sealed_length <= MAX_SEALED_BALLOT
            ):
                self._bad_entry(position, data)
                self._skip_ballot(position, published)
                continue
            scope_id = int.from_bytes(data[scope_start : scope_start + 4], "big")
            if scope_id not in known_scopes:
                self.report.add(
                    Finding(
                        "entry-format",
                        f"scope {scope_id} is not in the manifest",
                        entry=position,
                        scope=scope_id,
                    )
                )
            if recount is not None:
                alias = data[scope_start + 4 : scope_start + 36]
                opened = recount(position, scope_id, alias, channel, data[_HEADER:])
                compare(opened, next(published, None))
        self.size = position + 1
        self._tree_extend(leaves)
        if recount is not None:
            extra = sum(1 for _ in published)
            if extra:
                self.report.add(
                    Finding(
                        "ballot-line", f"{extra} line(s) more than there are entries", file=BALLOTS
                    )
                )
        if self._progress is not None:
            self._progress(self.size, self._expected)
        self._seconds = time.perf_counter() - started

    def _tree_extend(self, leaves: list[bytes]) -> None:
        if not self._tree_broken:
            self._tree.extend(leaves)
        leaves.clear()

    def _entry_bytes_slowly(self, position: int, line: bytes) -> bytes | None:
        report = self.report
        try:
            value = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            report.add(Finding("entry-line", "the line is not JSON", entry=position, file=ENTRIES))
            return None
        if not isinstance(value, dict) or set(value) != {"entry", "index"}:
            report.add(
                Finding(
                    "entry-line",
                    "a line must hold exactly entry and index",
                    entry=position,
                    file=ENTRIES,
                )
            )
            return None
        if value["index"] != position:
            report.add(
                Finding(
                    "entry-line",
                    f"line {position} carries index {value['index']!r}: indexes must run "
                    "0, 1, 2, … without gaps",
                    entry=position,
                    file=ENTRIES,
                )
            )
        encoded = str(value["entry"])
        try:
            data = binascii.a2b_base64(encoded.encode(), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError):
            report.add(
                Finding("entry-line", "the entry is not valid base64", entry=position, file=ENTRIES)
            )
            return None
        if binascii.b2a_base64(data, newline=False).decode() != encoded:
            report.add(
                Finding(
                    "entry-line", "the entry is not canonical base64", entry=position, file=ENTRIES
                )
            )
        try:
            canonical = canonical_json(value) == line
        except FormatError:
            canonical = False
        if not canonical and value["index"] == position:
            report.add(
                Finding(
                    "entry-line", "the line is not canonical JSON", entry=position, file=ENTRIES
                )
            )
        return data

    def _break_tree(self, position: int) -> None:
        if not self._tree_broken:
            self._tree_broken = True
            self.report.add(
                Finding(
                    "checkpoint-root",
                    f"the tree cannot be rebuilt past entry {position}; later checkpoints are "
                    "not checked against the entries",
                    entry=position,
                )
            )

    def _bad_entry(self, position: int, data: bytes) -> None:
        try:
            entry = decode_entry(data)
        except FormatError as error:
            message = str(error)
        else:
            message = (
                "the entry is fine on its own"
                if entry.fingerprint == self._header[len(ENTRY_MAGIC) :]
                else f"the entry belongs to the cycle {entry.fingerprint.hex()}, not this one"
            )
        self.report.add(Finding("entry-format", message, entry=position))

    def _skip_ballot(self, position: int, published: Iterator[bytes]) -> None:
        if self._open_ballots:
            if next(published, None) is None:
                self._missing_ballot(position)
            self._published.append(_UNKNOWN)
            self._computed.append(_UNKNOWN)

    def _missing_ballot(self, position: int) -> None:
        self.report.add(
            Finding(
                "ballot-line",
                "ballots.jsonl has no line for this entry",
                entry=position,
                file=BALLOTS,
            )
        )

    def _compare_ballot(self, opened: OpenedBallot, line: bytes | None) -> None:
        self._computed.append(1 if opened.reason is None else 2)
        if line is None:
            self._missing_ballot(opened.position)
            self._published.append(_UNKNOWN)
            return
        prefix = ballot_line_prefix(opened)
        if line[: len(prefix)] == prefix:
            code = _STATUS_TAILS.get(line[len(prefix) :])
            if code is not None:
                self._published.append(code)
                return
        self._published.append(self._diagnose(opened, line))

    def _diagnose(self, opened: OpenedBallot, line: bytes) -> int:
        """Say what differs between a published ballot line and the opened entry."""
        report = self.report
        try:
            value: Any = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            value = None
        keys = {"alias", "channel", "index", "reason", "scope", "selections", "status"}
        if not isinstance(value, dict) or set(value) != keys:
            report.add(
                Finding(
                    "ballot-line",
                    "the line is not a ballot line of §6",
                    entry=opened.position,
                    file=BALLOTS,
                )
            )
            return _UNKNOWN
        expected = json.loads(ballot_line_prefix(opened) + b'"counted"}')
        differences = [
            f"{name} is {value[name]!r}, the entry gives {expected[name]!r}"
            for name in ("index", "scope", "alias", "channel")
            if value[name] != expected[name]
        ]
        if differences:
            report.add(
                Finding("ballot-line", "; ".join(differences), entry=opened.position, file=BALLOTS)
            )
        if value["selections"] != expected["selections"] or value["reason"] != expected["reason"]:
            report.add(
                Finding(
                    "ballot-content",
                    f"published as {_describe(value['selections'], value['reason'])}, but the "
                    "sealed entry opens to "
                    f"{_describe(expected['selections'], expected['reason'])}",
                    entry=opened.position,
                    scope=opened.scope_id,
                )
            )
        elif not differences:
            try:
                canonical = canonical_json(value) == line
            except FormatError:
                canonical = False
            if not canonical:
                report.add(
                    Finding(
                        "ballot-line",
                        "the line is not canonical JSON",
                        entry=opened.position,
                        file=BALLOTS,
                    )
                )
        code = _STATUS_CODES.get(value["status"]) if isinstance(value["status"], str) else None
        if code is None:
            report.add(
                Finding(
                    "ballot-line",
                    f"unknown status {value['status']!r}",
                    entry=opened.position,
                    file=BALLOTS,
                )
            )
            return _UNKNOWN
        return code

    def finish(self) -> RecountResult | None:
        """Apply last-ballot-counts, tally, and compare every published status."""
        if self._recount is None:
            return None
        started = time.perf_counter()
        result = self._recount.finish()
        self._result = result
        expected = bytearray(self._computed)
        for index in result.counted_indexes:
            expected[index] = 0
        if expected != self._published:
            self._report_statuses(expected)
        self._seconds += time.perf_counter() - started
        return result

    def _report_statuses(self, expected: bytearray) -> None:
        for index, (want, got) in enumerate(zip(expected, self._published, strict=True)):
            if want == got or _UNKNOWN in (want, got):
                continue
            reason = {
                0: "it is its voter's last valid ballot in its vote group",
                1: "a later valid ballot of the same voter and vote group supersedes it",
                2: "it is invalid",
            }[want]
            self.report.add(
                Finding(
                    "ballot-status",
                    f"published as {_STATUS_NAMES[got]}, but {reason}: {_STATUS_NAMES[want]}",
                    entry=index,
                )
            )

    def counts(self) -> dict[str, int]:
        counts = {"entries": self.size}
        if self._result is not None:
            counts["ballots_counted"] = sum(s.counted for s in self._result.scopes)
            counts["ballots_superseded"] = sum(s.superseded for s in self._result.scopes)
            counts["ballots_invalid"] = sum(s.invalid for s in self._result.scopes)
        return counts

    def timings(self) -> dict[str, float]:
        decrypt = self._recount.decrypt_seconds if self._recount is not None else 0.0
        return {"board": self._seconds, "decrypt": decrypt}


def _describe(selections: Any, reason: Any) -> str:
    """A published or recomputed ballot in words, for findings."""
    if selections is None:
        return f"no readable ballot ({reason})"
    text = json.dumps(selections, separators=(",", ":"))
    return text if reason is None else f"{text}, invalid ({reason})"
