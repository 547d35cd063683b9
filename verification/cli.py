"""The observer's command line: `verify RECORD` and `verify-receipt RECEIPT --record RECORD`.

Used by `civica verify` and by the standalone bundle (`python civica-verify.pyz verify ...`),
so it imports only the standard library and `verification`. Exit status: 0 when every check
holds, 1 when there is any finding, 2 when the input cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from verification.findings import CHECKS, DEFAULT_FINDING_LIMIT, Report
from verification.formats import short_code
from verification.record import RecordInputError
from verification.verifier import ReceiptInput, verify_receipts, verify_record

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


class ProgressBar:
    """A one-line progress bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and (total is None or done < total):
            return
        self._last = now
        if total:
            fraction = min(done / total, 1.0)
            bar = "#" * int(fraction * 30)
            text = f"\r{self.label} [{bar:<30}] {fraction:4.0%} {done:,}/{total:,} entries"
        else:
            text = f"\r{self.label} {done:,} entries"
        self.stream.write(text)
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("record", help="a record folder, .zip, .tar.gz, or a civica record URL")
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")
    parser.add_argument(
        "--receipt",
        action="append",
        default=[],
        metavar="FILE",
        help="also check this receipt (JSON file); may be repeated",
    )
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="FILE",
        help="a signed checkpoint you saved while voting was open (the note, or JSON with a "
        '"note" member): it must agree with the record; may be repeated',
    )
    parser.add_argument(
        "--fingerprint", metavar="HEX", help="the cycle fingerprint you expect (published earlier)"
    )
    parser.add_argument(
        "--max-findings",
        type=int,
        default=DEFAULT_FINDING_LIMIT,
        metavar="N",
        help=f"findings listed per check (default {DEFAULT_FINDING_LIMIT}); the rest are counted",
    )


def add_verify_receipt_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("receipt", help="the receipt file (JSON)")
    parser.add_argument("--record", required=True, help="record folder, archive or URL")
    parser.add_argument("--json", action="store_true", help="print a machine-readable report")


def run_verify(args: argparse.Namespace) -> int:
    """`verify RECORD`: every check; prints a summary or the JSON report."""
    try:
        receipts = [_read_receipt(Path(name)) for name in args.receipt]
        observed = [_read_checkpoint(Path(name)) for name in args.checkpoint]
        expected = _fingerprint(args.fingerprint) if args.fingerprint else None
        progress = ProgressBar(sys.stderr, "verifying") if sys.stderr.isatty() else None
        try:
            report = verify_record(
                args.record,
                receipts=receipts,
                observed_checkpoints=observed,
                expected_fingerprint=expected,
                progress=progress,
                finding_limit=max(args.max_findings, 0),
            )
        finally:
            if progress is not None:
                progress.finish()
    except RecordInputError as error:
        return _unusable(error, args.json)
    _print_report(report, args.json, sys.stdout)
    return report.exit_status


def run_verify_receipt(args: argparse.Namespace) -> int:
    """`verify-receipt RECEIPT --record RECORD`: signature, entry and inclusion."""
    try:
        receipt = _read_receipt(Path(args.receipt))
        progress = ProgressBar(sys.stderr, "checking") if sys.stderr.isatty() else None
        try:
            report = verify_receipts(args.record, [receipt], progress=progress)
        finally:
            if progress is not None:
                progress.finish()
    except RecordInputError as error:
        return _unusable(error, args.json)
    if args.json:
        _print_report(report, True, sys.stdout)
    elif report.ok:
        index = receipt.value["index"]
        code = short_code(bytes.fromhex(receipt.value["leaf_hash"]))
        print(f"receipt {receipt.label}: honoured")
        print(f"  entry {index} (short code {code}) is on the board of cycle {report.fingerprint}")
        print(f"  and covered by the signed final checkpoint of {report.counts['entries']} entries")
    else:
        _print_report(report, False, sys.stdout)
    return report.exit_status


def _read_receipt(path: Path) -> ReceiptInput:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordInputError(f"cannot read the receipt {path}: {error}") from None
    return ReceiptInput(path.name, value)


def _read_checkpoint(path: Path) -> tuple[str, bytes]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RecordInputError(f"cannot read the checkpoint {path}: {error.strerror}") from None
    if data.lstrip().startswith(b"{"):
        try:
            note = json.loads(data)["note"]
        except (ValueError, KeyError, TypeError):
            raise RecordInputError(f"{path} is JSON without a checkpoint note") from None
        return path.name, str(note).encode()
    return path.name, data


def _fingerprint(text: str) -> bytes:
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if len(value) != 32:
        raise RecordInputError("--fingerprint must be 64 hexadecimal digits")
    return value


def _unusable(error: Exception, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"ok": False, "unusable": str(error)}))
    print(f"civica verify: unusable input: {error}", file=sys.stderr)
    return EXIT_UNUSABLE


def _print_report(report: Report, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        return
    counts = report.counts
    out.write(f"record       {report.record}\n")
    out.write(f"fingerprint  {report.fingerprint}\n")
    out.write(f"checked      {_counted(counts)}\n")
    if "ballots_counted" in counts:
        out.write(
            f"ballots      {counts['ballots_counted']:,} counted, "
            f"{counts['ballots_superseded']:,} superseded, {counts['ballots_invalid']:,} invalid\n"
        )
    out.write(f"time         {_timing(report.timings)}\n")
    out.write("checks\n")
    for check in report.checked:
        failed = report.failed(check)
        mark = "ok  " if not failed else f"FAIL ({failed})"
        out.write(f"  {mark:<10} {check}: {CHECKS[check]}\n")
    if report.ok:
        out.write(f"result       all {len(report.checked)} checks hold\n")
        return
    total = sum(report.failed(check) for check in report.checked)
    out.write(f"result       {total} finding(s)\n")
    for finding in report.findings:
        concerns = finding.concerns()
        where = f" [{concerns}]" if concerns else ""
        out.write(f"  {finding.check}{where}: {finding.message}\n")
    for check, count in sorted(report.omitted.items()):
        out.write(f"  {check}: {count} more finding(s) not listed\n")


def _counted(counts: dict[str, Any]) -> str:
    parts = []
    for key, label in (
        ("entries", "entries"),
        ("checkpoints", "checkpoints"),
        ("observed_checkpoints", "observed checkpoints"),
        ("scopes", "scopes"),
        ("receipts", "receipts"),
    ):
        if key in counts:
            parts.append(f"{counts[key]:,} {label}")
    return ", ".join(parts)


def _timing(timings: dict[str, float]) -> str:
    text = f"{timings.get('total', 0.0):.2f} s"
    if timings.get("decrypt"):
        text += f" (opening sealed ballots {timings['decrypt']:.2f} s)"
    return text


def build_parser(prog: str = "civica-verify") -> argparse.ArgumentParser:
    """The standalone verifier's parser: `verify` and `verify-receipt`."""
    parser = argparse.ArgumentParser(prog=prog, description="Verify a civica election record.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    verify = subparsers.add_parser("verify", help="verify a whole election record")
    add_verify_arguments(verify)
    verify.set_defaults(func=run_verify)
    receipt = subparsers.add_parser("verify-receipt", help="check a receipt against a record")
    add_verify_receipt_arguments(receipt)
    receipt.set_defaults(func=run_verify_receipt)
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "civica-verify") -> int:
    """Run the standalone verifier and return its exit status."""
    args = build_parser(prog).parse_args(argv)
    status: int = args.func(args)
    return status
