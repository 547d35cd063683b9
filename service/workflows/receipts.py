"""Checking a voter's receipt against the live board: signed by this cycle's log, its entry
present with the same leaf hash, and included in the latest signed checkpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from ballots import repository as board_store
from service import board
from verification.errors import SignatureError, VerificationError
from verification.formats import RECEIPT_FORMAT, FormatError, log_origin, rfc3339, short_code
from verification.merkle import verify_inclusion
from verification.messages import Message, Moment, _
from verification.statements import parse_receipt, verify_statement


@dataclass(frozen=True)
class ReceiptCheck:
    """The outcome: `status` is included, pending, missing, not-signed or malformed."""

    status: str
    message: Message
    short_code: str | None = None
    index: int | None = None
    tree_size: int | None = None
    root: str | None = None
    checkpoint_note: str | None = None
    proof: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("included", "pending")

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "ok": self.ok,
            "message": str(self.message),
            "short_code": self.short_code,
            "index": self.index,
            "tree_size": self.tree_size,
            "root": self.root,
            "checkpoint": self.checkpoint_note,
            "proof": self.proof,
        }


async def check_receipt(
    pool: asyncpg.Pool, cycle_id: int, value: Any, now: datetime | None = None
) -> ReceiptCheck:
    """Check a parsed receipt against the cycle's board."""
    moment = now or datetime.now(UTC)
    try:
        receipt = parse_receipt(value)
    except FormatError:
        return ReceiptCheck(
            "malformed",
            _("This is not a civica receipt: some of its parts are missing or malformed."),
        )
    state = await board_store.fetch_board(pool, cycle_id)
    if (
        state is None
        or receipt.cycle_fingerprint != state.fingerprint
        or receipt.origin != log_origin(state.fingerprint)
    ):
        return ReceiptCheck(
            "not-signed",
            _(
                "This receipt belongs to another cycle (or another "
                "service): its cycle fingerprint is not this one's."
            ),
        )
    try:
        verify_statement(receipt.statement, RECEIPT_FORMAT, state.log_public_key)
    except SignatureError:
        return ReceiptCheck(
            "not-signed",
            _(
                "The receipt's signature does not verify with this "
                "cycle's log key: it was altered or forged."
            ),
        )
    code = short_code(receipt.leaf_hash)
    rows = await board_store.fetch_entries(pool, cycle_id, receipt.index, receipt.index + 1)
    latest = await board_store.fetch_latest_checkpoint(pool, cycle_id)
    overdue = receipt.include_by < rfc3339(moment)
    if not rows or rows[0][2] != receipt.leaf_hash:
        # Receipts are signed only after the entry is committed, so this cannot happen honestly.
        return ReceiptCheck(
            "missing",
            _(
                "The board does not hold this receipt's entry, yet the receipt is validly "
                "signed by the log: keep it, it is evidence that a recorded ballot went "
                "missing. Report it to the municipality and to observers."
            ),
            code,
            receipt.index,
        )
    if latest is None or receipt.index >= latest.tree_size:
        if overdue:
            return ReceiptCheck(
                "missing",
                _(
                    "The board promised to include this entry in a signed checkpoint by {when}, "
                    "and it has not: keep the receipt as evidence and report it.",
                    when=Moment(receipt.include_by),
                ),
                code,
                receipt.index,
            )
        return ReceiptCheck(
            "pending",
            _(
                "Your ballot is recorded. The next signed checkpoint (by {when}) will include it; "
                "check again then for the proof.",
                when=Moment(receipt.include_by),
            ),
            code,
            receipt.index,
        )
    proof = await board.inclusion_proof(pool, cycle_id, receipt.index, latest.tree_size)
    try:
        verify_inclusion(
            receipt.leaf_hash, receipt.index, latest.tree_size, proof, latest.root_hash
        )
    except VerificationError:
        return ReceiptCheck(
            "missing",
            _("The board's proof for this entry does not verify: keep the receipt and report it."),
            code,
            receipt.index,
        )
    return ReceiptCheck(
        "included",
        _(
            "Your ballot is on the public board, in the signed checkpoint of board size {size}.",
            size=latest.tree_size,
        ),
        code,
        receipt.index,
        latest.tree_size,
        latest.root_hash.hex(),
        latest.note.decode(),
        [h.hex() for h in proof],
    )
