"""Helpers for identity tests: staff sessions, census rows, cycles, the code outbox."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from service import repository as staff_repository
from service.accounts import Role
from service.identity import IdentityServices
from service.sessions import SESSION_COOKIE
from verification import repository
from verification.eligibility import EligibilityRules
from verification.identity.census import entry_for, parse_census

CENSUS_CSV = (
    "id_number,birth_date,residence,phone,email,status\n"
    "12345678,1980-05-01,PT-11,+351 912 345 678,,citizen\n"
    "87654321,1999-12-31,PT-13,,rui.silva@example.org,legal_resident\n"
    "11223344,2010-03-15,PT-11,+351 913 000 111,teen@example.org,citizen\n"
)
RAW_VALUES = (
    "12345678", "87654321", "11223344", "+351912345678", "912345678", "+351 912 345 678",
    "rui.silva@example.org", "teen@example.org", "+351913000111", "913000111",
)  # fmt: skip


async def import_census(state: dict[str, Any], text: str = CENSUS_CSV) -> int:
    """Import a census roll straight through the repository (as the CLI does)."""
    services: IdentityServices = state["identity"]
    rows = parse_census(text.encode(), today=date.today())
    pepper = state["keys"].identifier_pepper
    entries = [entry_for(row, pepper, services.contact_key) for row in rows]
    imported = await repository.replace_census(
        state["pool"], entries, source="command", staff_id=None
    )
    return imported.entries


async def sign_in_staff(
    client: httpx.AsyncClient, state: dict[str, Any], role: Role = Role.ADMINISTRATOR
) -> int:
    """Create a staff member and give the client a session as them (no login page needed)."""
    pool: asyncpg.Pool = state["pool"]
    staff = await staff_repository.put_staff(
        pool, f"{role.value}-{secrets.token_hex(3)}", "Staff", role, "x" * 16,
        must_change_password=False,
    )  # fmt: skip
    token = secrets.token_urlsafe(32)
    await staff_repository.insert_session(
        pool, hashlib.sha256(token.encode()).digest(), staff.id, {}, 3600
    )
    client.cookies.set(SESSION_COOKIE, token)
    return staff.id


def outbox_messages(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Every message the outbox gateway has written."""
    path: Path = state["identity"].settings.outbox_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def code_in(message: dict[str, Any]) -> str:
    found = re.search(r"code is (\d{6,8})", message["text"])
    assert found, message
    return found.group(1)


async def create_cycle(
    pool: asyncpg.Pool,
    *,
    slug: str = "opp-2026",
    reference_date: date = date(2026, 6, 1),
    providers: tuple[str, ...] = ("oidc", "credential", "census"),
    propose: EligibilityRules | None = None,
    scopes: tuple[tuple[str, str | None, str, EligibilityRules], ...] = (),
) -> int:
    """Insert a cycle and its scopes (slug, region code, vote group, rules)."""
    cycle_id: int = await pool.fetchval(
        "INSERT INTO cycles (slug, name, reference_date, project_cost_cap_cents,"
        " propose_eligibility, identity_providers) VALUES ($1, $2, $3, 30000000, $4, $5)"
        " RETURNING id",
        slug, f"Budget {slug}", reference_date, (propose or EligibilityRules()).to_dict(),
        list(providers),
    )  # fmt: skip
    for position, (scope_slug, region, group, rules) in enumerate(scopes):
        await pool.execute(
            "INSERT INTO scopes (cycle_id, slug, name, region_code, budget_cents, vote_group,"
            " ballot, tally, vote_eligibility, position)"
            " VALUES ($1, $2, $3, $4, 500000000, $5, '{}', '{}', $6, $7)",
            cycle_id, scope_slug, f"Scope {scope_slug}", region, group, rules.to_dict(), position,
        )  # fmt: skip
    return cycle_id


async def sign_in_with_census_code(
    client: httpx.AsyncClient, state: dict[str, Any], id_number: str, born: str
) -> None:
    """Sign in through the census provider: ID number and birth date, then the emailed code."""
    from tests.support.asgi import csrf_token

    await client.get("/identity/census")
    sent = await client.post(
        "/identity/census",
        data={
            "id_number": id_number,
            "birth_date": born,
            "csrf_token": csrf_token(client, state),
        },
    )
    assert sent.status_code == 303, sent.text
    code = code_in(outbox_messages(state)[-1])
    signed = await client.post(
        "/identity/census/code", data={"code": code, "csrf_token": csrf_token(client, state)}
    )
    assert signed.status_code == 303, signed.text
