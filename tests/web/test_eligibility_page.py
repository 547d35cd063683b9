"""The "what can I take part in" page: explains each failed rule and records nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tests.support.asgi import csrf_token
from tests.support.identity import code_in, create_cycle, import_census, outbox_messages
from verification.eligibility import EligibilityRules

Client = tuple[httpx.AsyncClient, dict[str, Any]]


async def sign_in_by_code(
    client: httpx.AsyncClient, state: dict[str, Any], id_number: str, born: str
) -> None:
    await client.get("/identity/census")
    await client.post(
        "/identity/census",
        data={"id_number": id_number, "birth_date": born, "csrf_token": csrf_token(client, state)},
    )
    code = code_in(outbox_messages(state)[-1])
    response = await client.post(
        "/identity/census/code", data={"code": code, "csrf_token": csrf_token(client, state)}
    )
    assert response.status_code == 303


async def test_a_sixteen_year_old_is_told_why_and_nothing_is_recorded(app_client: Client) -> None:
    client, state = app_client
    pool = state["pool"]
    await import_census(state)  # 11223344 was born on 2010-03-15
    await create_cycle(
        pool,
        reference_date=date(2026, 6, 1),
        propose=EligibilityRules(min_age=16),
        scopes=(
            ("national", None, "national", EligibilityRules()),
            ("norte", "PT-13", "regional", EligibilityRules(residence=("PT-13",))),
            ("jovem", None, "jovem", EligibilityRules(min_age=14, max_age=30)),
        ),
    )
    await sign_in_by_code(client, state, "11223344", "2010-03-15")
    before = {
        table: await pool.fetchval(f"SELECT count(*) FROM {table}")
        for table in ("voter_roll", "census_entries", "cycles", "scopes")
    }
    page = await client.get("/identity/eligibility")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    assert "Ages are counted on June 1, 2026." in html
    assert "You must be at least 18 years old on June 1, 2026. On that date you are 16." in html
    assert "This is only for residents of PT-13. Your residence is recorded as PT-11." in html
    assert html.count("You can take part.") == 2  # proposing at 16+, and OP Jovem
    after = {
        table: await pool.fetchval(f"SELECT count(*) FROM {table}")
        for table in ("voter_roll", "census_entries", "cycles", "scopes")
    }
    assert after == before


async def test_without_a_cycle_the_default_rules_are_explained(app_client: Client) -> None:
    client, state = app_client
    await import_census(state)
    await sign_in_by_code(client, state, "11223344", "2010-03-15")
    page = await client.get("/identity/eligibility")
    assert "No budget cycle is configured yet" in page.text
    assert "You must be at least 18 years old on" in page.text


async def test_signed_out_visitors_are_asked_to_sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/identity/eligibility")
    assert page.status_code == 200
    assert 'href="/identity/sign-in"' in page.text


async def test_the_sign_in_page_lists_the_providers_a_cycle_enables(app_client: Client) -> None:
    client, state = app_client
    await create_cycle(state["pool"], slug="census-only", providers=("census",))
    page = await client.get("/identity/sign-in?cycle=census-only")
    assert 'href="/identity/census"' in page.text
    assert 'href="/identity/oidc/start"' not in page.text
    assert 'href="/identity/credential"' not in page.text
    assert (await client.get("/identity/sign-in?cycle=nope")).status_code == 404


async def test_sign_out_ends_the_citizen_session(app_client: Client) -> None:
    client, state = app_client
    await import_census(state)
    await sign_in_by_code(client, state, "12345678", "1980-05-01")
    assert "Sign out" in (await client.get("/identity/eligibility")).text
    response = await client.post(
        "/identity/sign-out", data={"csrf_token": csrf_token(client, state)}
    )
    assert response.status_code == 303
    assert await state["pool"].fetchval("SELECT count(*) FROM sessions") == 0
    assert "Sign in to see" in (await client.get("/identity/eligibility")).text
