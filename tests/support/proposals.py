"""Factories and HTTP helpers for the proposals tests: real rows, real forms with CSRF tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from ballots.model import BallotKind, BallotSpec
from proposals import repository as store
from proposals.model import Cycle, CycleSettings, ScopeSettings
from proposals.phases import DATED_PHASES, Phase, Schedule
from proposals.tally_choice import TallyChoice
from service.accounts import Role, StaffAccount
from service.repository import put_staff
from service.workflows.cycles import create_cycle
from tests.support.asgi import csrf_token
from verification.eligibility import EligibilityRules

PASSWORD = "correct horse battery staple"


def schedule_in(phase: Phase, now: datetime | None = None) -> Schedule:
    """Phase dates (one week apart) that make `phase` the running phase now."""
    now = now or datetime.now(UTC)
    index = -1 if phase is Phase.UPCOMING else DATED_PHASES.index(phase)
    starts = [now + timedelta(days=7 * (i - index) - (1 if i <= index else 0)) for i in range(5)]
    return Schedule(*starts)


def cycle_settings(slug: str = "test-2025", phase: Phase = Phase.PROPOSALS) -> CycleSettings:
    return CycleSettings(
        slug=slug,
        name=f"Test cycle {slug}",
        description="A cycle for tests.",
        content_language="en",
        timezone="Europe/Lisbon",
        reference_date=date(2025, 6, 1),
        project_cost_cap_cents=30_000_000,
        propose_eligibility=EligibilityRules(min_age=18),
        identity_providers=("oidc", "credential"),
        revoting_allowed=False,
        areas=("Culture", "Environment"),
        schedule=schedule_in(phase),
    )


def scope_settings(name: str, budget_cents: int = 50_000_000, group: str = "main") -> ScopeSettings:
    return ScopeSettings(
        slug=name.lower().replace(" ", "-"),
        name=name,
        description="",
        region_code=None if name == "National" else name.lower(),
        budget_cents=budget_cents,
        vote_group=group,
        ballot=BallotSpec(BallotKind.SINGLE_CHOICE),
        tally=TallyChoice(),
        vote_eligibility=EligibilityRules(min_age=18),
    )


async def make_cycle(
    pool: asyncpg.Pool, slug: str = "test-2025", phase: Phase = Phase.PROPOSALS
) -> Cycle:
    """A cycle in `phase` with scopes National (€1.5M) and Norte (€500k)."""
    return await create_cycle(
        pool,
        "test",
        cycle_settings(slug, phase),
        [scope_settings("National", 150_000_000, "national"), scope_settings("Norte")],
    )


async def set_phase(pool: asyncpg.Pool, slug: str, phase: Phase) -> Cycle:
    """Move a cycle's dates so that `phase` runs now (test setup, not the audited path)."""
    cycle = await store.fetch_cycle(pool, slug)
    async with pool.acquire() as conn:
        await store.save_schedule(conn, cycle.id, schedule_in(phase))
    return await store.fetch_cycle(pool, slug)


async def make_staff(pool: asyncpg.Pool, username: str, role: Role) -> StaffAccount:
    return await put_staff(
        pool, username, username.title(), role, PASSWORD, must_change_password=False
    )


async def post_form(
    client: httpx.AsyncClient, state: dict[str, Any], path: str, data: Any
) -> httpx.Response:
    """POST a form with the CSRF token (a GET first if the client has no CSRF cookie yet)."""
    if "civica_csrf" not in client.cookies:
        await client.get("/")
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    fields: dict[str, list[str]] = {"csrf_token": [csrf_token(client, state)]}
    for name, value in pairs:
        values = value if isinstance(value, list) else [value]
        fields.setdefault(name, []).extend(str(v) for v in values)
    return await client.post(path, data=fields)


async def sign_in_staff(
    client: httpx.AsyncClient, state: dict[str, Any], username: str, password: str = PASSWORD
) -> httpx.Response:
    await client.get("/staff/sign-in")
    return await post_form(
        client, state, "/staff/sign-in", {"username": username, "password": password}
    )


async def sign_in_citizen(
    client: httpx.AsyncClient,
    state: dict[str, Any],
    subject: str = "ana",
    birth_date: str = "1980-05-17",
    residence: str = "norte",
) -> httpx.Response:
    response = await post_form(
        client,
        state,
        "/dev/sign-in",
        {"subject": subject, "birth_date": birth_date, "residence": residence, "status": "citizen"},
    )
    assert response.status_code == 303, response.text
    return response


async def count(pool: asyncpg.Pool, table: str) -> int:
    value: int = await pool.fetchval(f"SELECT count(*) FROM {table}")
    return value


def second_client(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another browser (its own cookies) talking to the same running app."""
    return httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
