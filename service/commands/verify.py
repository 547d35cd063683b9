"""`civica verify RECORD` and `civica verify-receipt RECEIPT --record RECORD`.

Thin wrappers over `verification.cli`, which the standalone bundle runs too, so the service
and an observer's copy behave identically.
"""

from __future__ import annotations

import argparse

from verification.cli import (
    add_verify_arguments,
    add_verify_receipt_arguments,
    run_verify,
    run_verify_receipt,
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = subparsers.add_parser(
        "verify",
        help="verify an election record (folder, .zip, .tar.gz or URL); exit 0, 1 or 2",
        description="Run every check of docs/election-record.md §11 on an election record. "
        "Exit status: 0 all checks hold, 1 findings, 2 unusable input.",
    )
    add_verify_arguments(verify)
    verify.set_defaults(func=run_verify)
    receipt = subparsers.add_parser(
        "verify-receipt",
        help="check a voter's receipt against an election record",
        description="Check that a receipt is signed by the cycle's log key and that its entry "
        "is in the record, covered by the signed final checkpoint.",
    )
    add_verify_receipt_arguments(receipt)
    receipt.set_defaults(func=run_verify_receipt)
