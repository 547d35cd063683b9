"""The observer's verifier: every check of docs/election-record.md §11 on a published record.

`verify_record` reads the small files, then streams `entries.jsonl` and `ballots.jsonl` side by
side once: each entry is hashed into the rebuilt Merkle tree (roots and consistency proofs are
checked as each checkpoint size is reached), opened with the released key, validated, and its
published ballot line compared; last-ballot-counts and the tallies follow at the end, from the
shared `verification.recount`. Failures become findings; only a record that cannot be read at
all raises `RecordInputError`.

`verify_receipts` is the light pass for receipts alone: it rebuilds the tree (no decryption)
and checks each receipt's signature, entry and inclusion in the signed final checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from nacl.public import PrivateKey

from verification.board_check import BoardCheck
from verification.checkpoint_check import CheckpointCheck
from verification.errors import SignatureError
from verification.findings import DEFAULT_FINDING_LIMIT, Finding, Report
from verification.formats import (
    CLOSING_FORMAT,
    FormatError,
    b64decode,
    canonical_json,
    log_origin,
)
from verification.manifest import Manifest, ManifestError, manifest_from_json
from verification.receipt_check import ReceiptInput, check_receipts, receipt_indexes
from verification.record import (
    BALLOTS,
    CHECKPOINTS,
    CLOSING,
    ENTRIES,
    MANIFEST,
    RESULTS,
    SEALING_KEY,
    HashedLines,
    RecordInputError,
    RecordSource,
    open_record,
    read_file,
)
from verification.results_check import check_results
from verification.statements import (
    ClosingStatement,
    StatementFormatError,
    parse_closing,
    verify_statement,
)

__all__ = ["ReceiptInput", "verify_receipt", "verify_receipts", "verify_record"]

Progress = Callable[[int, int | None], None]
"""Called now and then with (entries done, entries expected or None)."""


@dataclass
class _Context:
    source: RecordSource
    report: Report
    manifest: Manifest
    manifest_bytes: bytes
    fingerprint: bytes
    file_hashes: dict[str, bytes] = field(default_factory=dict)


def verify_record(
    record: RecordSource | str,
    *,
    receipts: Sequence[ReceiptInput] = (),
    observed_checkpoints: Sequence[tuple[str, bytes]] = (),
    expected_fingerprint: bytes | None = None,
    progress: Progress | None = None,
    finding_limit: int = DEFAULT_FINDING_LIMIT,
) -> Report:
    """Run every check on a record; raises `RecordInputError` if it cannot be read.

    `observed_checkpoints` are (label, signed note) pairs the observer saved elsewhere: each
    must be signed by the log and agree with the record.
    """
    started = time.perf_counter()
    source = open_record(record) if isinstance(record, str) else record
    try:
        context = _load_manifest(source, finding_limit, expected_fingerprint)
        closing = _check_closing(context)
        secret_key = _check_sealing_key(context)
        checkpoints = CheckpointCheck(context.report, context.manifest, context.fingerprint)
        checkpoints.load(_lines(source, CHECKPOINTS, context))
        for label, note in observed_checkpoints:
            checkpoints.observe(label, note)
        results_bytes = read_file(source, RESULTS)
        context.file_hashes[RESULTS] = hashlib.sha256(results_bytes).digest()
        results = _parse_json(results_bytes, RESULTS)
        board = BoardCheck(
            context.report,
            context.manifest,
            context.fingerprint,
            checkpoints,
            secret_key=secret_key,
            receipt_indexes=receipt_indexes(receipts),
            progress=progress,
            expected_entries=closing.final_size if closing is not None else None,
        )
        entries = HashedLines(source.open(ENTRIES), ENTRIES)
        ballots = HashedLines(source.open(BALLOTS), BALLOTS)
        try:
            board.run(entries, ballots)
        finally:
            entries.close()
            ballots.close()
        context.file_hashes[ENTRIES] = entries.digest
        context.file_hashes[BALLOTS] = ballots.digest
        for lines in (entries, ballots):
            if lines.unterminated:
                context.report.add(
                    Finding(
                        "entry-line" if lines is entries else "ballot-line",
                        "the last line has no newline",
                        file=lines.name,
                    )
                )
        final_root = board.root
        checkpoints.check_final(board.size, final_root)
        outcome = board.finish()
        check_results(
            context.report,
            results_bytes,
            results,
            context.manifest,
            context.fingerprint,
            board.size,
            final_root,
            outcome,
        )
        if closing is not None:
            _check_closing_against(context, closing, board.size, final_root)
        check_receipts(
            context.report,
            context.manifest,
            context.fingerprint,
            receipts,
            board.leaf_hashes,
            board.size,
            checkpoints.final_verified(board.size, final_root),
        )
        report = context.report
        report.counts.update(board.counts())
        report.counts["checkpoints"] = checkpoints.count
        if observed_checkpoints:
            report.counts["observed_checkpoints"] = checkpoints.observed
        report.counts["scopes"] = len(context.manifest.scopes)
        report.counts["receipts"] = len(receipts)
        report.timings.update(board.timings())
        report.timings["signatures"] = checkpoints.seconds
    finally:
        if isinstance(record, str):
            source.close()
    report.timings["total"] = time.perf_counter() - started
    return report


def verify_receipts(
    record: RecordSource | str,
    receipts: Sequence[ReceiptInput],
    *,
    progress: Progress | None = None,
) -> Report:
    """Check receipts against a record: signature, entry and inclusion (no decryption)."""
    started = time.perf_counter()
    source = open_record(record) if isinstance(record, str) else record
    try:
        context = _load_manifest(source, DEFAULT_FINDING_LIMIT, None)
        checkpoints = CheckpointCheck(context.report, context.manifest, context.fingerprint)
        checkpoints.load(_lines(source, CHECKPOINTS, context))
        board = BoardCheck(
            context.report,
            context.manifest,
            context.fingerprint,
            checkpoints,
            secret_key=None,
            receipt_indexes=receipt_indexes(receipts),
            progress=progress,
            expected_entries=None,
            open_ballots=False,
        )
        entries = HashedLines(source.open(ENTRIES), ENTRIES)
        try:
            board.run(entries, None)
        finally:
            entries.close()
        final_root = board.root
        checkpoints.check_final(board.size, final_root)
        check_receipts(
            context.report,
            context.manifest,
            context.fingerprint,
            receipts,
            board.leaf_hashes,
            board.size,
            checkpoints.final_verified(board.size, final_root),
        )
        report = context.report
        report.counts.update(entries=board.size, checkpoints=checkpoints.count)
        report.counts["receipts"] = len(receipts)
    finally:
        if isinstance(record, str):
            source.close()
    report.timings["total"] = time.perf_counter() - started
    return report


def verify_receipt(receipt: Any, record: RecordSource | str) -> Report:
    """Check one receipt (parsed JSON) against a record."""
    return verify_receipts(record, [ReceiptInput("receipt", receipt)])


def _load_manifest(
    source: RecordSource, finding_limit: int, expected_fingerprint: bytes | None
) -> _Context:
    data = read_file(source, MANIFEST)
    fingerprint = hashlib.sha256(data).digest()
    report = Report(record=source.description, fingerprint=fingerprint.hex())
    report.finding_limit = finding_limit
    value = _parse_json(data, MANIFEST)
    report.ran("manifest-canonical", "manifest-fingerprint")
    try:
        if canonical_json(value) != data:
            report.add(
                Finding("manifest-canonical", "manifest.json is not canonical JSON", file=MANIFEST)
            )
    except FormatError as error:
        report.add(Finding("manifest-canonical", str(error), file=MANIFEST))
    try:
        manifest = manifest_from_json(value)
    except (ManifestError, FormatError) as error:
        raise RecordInputError(f"manifest.json is not a valid manifest: {error}") from None
    if expected_fingerprint is not None and expected_fingerprint != fingerprint:
        report.add(
            Finding(
                "manifest-fingerprint",
                f"manifest.json hashes to {fingerprint.hex()}, not the expected "
                f"{expected_fingerprint.hex()}",
                file=MANIFEST,
            )
        )
    return _Context(source, report, manifest, data, fingerprint)


def _parse_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordInputError(f"{name} is not valid UTF-8 JSON: {error}") from None


def _lines(source: RecordSource, name: str, context: _Context) -> Iterator[bytes]:
    lines = HashedLines(source.open(name), name)
    try:
        yield from lines
    finally:
        lines.close()
    context.file_hashes[name] = lines.digest
    if lines.unterminated:
        context.report.add(Finding("checkpoint-line", "the last line has no newline", file=name))


def _check_closing(context: _Context) -> ClosingStatement | None:
    report = context.report
    report.ran("closing-statement", "closing-signature", "closing-file-hash")
    data = read_file(context.source, CLOSING)
    value = _parse_json(data, CLOSING)
    try:
        canonical = canonical_json(value) == data
    except FormatError:
        canonical = False
    if not canonical:
        report.add(Finding("closing-statement", "closing.json is not canonical JSON", file=CLOSING))
    try:
        closing = parse_closing(value)
    except StatementFormatError as error:
        report.add(Finding("closing-statement", str(error), file=CLOSING))
        return None
    try:
        verify_statement(closing.statement, CLOSING_FORMAT, context.manifest.log_public_key)
    except SignatureError as error:
        report.add(Finding("closing-signature", str(error), file=CLOSING))
    if closing.cycle_fingerprint != context.fingerprint:
        report.add(
            Finding(
                "manifest-fingerprint",
                f"manifest.json hashes to {context.fingerprint.hex()}, but the closing statement "
                f"binds {closing.cycle_fingerprint.hex()}: this is not the manifest the cycle "
                "was run with",
                file=MANIFEST,
            )
        )
    if closing.origin != log_origin(closing.cycle_fingerprint):
        report.add(
            Finding(
                "closing-statement",
                f"origin {closing.origin!r} does not match the fingerprint it states",
                file=CLOSING,
            )
        )
    return closing


def _check_closing_against(
    context: _Context, closing: ClosingStatement, size: int, root: bytes
) -> None:
    report = context.report
    if (closing.final_size, closing.final_root) != (size, root):
        report.add(
            Finding(
                "closing-statement",
                f"the closing statement's final checkpoint is size {closing.final_size}, root "
                f"{closing.final_root.hex()[:16]}…, but the entries give size {size}, root "
                f"{root.hex()[:16]}…",
                file=CLOSING,
            )
        )
    for name, signed in sorted(closing.files.items()):
        actual = context.file_hashes.get(name)
        if actual is not None and actual != signed:
            report.add(
                Finding(
                    "closing-file-hash",
                    f"SHA-256 is {actual.hex()}, but the closing statement signs {signed.hex()}: "
                    "the file was changed after the close",
                    file=name,
                )
            )


def _check_sealing_key(context: _Context) -> bytes | None:
    report = context.report
    report.ran("sealing-key")
    data = read_file(context.source, SEALING_KEY)
    context.file_hashes[SEALING_KEY] = hashlib.sha256(data).digest()
    value = _parse_json(data, SEALING_KEY)
    if not isinstance(value, dict) or set(value) != {"public_key", "secret_key"}:
        report.add(
            Finding(
                "sealing-key",
                "sealing-key.json must hold public_key and secret_key",
                file=SEALING_KEY,
            )
        )
        return None
    try:
        if canonical_json(value) != data:
            report.add(
                Finding("sealing-key", "sealing-key.json is not canonical JSON", file=SEALING_KEY)
            )
        public_key = b64decode(str(value["public_key"]), "public_key")
        secret_key = b64decode(str(value["secret_key"]), "secret_key")
    except FormatError as error:
        report.add(Finding("sealing-key", str(error), file=SEALING_KEY))
        return None
    if public_key != context.manifest.sealing_public_key:
        report.add(
            Finding(
                "sealing-key",
                "the released public key is not the manifest's sealing public key: ballots were "
                "sealed to another key than the one released",
                file=SEALING_KEY,
            )
        )
    if len(secret_key) != 32:
        report.add(
            Finding("sealing-key", "the released secret key is not 32 bytes", file=SEALING_KEY)
        )
        return None
    if bytes(PrivateKey(secret_key).public_key) != context.manifest.sealing_public_key:
        report.add(
            Finding(
                "sealing-key",
                "the released secret key does not derive the manifest's sealing public key",
                file=SEALING_KEY,
            )
        )
    return secret_key
