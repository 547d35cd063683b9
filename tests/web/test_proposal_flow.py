"""Citizens propose; reviewers review, merge and list; complaints are answered; the final list
freezes the projects. Every illegal step is refused through HTTP and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from proposals import repository as store
from proposals.phases import Phase
from service.accounts import Role
from service.audit import verify_audit_chain
from service.config import Settings
from tests.support.proposals import (
    count,
    make_cycle,
    make_staff,
    post_form,
    set_phase,
    sign_in_citizen,
    sign_in_staff,
)

App = tuple[httpx.AsyncClient, dict[str, Any]]
SLUG = "test-2025"


async def ids(pool: Any) -> dict[str, int]:
    cycle = await store.fetch_cycle(pool, SLUG)
    scopes = await store.fetch_scopes(pool, cycle.id)
    areas = await store.fetch_areas(pool, cycle.id)
    return {"national": scopes[0].id, "norte": scopes[1].id, "culture": areas[0].id}


def proposal_form(scope_id: int, area_id: int, **changes: Any) -> dict[str, Any]:
    form = {
        "title": "Benches in the park",
        "description": "Twenty benches along the river walk.",
        "scope": str(scope_id),
        "area": str(area_id),
        "location": "Amarante",
        "estimated_cost": "25 000,50",
    }
    form.update(changes)
    return form


async def submit(client: httpx.AsyncClient, state: dict[str, Any], **changes: Any) -> int:
    known = await ids(state["pool"])
    form = proposal_form(known["norte"], known["culture"], **changes)
    response = await post_form(client, state, f"/cycles/{SLUG}/proposals/new", form)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[-1].split("?")[0])


async def test_a_citizen_submits_edits_and_follows_a_proposal(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.PROPOSALS)
    form_page = await client.get(f"/cycles/{SLUG}/proposals/new")
    assert "/identity/sign-in?cycle=" in form_page.text
    await sign_in_citizen(client, state, "ana")
    assert 'name="estimated_cost"' in (await client.get(f"/cycles/{SLUG}/proposals/new")).text
    proposal_id = await submit(client, state)
    proposal = await store.fetch_proposal(
        pool, (await store.fetch_cycle(pool, SLUG)).id, proposal_id
    )
    assert proposal.estimated_cost_cents == 2_500_050
    assert len(proposal.author_key) == 64
    page = await client.get(f"/cycles/{SLUG}/proposals/{proposal_id}?submitted=1")
    assert "Your proposal is submitted" in page.text
    assert "Change your proposal" in page.text
    known = await ids(pool)
    edited = await post_form(
        client,
        state,
        f"/cycles/{SLUG}/proposals/{proposal_id}/edit",
        proposal_form(known["national"], known["culture"], title="Benches by the river"),
    )
    assert edited.status_code == 303
    mine = await client.get(f"/cycles/{SLUG}/my-proposals")
    assert "Benches by the river" in mine.text
    history = (await client.get(f"/cycles/{SLUG}/proposals/{proposal_id}")).text
    assert "Submitted" in history
    assert "Changed by its author" in history

    await sign_in_citizen(client, state, "bruno")
    other = await post_form(
        client,
        state,
        f"/cycles/{SLUG}/proposals/{proposal_id}/edit",
        proposal_form(known["national"], known["culture"], title="Hijacked"),
    )
    assert other.status_code == 404
    assert (await client.get(f"/cycles/{SLUG}/proposals/{proposal_id}/edit")).status_code == 404
    assert "Hijacked" not in (await client.get(f"/cycles/{SLUG}/proposals/{proposal_id}")).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "cannot be empty"),
        ({"title": "t" * 151}, "title", "the limit is 150"),
        ({"description": "d" * 5001}, "description", "the limit is 5000"),
        ({"description": "nul \x00 byte"}, "description", "not allowed"),
        ({"estimated_cost": "0"}, "estimated_cost", "more than zero"),
        ({"estimated_cost": "-100"}, "estimated_cost", "more than zero"),
        ({"estimated_cost": "300000,01"}, "estimated_cost", "cannot be more than €300,000"),
        ({"estimated_cost": "a lot"}, "estimated_cost", "digits"),
        ({"estimated_cost": "1.5.5"}, "estimated_cost", "thousands"),
        ({"scope": ""}, "scope", "Choose the scope"),
        ({"scope": "99999999999999999999999"}, "scope", "Choose the scope"),
        ({"area": ""}, "area", "thematic area"),
    ],
)
async def test_bad_proposals_are_refused_and_nothing_is_stored(
    app_client: App, changes: dict[str, str], field: str, message: str
) -> None:
    client, state = app_client
    await make_cycle(state["pool"], SLUG, Phase.PROPOSALS)
    await sign_in_citizen(client, state)
    known = await ids(state["pool"])
    form = proposal_form(known["norte"], known["culture"], **changes)
    response = await post_form(client, state, f"/cycles/{SLUG}/proposals/new", form)
    assert response.status_code == 422
    assert f'href="#{field}"' in response.text
    assert message in response.text
    assert await count(state["pool"], "proposals") == 0


async def test_a_scope_of_another_cycle_is_refused(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.PROPOSALS)
    other = await make_cycle(pool, "other-2025", Phase.PROPOSALS)
    foreign = (await store.fetch_scopes(pool, other.id))[0]
    await sign_in_citizen(client, state)
    known = await ids(pool)
    response = await post_form(
        client, state, f"/cycles/{SLUG}/proposals/new", proposal_form(foreign.id, known["culture"])
    )
    assert response.status_code == 422
    assert await count(pool, "proposals") == 0


@pytest.mark.parametrize("phase", [Phase.UPCOMING, Phase.REVIEW, Phase.VOTING, Phase.RESULTS])
async def test_no_proposals_outside_the_proposal_phase(app_client: App, phase: Phase) -> None:
    client, state = app_client
    await make_cycle(state["pool"], SLUG, phase)
    await sign_in_citizen(client, state)
    known = await ids(state["pool"])
    response = await post_form(
        client,
        state,
        f"/cycles/{SLUG}/proposals/new",
        proposal_form(known["norte"], known["culture"]),
    )
    assert response.status_code == 409
    assert "only be submitted during the proposal phase" in response.text
    assert await count(state["pool"], "proposals") == 0


async def test_no_edits_after_the_proposal_phase(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.PROPOSALS)
    await sign_in_citizen(client, state)
    proposal_id = await submit(client, state)
    await set_phase(pool, SLUG, Phase.REVIEW)
    known = await ids(pool)
    response = await post_form(
        client,
        state,
        f"/cycles/{SLUG}/proposals/{proposal_id}/edit",
        proposal_form(known["norte"], known["culture"], title="Too late"),
    )
    assert response.status_code == 409
    assert await pool.fetchval("SELECT title FROM proposals") == "Benches in the park"


async def test_ineligible_and_anonymous_citizens_cannot_propose(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.PROPOSALS)
    known = await ids(pool)
    form = proposal_form(known["norte"], known["culture"])
    anonymous = await post_form(client, state, f"/cycles/{SLUG}/proposals/new", form)
    assert anonymous.status_code == 403
    await sign_in_citizen(client, state, "young", birth_date="2015-01-01")
    assert "at least 18 years old" in (await client.get(f"/cycles/{SLUG}/proposals/new")).text
    young = await post_form(client, state, f"/cycles/{SLUG}/proposals/new", form)
    assert young.status_code == 409
    assert "at least 18 years old" in young.text
    assert await count(pool, "proposals") == 0


async def review_step(
    client: httpx.AsyncClient, state: dict[str, Any], proposal_id: int, step: str, reason: str = ""
) -> httpx.Response:
    return await post_form(
        client,
        state,
        f"/admin/cycles/{SLUG}/proposals/{proposal_id}/review",
        {"step": step, "reason": reason},
    )


async def status_of(pool: Any, proposal_id: int) -> str:
    value: str = await pool.fetchval("SELECT status FROM proposals WHERE id = $1", proposal_id)
    return value


async def test_review_merge_lists_complaints_and_the_final_list(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.PROPOSALS)
    known = await ids(pool)
    await sign_in_citizen(client, state, "ana")
    walk = await submit(client, state, title="River walk benches")
    shade = await submit(client, state, title="Shade trees on the river walk")
    pool_idea = await submit(client, state, title="An olympic pool", estimated_cost="290000")
    national = await submit(client, state, title="National idea", scope=str(known["national"]))
    await set_phase(pool, SLUG, Phase.REVIEW)
    await make_staff(pool, "rita", Role.REVIEWER)
    await sign_in_staff(client, state, "rita")

    for proposal_id in (walk, shade, pool_idea, national):
        assert (await review_step(client, state, proposal_id, "start")).status_code == 303
    again = await review_step(client, state, walk, "start")
    assert again.status_code == 409
    assert await status_of(pool, walk) == "in_review"
    no_reason = await review_step(client, state, pool_idea, "reject", "  ")
    assert no_reason.status_code == 422
    assert 'href="#reason"' in no_reason.text
    assert await status_of(pool, pool_idea) == "in_review"
    rejected = await review_step(
        client, state, pool_idea, "reject", "A pool costs far more than the cap allows."
    )
    assert rejected.status_code == 303
    for proposal_id in (walk, shade, national):
        assert (await review_step(client, state, proposal_id, "feasible")).status_code == 303
    assert (await review_step(client, state, walk, "reconsider", "why")).status_code == 409
    assert (await review_step(client, state, pool_idea, "feasible")).status_code == 409
    assert await status_of(pool, pool_idea) == "rejected"

    project_url = f"/admin/cycles/{SLUG}/projects/new"
    base = {
        "title": "River walk: benches and shade",
        "description": "Benches and trees.",
        "scope": str(known["norte"]),
        "area": str(known["culture"]),
        "location": "Amarante",
    }
    over_cap = await post_form(
        client, state, project_url, {**base, "cost": "300 000,01", "proposals": [walk, shade]}
    )
    assert over_cap.status_code == 422
    assert 'href="#cost"' in over_cap.text
    mixed = await post_form(
        client, state, project_url, {**base, "cost": "250000", "proposals": [walk, national]}
    )
    assert mixed.status_code == 409
    assert "another scope" in mixed.text
    rejected_one = await post_form(
        client, state, project_url, {**base, "cost": "250000", "proposals": [pool_idea]}
    )
    assert rejected_one.status_code == 409
    assert await count(pool, "projects") == 0
    made = await post_form(
        client, state, project_url, {**base, "cost": "250 000", "proposals": [walk, shade]}
    )
    assert made.status_code == 303, made.text
    project_id = int(made.headers["location"].split("/")[-1])
    assert await status_of(pool, walk) == await status_of(pool, shade) == "merged"

    not_ready = await post_form(
        client, state, f"/admin/cycles/{SLUG}/lists", {"which": "provisional"}
    )
    assert not_ready.status_code == 409
    assert "not part of a project yet" in not_ready.text
    national_project = await post_form(
        client,
        state,
        project_url,
        {
            **base,
            "title": "National",
            "scope": str(known["national"]),
            "cost": "100000",
            "proposals": [national],
        },
    )
    assert national_project.status_code == 303
    early_final = await post_form(client, state, f"/admin/cycles/{SLUG}/lists", {"which": "final"})
    assert early_final.status_code == 409
    listed = await post_form(client, state, f"/admin/cycles/{SLUG}/lists", {"which": "provisional"})
    assert listed.status_code == 303
    public = await client.get(f"/cycles/{SLUG}/projects")
    assert "River walk: benches and shade" in public.text
    assert "€250,000" in public.text
    project_page = (await client.get(f"/cycles/{SLUG}/projects/{project_id}")).text
    assert "River walk benches" in project_page
    assert "Put on the provisional list" in project_page

    await set_phase(pool, SLUG, Phase.COMPLAINTS)
    await sign_in_citizen(client, state, "bruno")
    complaint_url = f"/cycles/{SLUG}/complaints/new"
    empty = await post_form(client, state, complaint_url, {"proposal": pool_idea, "body": " "})
    assert empty.status_code == 422
    filed = await post_form(
        client,
        state,
        complaint_url,
        {"proposal": pool_idea, "body": "A small pool would fit the cap."},
    )
    assert filed.status_code == 303
    about_project = await post_form(
        client, state, complaint_url, {"project": project_id, "body": "Too expensive."}
    )
    assert about_project.status_code == 303
    assert await count(pool, "complaints") == 2
    complaint_ids = [r["id"] for r in await pool.fetch("SELECT id FROM complaints ORDER BY id")]

    await sign_in_staff(client, state, "rita")
    blocked = await post_form(client, state, f"/admin/cycles/{SLUG}/lists", {"which": "final"})
    assert blocked.status_code == 409
    assert "have no answer yet" in blocked.text
    answer_url = f"/admin/cycles/{SLUG}/complaints/{complaint_ids[0]}"
    no_outcome = await post_form(client, state, answer_url, {"answer": "No."})
    assert no_outcome.status_code == 422
    answered = await post_form(
        client,
        state,
        answer_url,
        {"outcome": "dismissed", "answer": "Even a small pool exceeds €300,000 here."},
    )
    assert answered.status_code == 303
    twice = await post_form(client, state, answer_url, {"outcome": "upheld", "answer": "Yes."})
    assert twice.status_code == 409
    await post_form(
        client,
        state,
        f"/admin/cycles/{SLUG}/complaints/{complaint_ids[1]}",
        {"outcome": "dismissed", "answer": "The costing was checked twice."},
    )
    proposal_page = (await client.get(f"/cycles/{SLUG}/proposals/{pool_idea}")).text
    assert "A small pool would fit the cap." in proposal_page
    assert "Even a small pool exceeds €300,000 here." in proposal_page
    assert "A pool costs far more than the cap allows." in proposal_page

    final = await post_form(client, state, f"/admin/cycles/{SLUG}/lists", {"which": "final"})
    assert final.status_code == 303
    statuses = {r["status"] for r in await pool.fetch("SELECT status FROM projects")}
    assert statuses == {"final"}

    frozen_edit = await post_form(
        client,
        state,
        f"/admin/cycles/{SLUG}/projects/{project_id}/edit",
        {**base, "cost": "1000"},
    )
    assert frozen_edit.status_code == 409
    frozen_withdraw = await post_form(
        client,
        state,
        f"/admin/cycles/{SLUG}/projects/{project_id}/withdraw",
        {"reason": "Changed our mind."},
    )
    assert frozen_withdraw.status_code == 409
    assert await pool.fetchval("SELECT cost_cents FROM projects WHERE id = $1", project_id) == (
        25_000_000
    )
    await sign_in_citizen(client, state, "carla")
    late = await post_form(client, state, complaint_url, {"project": project_id, "body": "Late"})
    assert late.status_code == 409
    assert await count(pool, "complaints") == 2
    assert await verify_audit_chain(pool) >= 12


async def test_public_lists_search_filter_and_paginate(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.PROPOSALS)
    known = await ids(pool)
    await sign_in_citizen(client, state)
    for n in range(23):
        await submit(
            client,
            state,
            title=f"Idea {n:02d} for 100% of the town",
            scope=str(known["national"] if n % 2 else known["norte"]),
        )
    await submit(client, state, title="Benches_for_all", description="Benches, as asked.")
    url = f"/cycles/{SLUG}/proposals"
    first = await client.get(url)
    assert "24 proposals found" in first.text
    assert first.text.count('<li>\n    <h2><a href="/cycles/') == 20
    assert "?page=2" in first.text
    second = await client.get(url + "?page=2")
    assert second.text.count('<h2><a href="/cycles/') == 4
    norte = await client.get(url, params={"scope": known["norte"]})
    assert "13 proposals found" in norte.text
    search = await client.get(url, params={"q": "benches_"})
    assert "1 proposal found" in search.text
    literal = await client.get(url, params={"q": "s_f"})
    assert "1 proposal found" in literal.text, "the underscore is not a wildcard"
    percent = await client.get(url, params={"q": "100%"})
    assert "23 proposals found" in percent.text
    nothing = await client.get(url, params={"q": "%%%"})
    assert "0 proposals found" in nothing.text
    partial = await client.get(url, params={"q": "idea 0"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert "10 proposals found" in partial.text
    restore = await client.get(
        url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text
    page = first.text
    assert 'hx-get="/cycles/test-2025/proposals"' in page
    assert 'hx-push-url="true"' in page
    assert 'method="get"' in page
    for odd in (
        "?page=abc",
        "?page=999999999999",
        "?scope=99999999999999999999999",
        "?q=%00nul",
        "?status=bogus&area=-1",
        "?q=" + "x" * 5000,
    ):
        response = await client.get(url + odd)
        assert response.status_code == 200, odd


async def test_projects_list_hides_drafts(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.REVIEW)
    await pool.execute(
        "INSERT INTO projects (cycle_id, scope_id, title, description, cost_cents) "
        "SELECT c.id, s.id, 'Secret draft', 'Not yet', 100 FROM cycles c JOIN scopes s "
        "ON s.cycle_id = c.id LIMIT 1"
    )
    project_id = await pool.fetchval("SELECT id FROM projects")
    assert "Secret draft" not in (await client.get(f"/cycles/{SLUG}/projects")).text
    assert (await client.get(f"/cycles/{SLUG}/projects/{project_id}")).status_code == 404


async def test_unknown_and_oversized_identifiers_are_not_found(app_client: App) -> None:
    client, state = app_client
    await make_cycle(state["pool"], SLUG, Phase.PROPOSALS)
    for path in (
        f"/cycles/{SLUG}/proposals/99999999999999999999999",
        f"/cycles/{SLUG}/proposals/12345",
        "/cycles/nope",
        f"/cycles/{SLUG}/projects/0",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_the_development_sign_in_is_refused_in_production(
    database_url: str, data_dir: Any
) -> None:
    from service.app import create_app
    from tests.support.asgi import running_app

    settings = Settings.from_env(
        {"DATABASE_URL": database_url, "CIVICA_DATA_DIR": str(data_dir), "CIVICA_ENV": "production"}
    )
    async with running_app(create_app(settings)) as (client, state):
        assert (await client.get("/dev/sign-in")).status_code == 404
        response = await post_form(
            client,
            state,
            "/dev/sign-in",
            {"subject": "x", "birth_date": "1980-01-01", "status": "citizen"},
        )
        assert response.status_code == 404
        assert await count(state["pool"], "sessions") == 0


async def test_every_mistake_is_reported_at_once_in_the_order_of_the_form(
    app_client: App,
) -> None:
    client, state = app_client
    await make_cycle(state["pool"], SLUG, Phase.PROPOSALS)
    await sign_in_citizen(client, state, "ana")
    known = await ids(state["pool"])
    form = proposal_form(known["norte"], known["culture"], title="", area="", estimated_cost="lots")
    response = await post_form(client, state, f"/cycles/{SLUG}/proposals/new", form)
    assert response.status_code == 422
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    links = [line.split('"')[0] for line in summary.split('href="#')[1:]]
    assert links == ["title", "area", "estimated_cost"], "not only the cost: every mistake"
    assert await count(state["pool"], "proposals") == 0
