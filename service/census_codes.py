"""The census provider's one-time code flow, shared by the web routes.

`request_code` does the same work whether or not the ID number and birth date match the roll:
the same queries, one Argon2id hash, one sealed-box opening (a decoy's when nothing matched),
one stored request and one scheduled delivery (which sends nothing when nothing matched, and
runs after the response has gone). The response is the same in both cases.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

from service.identity import IdentityServices
from verification import repository
from verification.identity.census import open_contact
from verification.identity.gateways import CodeMessage
from verification.identity.model import KeyedSubject, VerifiedIdentity
from verification.identity.otp import (
    code_matches,
    generate_code,
    handle_hash,
    hash_code,
    limit_bucket,
    new_handle,
    window_start,
)


@dataclass(frozen=True)
class CodeRequested:
    """A stored code request: the handle for the browser, and the message (None: no match)."""

    handle: str
    message: CodeMessage | None


class CodeRequestsLimited(Exception):
    """Too many code requests for this identity or from this address in the current window."""


class CodeRefused(Exception):
    """A typed code that cannot sign anyone in; `reason` is wrong, expired, used or exhausted."""

    def __init__(self, reason: str, attempts_left: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts_left = attempts_left


async def check_request_limits(
    pool: asyncpg.Pool, services: IdentityServices, pepper: bytes, person: str, address: str
) -> None:
    """Count this request against the identity and the address; raise when over a limit."""
    policy = services.settings.code_policy
    window = window_start(datetime.now(UTC), policy.window_s)
    by_identity = await repository.hit_rate_limit(
        pool, limit_bucket(pepper, "code-identity", person), window
    )
    by_address = await repository.hit_rate_limit(
        pool, limit_bucket(pepper, "code-address", address), window
    )
    if by_identity > policy.requests_per_identity or by_address > policy.requests_per_address:
        raise CodeRequestsLimited


async def check_attempt_limit(
    pool: asyncpg.Pool, services: IdentityServices, pepper: bytes, address: str
) -> None:
    """Count a code attempt against the address; raise when over the limit."""
    policy = services.settings.code_policy
    window = window_start(datetime.now(UTC), policy.window_s)
    hits = await repository.hit_rate_limit(
        pool, limit_bucket(pepper, "code-attempt-address", address), window
    )
    if hits > policy.attempts_per_address:
        raise CodeRequestsLimited


async def request_code(
    pool: asyncpg.Pool, services: IdentityServices, person: str, born: date
) -> CodeRequested:
    """Store a code request for (person key, birth date) and prepare its message."""
    policy = services.settings.code_policy
    entry = await repository.fetch_census_entry(pool, person)
    matched = entry is not None and entry.birth_date == born
    code = generate_code(policy.digits)
    code_hash = await asyncio.to_thread(hash_code, code)
    handle, hashed = new_handle()
    await repository.insert_challenge(
        pool,
        hashed,
        person,
        census_matched=matched,
        code_hash=code_hash,
        max_attempts=policy.max_attempts,
        lifetime_s=policy.lifetime_s,
    )
    sealed = entry.contact_sealed if matched and entry is not None else services.decoy_sealed
    contact = open_contact(services.contact_key, sealed)
    message = CodeMessage(contact, code, policy.lifetime_minutes) if matched else None
    return CodeRequested(handle, message)


async def check_code(pool: asyncpg.Pool, handle: str, code: str) -> VerifiedIdentity:
    """Spend one attempt on a code request; the census identity when the code is right."""
    hashed = handle_hash(handle)
    attempt = await repository.claim_attempt(pool, hashed)
    if attempt is None:
        raise CodeRefused(await repository.challenge_refusal(pool, hashed))
    right = await asyncio.to_thread(code_matches, attempt.code_hash, code)
    if not (right and attempt.census_matched):
        raise CodeRefused("wrong", attempt.attempts_left)
    if not await repository.consume_challenge(pool, attempt.id):
        raise CodeRefused("used")
    entry = await repository.fetch_census_entry(pool, attempt.person_key)
    if entry is None:  # the roll was replaced and this person is no longer on it
        raise CodeRefused("not_on_roll")
    return VerifiedIdentity(
        provider="census",
        subject_key=KeyedSubject(entry.person_key),
        birth_date=entry.birth_date,
        residence=entry.residence,
        status=entry.status,
        census_member=True,
    )
