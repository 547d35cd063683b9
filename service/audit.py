"""The audit log: every administrative action, append-only and hash-chained.

Each entry stores `entry_hash = SHA-256(previous_hash || canonical_json(content))` where
`content` is {"actor", "action", "subject", "before", "after", "recorded_at"} and the first
entry's `previous_hash` is 32 zero bytes. Canonical JSON: UTF-8, keys sorted, no whitespace
(`separators=(",", ":")`), non-ASCII kept as is; dates and times as ISO 8601 strings. A
database trigger refuses UPDATE, DELETE and TRUNCATE on the table (0005_audit_log.sql), and
`verify_audit_chain` recomputes every hash, so an edit made by someone who bypassed the trigger
is found.

How other parts record an action: inside their own transaction,

    async with conn.transaction():
        ...  # the change itself
        await record_audit(conn, staff_actor(staff), "desk.ballot_entered",
                           f"cycle/{cycle.slug}", before=None, after={"scope": "norte"})

The entry commits or rolls back with the change. Appends are serialised by an advisory lock
held until that transaction ends, so keep such transactions short.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import asyncpg

from service import repository
from service.accounts import StaffAccount
from verification.messages import _

GENESIS_HASH = bytes(32)
AUDIT_LOCK_KEY = 0x6369766963610003  # "civica" + 3: serialises appends to the chain
VERIFY_BATCH = 1000

# What each recorded action is called on the audit page (the action itself stays a code).
AUDIT_ACTION_NAMES = {
    "ballot.desk_entry": _("Ballot entered at a desk"),
    "complaint.answer": _("Complaint answered"),
    "cycle.create": _("Cycle created"),
    "cycle.import_pb": _("Cycle imported from a pabulib file"),
    "cycle.load": _("Cycle loaded from a cycle file"),
    "cycle.replace": _("Cycle replaced from a cycle file"),
    "cycle.update": _("Cycle settings changed"),
    "desk.ballot_entered": _("Ballot entered at a desk"),
    "list.final": _("Final list published"),
    "list.provisional": _("Provisional list published"),
    "phase.advance": _("Phase ended early"),
    "phase.extend": _("Phase extended"),
    "project.add_proposals": _("Proposals added to the project"),
    "project.create": _("Project created and costed"),
    "project.update": _("Project changed"),
    "project.withdraw": _("Withdrawn from the list"),
    "proposal.feasible": _("Found feasible"),
    "proposal.reconsider": _("Reconsidered after a complaint"),
    "proposal.reject": _("Found not feasible"),
    "proposal.start": _("Technical review started"),
    "record.publish": _("Election record published"),
    "scope.create": _("Scope added"),
    "scope.update": _("Scope changed"),
    "staff.activate": _("Staff account reactivated"),
    "staff.change_password": _("Password changed"),
    "staff.create": _("Staff account created"),
    "staff.deactivate": _("Staff account deactivated"),
    "staff.reset_password": _("One-time password issued"),
    "staff.update": _("Staff account changed"),
    "voting.close": _("Voting closed"),
    "voting.open": _("Voting opened"),
}


class AuditChainBroken(Exception):
    """An entry's hash or link does not match: the log was altered outside the service."""

    def __init__(self, entry_id: int, reason: str) -> None:
        super().__init__(f"audit entry {entry_id}: {reason}")
        self.entry_id = entry_id
        self.reason = reason


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor: str
    action: str
    subject: str
    before: Any
    after: Any
    recorded_at: datetime
    previous_hash: bytes
    entry_hash: bytes

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> AuditEntry:
        return cls(
            id=row["id"],
            actor=row["actor"],
            action=row["action"],
            subject=row["subject"],
            before=row["before"],
            after=row["after"],
            recorded_at=row["recorded_at"],
            previous_hash=bytes(row["previous_hash"]),
            entry_hash=bytes(row["entry_hash"]),
        )


def staff_actor(staff: StaffAccount) -> str:
    """How a staff member is named in the log."""
    return f"staff:{staff.username}"


CLI_ACTOR = "cli"
SYSTEM_ACTOR = "system"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot record {type(value).__name__} in the audit log")


def canonical_json(value: Any) -> bytes:
    """The exact bytes hashed for an entry's content."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    ).encode("utf-8")


def normalise(value: Any) -> Any:
    """`value` as it reads back from jsonb: plain JSON types only."""
    return None if value is None else json.loads(canonical_json(value))


def compute_entry_hash(
    previous_hash: bytes,
    actor: str,
    action: str,
    subject: str,
    before: Any,
    after: Any,
    recorded_at: datetime,
) -> bytes:
    """SHA-256(previous_hash || canonical JSON of the entry's content)."""
    content = {
        "actor": actor,
        "action": action,
        "subject": subject,
        "before": before,
        "after": after,
        "recorded_at": recorded_at.astimezone(UTC).isoformat(),
    }
    return hashlib.sha256(previous_hash + canonical_json(content)).digest()


async def record_audit(
    conn: repository.Connection, actor: str, action: str, subject: str, before: Any, after: Any
) -> int:
    """Append one entry to the audit log inside the caller's transaction; returns its id.

    `actor` names who acted (`staff_actor(staff)`, "cli", "system"), `action` what was done
    ("cycle.create", lower-case dotted), `subject` what it was done to ("cycle/opp-2018",
    "staff/rita"), `before`/`after` the relevant state as JSON-able values (None when absent).
    """
    if not conn.is_in_transaction():
        raise RuntimeError("record_audit must run inside the transaction that makes the change")
    before, after = normalise(before), normalise(after)
    await repository.lock_audit_log(conn, AUDIT_LOCK_KEY)
    previous = await repository.fetch_last_audit_hash(conn) or GENESIS_HASH
    recorded_at = datetime.now(UTC)
    digest = compute_entry_hash(previous, actor, action, subject, before, after, recorded_at)
    return await repository.insert_audit_entry(
        conn, actor, action, subject, before, after, recorded_at, previous, digest
    )


async def verify_audit_chain(conn: repository.Executor) -> int:
    """Recompute the whole chain; return the number of entries, or raise AuditChainBroken.

    `conn` must decode jsonb to Python values, as the pools of `service.database` do.
    """
    expected_previous = GENESIS_HASH
    last_id = 0
    count = 0
    while True:
        rows = await repository.fetch_audit_entries_after(conn, last_id, VERIFY_BATCH)
        if not rows:
            return count
        for row in rows:
            entry = AuditEntry.from_row(row)
            if entry.previous_hash != expected_previous:
                raise AuditChainBroken(entry.id, _("it does not link to the entry before it"))
            digest = compute_entry_hash(
                entry.previous_hash,
                entry.actor,
                entry.action,
                entry.subject,
                entry.before,
                entry.after,
                entry.recorded_at,
            )
            if digest != entry.entry_hash:
                raise AuditChainBroken(entry.id, _("its content does not match its hash"))
            expected_previous = entry.entry_hash
            last_id = entry.id
            count += 1


async def fetch_audit_page(
    conn: repository.Executor, *, subject: str | None, page: int, per_page: int
) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, optionally for one subject (and its sub-subjects)."""
    rows, total = await repository.fetch_audit_page(conn, subject, per_page, (page - 1) * per_page)
    return [AuditEntry.from_row(r) for r in rows], total
