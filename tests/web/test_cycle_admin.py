"""Administrators configure a cycle, its scopes and phases through the pages; bad input is
refused with an error summary and stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from proposals import repository as store
from proposals.phases import Phase
from service.accounts import Role
from service.audit import verify_audit_chain
from tests.support.asgi import csrf_token
from tests.support.proposals import (
    count,
    make_cycle,
    make_staff,
    post_form,
    set_phase,
    sign_in_staff,
)

App = tuple[httpx.AsyncClient, dict[str, Any]]
LISBON = ZoneInfo("Europe/Lisbon")


def local(days: int) -> str:
    return (datetime.now(LISBON) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def cycle_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "slug": "lisboa-2026",
        "name": "Orçamento Participativo de Lisboa 2026",
        "description": "Propostas para a cidade.",
        "timezone": "Europe/Lisbon",
        "reference_date": "2026-06-01",
        "project_cost_cap": "300 000,00 €",
        "areas": "Mobilidade\nEspaço público\nCultura",
        "content_language": "pt-pt",
        "phases.proposals": local(10),
        "phases.review": local(40),
        "phases.complaints": local(60),
        "phases.voting": local(80),
        "phases.results": local(110),
        "propose_eligibility.min_age": "16",
        "propose_eligibility.statuses": ["citizen", "legal_resident"],
        "identity_providers": ["oidc", "census"],
    }
    form.update(changes)
    return form


def scope_form(name: str, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "budget": "1.250.000,00",
        "region_code": "",
        "vote_group": "city",
        "ballot.kind": "single-choice",
        "tally.rule": "greedy",
        "tally.completion": "none",
        "tally.utilities": "cost",
        "tally.tie_break": "lexico",
        "vote_eligibility.min_age": "16",
        "vote_eligibility.statuses": ["citizen", "legal_resident"],
    }
    form.update(changes)
    return form


@pytest.fixture
async def admin(app_client: App) -> App:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    await sign_in_staff(client, state, "ana")
    return client, state


async def test_configure_a_cycle_with_scopes_and_phases(admin: App) -> None:
    client, state = admin
    pool = state["pool"]
    response = await post_form(client, state, "/admin/cycles/new", cycle_form())
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/cycles/lisboa-2026"
    cycle = await store.fetch_cycle(pool, "lisboa-2026")
    assert cycle.settings.project_cost_cap_cents == 30_000_000
    assert cycle.settings.areas == ("Mobilidade", "Espaço público", "Cultura")
    assert cycle.content_language == "pt-PT"  # the tag in its usual case
    assert cycle.settings.propose_eligibility.min_age == 16
    assert cycle.settings.identity_providers == ("oidc", "census")
    assert cycle.phase_at(datetime.now(UTC)) is Phase.UPCOMING

    for name in ("Cidade", "Zona Norte"):
        added = await post_form(
            client, state, "/admin/cycles/lisboa-2026/scopes/new", scope_form(name)
        )
        assert added.status_code == 303, added.text
    knapsack = scope_form(
        "Zona Sul",
        **{
            "ballot.kind": "knapsack",
            "ballot.min_spend_percent": "50",
            "tally.rule": "mes",
            "tally.completion": "add1-greedy",
            "tally.tie_break": "seeded",
            "tally.seed": "2026",
            "budget": "800000",
        },
    )
    assert (
        await post_form(client, state, "/admin/cycles/lisboa-2026/scopes/new", knapsack)
    ).status_code == 303
    scopes = await store.fetch_scopes(pool, cycle.id)
    assert [s.name for s in scopes] == ["Cidade", "Zona Norte", "Zona Sul"]
    assert scopes[0].budget_cents == 125_000_000
    assert scopes[2].settings.ballot.to_dict() == {"kind": "knapsack", "min_spend_percent": 50}
    assert scopes[2].settings.tally.to_dict() == {
        "rule": "mes",
        "completion": "add1-greedy",
        "min_votes": None,
        "utilities": "cost",
        "tie_break": "seeded",
        "seed": 2026,
    }

    edit = scope_form("Cidade", budget="1500000")
    url = f"/admin/cycles/lisboa-2026/scopes/{scopes[0].id}"
    assert (await post_form(client, state, url, edit)).status_code == 303
    assert (await store.fetch_scopes(pool, cycle.id))[0].budget_cents == 150_000_000

    page = await client.get("/cycles/lisboa-2026")
    assert page.status_code == 200
    assert "Zona Norte" in page.text
    assert "€1,500,000" in page.text
    actions = [r["action"] for r in await pool.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert actions == [
        "cycle.create",
        "scope.create",
        "scope.create",
        "scope.create",
        "scope.update",
    ]
    assert await verify_audit_chain(pool) == 5


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phases.review": local(5)}, "phases.review", "must begin after"),
        ({"phases.voting": "next week"}, "phases.voting", "date and time"),
        ({"project_cost_cap": "-5"}, "project_cost_cap", "more than zero"),
        ({"project_cost_cap": "0"}, "project_cost_cap", "more than zero"),
        ({"project_cost_cap": "300,000"}, "project_cost_cap", "two different amounts"),
        ({"name": "x" * 201}, "name", "the limit is 200"),
        ({"name": "Bad\x00name"}, "name", "not allowed"),
        ({"slug": "Not A Slug"}, "slug", "lower-case"),
        ({"areas": "Culture\nculture"}, "areas", "listed twice"),
        ({"timezone": "Moon/Base"}, "timezone", "time zone"),
        ({"content_language": "Portuguese"}, "content_language", "language tag such as"),
        ({"content_language": "xx-YY"}, "content_language", "language tag such as"),
        ({"content_language": ""}, "content_language", "language tag such as"),
        ({"propose_eligibility.min_age": "200"}, "propose_eligibility.min_age", "0 to 130"),
        ({"reference_date": "31/12/2026"}, "reference_date", "date such as"),
    ],
)
async def test_bad_cycle_settings_are_refused(
    admin: App, changes: dict[str, str], field: str, message: str
) -> None:
    client, state = admin
    response = await post_form(client, state, "/admin/cycles/new", cycle_form(**changes))
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert f'href="#{field}"' in response.text
    assert message in response.text
    assert await count(state["pool"], "cycles") == 0
    assert await count(state["pool"], "audit_log") == 0


async def test_a_duplicate_slug_is_refused(admin: App) -> None:
    client, state = admin
    await post_form(client, state, "/admin/cycles/new", cycle_form())
    again = await post_form(client, state, "/admin/cycles/new", cycle_form(name="Other"))
    assert again.status_code == 409
    assert "already exists" in again.text
    assert await count(state["pool"], "cycles") == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "cidade", "slug": "other"}, "name", "already called"),
        ({"budget": "0"}, "budget", "more than zero"),
        ({"budget": "-100"}, "budget", "more than zero"),
        ({"budget": "lots"}, "budget", "digits"),
        ({"ballot.kind": "k-approval"}, "ballot.max_choices", "k-approval"),
        ({"ballot.kind": "ranked"}, "ballot.kind", "Choose a ballot type"),
        ({"tally.rule": "greedy", "tally.completion": "add1"}, "tally.completion", "Equal Shares"),
        ({"tally.tie_break": "seeded"}, "tally.seed", "seed"),
        ({"vote_group": "Two Words"}, "vote_group", "lower-case"),
        ({"description": "d" * 2001}, "description", "limit is 2000"),
    ],
)
async def test_bad_scopes_are_refused(
    admin: App, changes: dict[str, str], field: str, message: str
) -> None:
    client, state = admin
    await make_cycle(state["pool"], "lisboa-2026", Phase.UPCOMING)
    before = await count(state["pool"], "scopes")
    form = scope_form("Cidade", **changes) if "name" not in changes else scope_form(**changes)
    if "name" in changes:
        await post_form(client, state, "/admin/cycles/lisboa-2026/scopes/new", scope_form("Cidade"))
        before += 1
    response = await post_form(client, state, "/admin/cycles/lisboa-2026/scopes/new", form)
    assert response.status_code == 422, response.text
    assert f'href="#{field}"' in response.text
    assert message in response.text
    assert await count(state["pool"], "scopes") == before


async def test_a_form_with_bytes_that_are_not_utf8_is_refused(admin: App) -> None:
    client, state = admin
    token = csrf_token(client, state)
    body = f"csrf_token={token}&slug=x-2026&name=Caf%E9".encode()
    response = await client.post(
        "/admin/cycles/new",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "not valid UTF-8" in response.text
    raw = f"csrf_token={token}&slug=x-2026&name=".encode() + b"Caf\xe9"
    response = await client.post(
        "/admin/cycles/new",
        content=raw,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert await count(state["pool"], "cycles") == 0


async def test_advance_and_extend_with_a_public_reason(admin: App) -> None:
    client, state = admin
    pool = state["pool"]
    await make_cycle(pool, "lisboa-2026", Phase.PROPOSALS)
    url = "/admin/cycles/lisboa-2026/phase"
    missing = await post_form(client, state, url, {"kind": "extend", "new_end": "", "reason": ""})
    assert missing.status_code == 422
    cycle = await store.fetch_cycle(pool, "lisboa-2026")
    new_end = (cycle.settings.schedule.review_at + timedelta(days=2)).astimezone(LISBON)
    no_reason = await post_form(
        client,
        state,
        url,
        {"kind": "extend", "new_end": new_end.strftime("%Y-%m-%dT%H:%M"), "reason": " "},
    )
    assert no_reason.status_code == 422
    assert 'href="#reason"' in no_reason.text
    extended = await post_form(
        client,
        state,
        url,
        {
            "kind": "extend",
            "new_end": new_end.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Many associations asked for more time.",
        },
    )
    assert extended.status_code == 303, extended.text
    cycle = await store.fetch_cycle(pool, "lisboa-2026")
    assert cycle.settings.schedule.review_at == new_end.replace(second=0, microsecond=0)
    advanced = await post_form(
        client, state, url, {"kind": "advance", "reason": "All proposals are in."}
    )
    assert advanced.status_code == 303
    cycle = await store.fetch_cycle(pool, "lisboa-2026")
    assert cycle.phase_at(datetime.now(UTC)) is Phase.REVIEW
    page = (await client.get("/cycles/lisboa-2026")).text
    assert "Many associations asked for more time." in page
    assert "All proposals are in." in page
    assert [
        r["action"]
        for r in await pool.fetch(
            "SELECT action FROM audit_log WHERE action LIKE 'phase.%' ORDER BY id"
        )
    ] == ["phase.extend", "phase.advance"]


async def test_voting_cannot_open_early_without_the_final_list(admin: App) -> None:
    client, state = admin
    await make_cycle(state["pool"], "lisboa-2026", Phase.COMPLAINTS)
    response = await post_form(
        client,
        state,
        "/admin/cycles/lisboa-2026/phase",
        {"kind": "advance", "reason": "Let us vote."},
    )
    assert response.status_code == 409
    assert "final list" in response.text


async def test_budgets_ballots_and_tally_rules_freeze_when_voting_opens(admin: App) -> None:
    client, state = admin
    pool = state["pool"]
    cycle = await make_cycle(pool, "lisboa-2026", Phase.VOTING)
    scope = (await store.fetch_scopes(pool, cycle.id))[0]
    response = await post_form(
        client,
        state,
        f"/admin/cycles/lisboa-2026/scopes/{scope.id}",
        scope_form("National", budget="9000000"),
    )
    assert response.status_code == 409
    assert "frozen" in response.text
    added = await post_form(
        client, state, "/admin/cycles/lisboa-2026/scopes/new", scope_form("Extra")
    )
    assert added.status_code == 409
    edited = await post_form(
        client, state, "/admin/cycles/lisboa-2026/edit", cycle_form(project_cost_cap="1")
    )
    assert edited.status_code == 409
    assert (await store.fetch_scopes(pool, cycle.id))[0].budget_cents == scope.budget_cents
    assert await count(pool, "scopes") == 2


async def test_dates_change_only_before_the_cycle_opens(admin: App) -> None:
    client, state = admin
    pool = state["pool"]
    await make_cycle(pool, "lisboa-2026", Phase.UPCOMING)
    form = cycle_form(**{"phases.proposals": local(3)})
    assert (
        await post_form(client, state, "/admin/cycles/lisboa-2026/edit", form)
    ).status_code == 303
    cycle = await set_phase(pool, "lisboa-2026", Phase.PROPOSALS)
    page = await client.get("/admin/cycles/lisboa-2026/edit")
    assert 'name="phases.review"' not in page.text
    response = await post_form(
        client,
        state,
        "/admin/cycles/lisboa-2026/edit",
        cycle_form(name="Renamed", **{"phases.review": local(1)}),
    )
    assert response.status_code == 303
    after = await store.fetch_cycle(pool, "lisboa-2026")
    assert after.name == "Renamed"
    assert after.settings.schedule == cycle.settings.schedule
