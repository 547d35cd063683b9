"""All SQL for identity and eligibility: census roll, codes, nonces, limits, voter roll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
import asyncpg.pool

from verification.eligibility import EligibilityRules
from verification.identity.census import CensusEntry
from verification.voter_roll import CHANNELS, AlreadyVoted, UnknownVoteChannel, VoterRollEntry

Executor = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy | asyncpg.Pool


# --- census roll ----------------------------------------------------------------------------

INSERT_CENSUS_IMPORT = """
INSERT INTO census_imports (entries, source, imported_by) VALUES ($1, $2, $3)
RETURNING id, entries, source, imported_at
"""

DELETE_CENSUS_ENTRIES = "DELETE FROM census_entries"

CENSUS_COLUMNS = (
    "person_key", "birth_date", "residence", "status", "phone_key", "email_key",
    "contact_sealed", "import_id",
)  # fmt: skip

SELECT_CENSUS_ENTRY = """
SELECT person_key, birth_date, residence, status, phone_key, email_key, contact_sealed
  FROM census_entries WHERE person_key = $1
"""

SELECT_LAST_CENSUS_SOURCE = "SELECT source FROM census_imports ORDER BY id DESC LIMIT 1"

SELECT_CENSUS_SUMMARY = """
SELECT (SELECT count(*) FROM census_entries) AS entries,
       (SELECT max(imported_at) FROM census_imports) AS last_imported_at
"""


@dataclass(frozen=True)
class CensusImport:
    id: int
    entries: int
    source: str
    imported_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> CensusImport:
        return cls(row["id"], row["entries"], row["source"], row["imported_at"])


@dataclass(frozen=True)
class CensusSummary:
    entries: int
    last_imported_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> CensusSummary:
        return cls(row["entries"], row["last_imported_at"])


def _census_entry(row: Any) -> CensusEntry:
    return CensusEntry(
        person_key=row["person_key"],
        birth_date=row["birth_date"],
        residence=row["residence"],
        status=row["status"],
        phone_key=row["phone_key"],
        email_key=row["email_key"],
        contact_sealed=bytes(row["contact_sealed"]),
    )


async def replace_census(
    pool: asyncpg.Pool, entries: list[CensusEntry], *, source: str, staff_id: int | None
) -> CensusImport:
    """Replace the whole census roll in one transaction (all of it, or nothing)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(INSERT_CENSUS_IMPORT, len(entries), source, staff_id)
        imported = CensusImport.from_row(row)
        await conn.execute(DELETE_CENSUS_ENTRIES)
        await conn.copy_records_to_table(
            "census_entries",
            columns=CENSUS_COLUMNS,
            records=[
                (
                    e.person_key,
                    e.birth_date,
                    e.residence,
                    e.status,
                    e.phone_key,
                    e.email_key,
                    e.contact_sealed,
                    imported.id,
                )
                for e in entries
            ],
        )
    return imported


async def fetch_census_entry(conn: Executor, person_key: str) -> CensusEntry | None:
    """The census entry for a person key, or None."""
    row = await conn.fetchrow(SELECT_CENSUS_ENTRY, person_key)
    return None if row is None else _census_entry(row)


async def census_summary(conn: Executor) -> CensusSummary:
    """How many people are on the roll and when it was last imported."""
    return CensusSummary.from_row(await conn.fetchrow(SELECT_CENSUS_SUMMARY))


async def last_census_source(conn: Executor) -> str | None:
    """Where the current roll came from ('upload', 'command', 'demo'), or None."""
    source: str | None = await conn.fetchval(SELECT_LAST_CENSUS_SOURCE)
    return source


# --- one-time code challenges ---------------------------------------------------------------

INSERT_CHALLENGE = """
INSERT INTO census_challenges
       (handle_hash, person_key, census_matched, code_hash, max_attempts, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
"""

# Takes one attempt atomically: concurrent guesses can never exceed max_attempts.
CLAIM_ATTEMPT = """
UPDATE census_challenges
   SET attempts = attempts + 1
 WHERE handle_hash = $1 AND used_at IS NULL AND expires_at > now() AND attempts < max_attempts
RETURNING id, person_key, census_matched, code_hash, max_attempts - attempts AS attempts_left
"""

SELECT_CHALLENGE_STATE = """
SELECT used_at IS NOT NULL AS used, expires_at <= now() AS expired,
       attempts >= max_attempts AS exhausted
  FROM census_challenges WHERE handle_hash = $1
"""

CONSUME_CHALLENGE = """
UPDATE census_challenges SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id
"""


@dataclass(frozen=True)
class ChallengeAttempt:
    """One attempt taken on a code request: what to check the typed code against."""

    id: int
    person_key: str
    census_matched: bool
    code_hash: str
    attempts_left: int

    @classmethod
    def from_row(cls, row: Any) -> ChallengeAttempt:
        return cls(
            row["id"], row["person_key"], row["census_matched"], row["code_hash"],
            row["attempts_left"],
        )  # fmt: skip


async def insert_challenge(
    conn: Executor,
    handle_hash: bytes,
    person_key: str,
    *,
    census_matched: bool,
    code_hash: str,
    max_attempts: int,
    lifetime_s: int,
) -> None:
    """Record a code request (for matched and unmatched requests alike)."""
    await conn.execute(
        INSERT_CHALLENGE, handle_hash, person_key, census_matched, code_hash, max_attempts,
        lifetime_s,
    )  # fmt: skip


async def claim_attempt(conn: Executor, handle_hash: bytes) -> ChallengeAttempt | None:
    """Take one attempt on a live code request; None when it is used, expired or exhausted."""
    row = await conn.fetchrow(CLAIM_ATTEMPT, handle_hash)
    return None if row is None else ChallengeAttempt.from_row(row)


async def challenge_refusal(conn: Executor, handle_hash: bytes) -> str:
    """Why no attempt could be taken: 'used', 'expired', 'exhausted' or 'unknown'."""
    row = await conn.fetchrow(SELECT_CHALLENGE_STATE, handle_hash)
    if row is None:
        return "unknown"
    for reason in ("used", "expired", "exhausted"):
        if row[reason]:
            return reason
    return "exhausted"  # another request took the last attempt in between


async def consume_challenge(conn: Executor, challenge_id: int) -> bool:
    """Mark a code used; False if a concurrent request already used it."""
    return await conn.fetchval(CONSUME_CHALLENGE, challenge_id) is not None


# --- credential nonces ----------------------------------------------------------------------

INSERT_NONCE = """
INSERT INTO credential_nonces (nonce_hash, expires_at)
VALUES ($1, now() + make_interval(secs => $2))
"""

CONSUME_NONCE = """
UPDATE credential_nonces SET used_at = now()
 WHERE nonce_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING nonce_hash
"""


async def insert_nonce(conn: Executor, nonce_hash: bytes, lifetime_s: int) -> None:
    """Remember a nonce issued for a credential presentation."""
    await conn.execute(INSERT_NONCE, nonce_hash, lifetime_s)


async def consume_nonce(conn: Executor, nonce_hash: bytes) -> bool:
    """Spend a nonce; False if it is unknown, expired or already spent."""
    return await conn.fetchval(CONSUME_NONCE, nonce_hash) is not None


# --- rate limits ----------------------------------------------------------------------------

HIT_RATE_LIMIT = """
INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES ($1, $2, 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
RETURNING hits
"""


async def hit_rate_limit(conn: Executor, bucket: str, window_start: datetime) -> int:
    """Count one request in a window and return the count so far (atomic under concurrency)."""
    hits: int = await conn.fetchval(HIT_RATE_LIMIT, bucket, window_start)
    return hits


# --- housekeeping ---------------------------------------------------------------------------

DELETE_EXPIRED_CHALLENGES = (
    "DELETE FROM census_challenges WHERE expires_at < now() - interval '1 day'"
)
DELETE_EXPIRED_NONCES = "DELETE FROM credential_nonces WHERE expires_at < now() - interval '1 day'"
DELETE_OLD_COUNTERS = (
    "DELETE FROM rate_limit_counters WHERE window_start < now() - interval '2 days'"
)


async def purge_expired(conn: Executor) -> None:
    """Delete code requests, nonces and counters that can no longer matter."""
    for sql in (DELETE_EXPIRED_CHALLENGES, DELETE_EXPIRED_NONCES, DELETE_OLD_COUNTERS):
        await conn.execute(sql)


# --- voter roll -----------------------------------------------------------------------------

# One statement, so two concurrent casts for the same voter and group serialise on the
# primary key: the second either counts as a revote or returns nothing (AlreadyVoted). A paper
# ballot entered at a desk is never replaced by a web ballot, even where revoting is allowed.
MARK_VOTED = """
INSERT INTO voter_roll (cycle_id, voter_alias, vote_group, channel)
VALUES ($1, $2, $3, $4)
ON CONFLICT (cycle_id, voter_alias, vote_group) DO UPDATE
   SET channel = EXCLUDED.channel,
       ballots_cast = voter_roll.ballots_cast + 1,
       last_voted_at = date_trunc('minute', now())
 WHERE $5 AND NOT (voter_roll.channel = 'desk' AND EXCLUDED.channel = 'web')
RETURNING cycle_id, voter_alias, vote_group, channel, ballots_cast, first_voted_at,
          last_voted_at
"""

SELECT_HAS_VOTED = """
SELECT EXISTS (
    SELECT 1 FROM voter_roll WHERE cycle_id = $1 AND voter_alias = $2 AND vote_group = $3
)
"""

SELECT_VOTER_ENTRIES = """
SELECT cycle_id, voter_alias, vote_group, channel, ballots_cast, first_voted_at, last_voted_at
  FROM voter_roll WHERE cycle_id = $1 AND voter_alias = $2 ORDER BY vote_group
"""


async def mark_voted(
    conn: Executor,
    cycle_id: int,
    voter_alias: str,
    vote_group: str,
    channel: str,
    *,
    revoting_allowed: bool,
) -> VoterRollEntry:
    """Record that a voter voted in a group (call in the casting transaction).

    Raises AlreadyVoted when they had and the cycle does not allow revoting.
    """
    if channel not in CHANNELS:
        raise UnknownVoteChannel(f"channel must be one of {CHANNELS}, not {channel!r}")
    row = await conn.fetchrow(
        MARK_VOTED, cycle_id, voter_alias, vote_group, channel, revoting_allowed
    )
    if row is None:
        raise AlreadyVoted(cycle_id, vote_group)
    return VoterRollEntry.from_row(row)


async def has_voted(conn: Executor, cycle_id: int, voter_alias: str, vote_group: str) -> bool:
    """Whether a voter has voted in a group of a cycle."""
    voted: bool = await conn.fetchval(SELECT_HAS_VOTED, cycle_id, voter_alias, vote_group)
    return voted


async def voter_entries(conn: Executor, cycle_id: int, voter_alias: str) -> list[VoterRollEntry]:
    """Every group of a cycle a voter has voted in."""
    rows = await conn.fetch(SELECT_VOTER_ENTRIES, cycle_id, voter_alias)
    return [VoterRollEntry.from_row(row) for row in rows]


# --- cycles and scopes, read for sign-in and eligibility ------------------------------------

SELECT_CYCLES = """
SELECT id, slug, name, content_language, reference_date, identity_providers, propose_eligibility
  FROM cycles ORDER BY reference_date DESC, id DESC
"""

SELECT_CYCLE_BY_SLUG = """
SELECT id, slug, name, content_language, reference_date, identity_providers, propose_eligibility
  FROM cycles WHERE slug = $1
"""

SELECT_SCOPES = """
SELECT id, cycle_id, slug, name, region_code, vote_group, vote_eligibility
  FROM scopes WHERE cycle_id = ANY($1::bigint[]) ORDER BY cycle_id, position, id
"""


@dataclass(frozen=True)
class ScopeRules:
    """A scope's voting rules, as eligibility needs them."""

    id: int
    cycle_id: int
    slug: str
    name: str
    region_code: str | None
    vote_group: str
    vote_rules: EligibilityRules

    @classmethod
    def from_row(cls, row: Any) -> ScopeRules:
        return cls(
            id=row["id"],
            cycle_id=row["cycle_id"],
            slug=row["slug"],
            name=row["name"],
            region_code=row["region_code"],
            vote_group=row["vote_group"],
            vote_rules=EligibilityRules.from_dict(dict(row["vote_eligibility"])),
        )


@dataclass(frozen=True)
class CycleRules:
    """A cycle's identity providers and eligibility rules, with its scopes'."""

    id: int
    slug: str
    name: str
    content_language: str
    """The language its name and its scopes' names are written in (a BCP 47 tag)."""
    reference_date: date
    identity_providers: tuple[str, ...]
    propose_rules: EligibilityRules
    scopes: tuple[ScopeRules, ...] = ()

    @classmethod
    def from_row(cls, row: Any, scopes: tuple[ScopeRules, ...] = ()) -> CycleRules:
        return cls(
            id=row["id"],
            slug=row["slug"],
            name=row["name"],
            content_language=row["content_language"],
            reference_date=row["reference_date"],
            identity_providers=tuple(row["identity_providers"]),
            propose_rules=EligibilityRules.from_dict(dict(row["propose_eligibility"])),
            scopes=scopes,
        )


async def _with_scopes(conn: Executor, rows: list[Any]) -> list[CycleRules]:
    scope_rows = await conn.fetch(SELECT_SCOPES, [row["id"] for row in rows])
    scopes = [ScopeRules.from_row(row) for row in scope_rows]
    return [
        CycleRules.from_row(row, tuple(s for s in scopes if s.cycle_id == row["id"]))
        for row in rows
    ]


async def list_cycle_rules(conn: Executor) -> list[CycleRules]:
    """Every cycle's rules, newest reference date first."""
    return await _with_scopes(conn, list(await conn.fetch(SELECT_CYCLES)))


async def fetch_cycle_rules(conn: Executor, slug: str) -> CycleRules | None:
    """One cycle's rules by slug, or None."""
    row = await conn.fetchrow(SELECT_CYCLE_BY_SLUG, slug)
    return None if row is None else (await _with_scopes(conn, [row]))[0]
