"""Every page of the demo cycle, as the public and as each staff role: it renders, has one h1,
no inline script or style, labels for its fields and CSRF tokens in its forms."""

from __future__ import annotations

import re
from typing import Any

import httpx

from proposals import repository as store
from proposals.phases import Phase
from service.accounts import Role
from service.commands.demo import seed_demo
from tests.support.asgi import csrf_token
from tests.support.proposals import (
    make_cycle,
    make_staff,
    post_form,
    set_phase,
    sign_in_citizen,
    sign_in_staff,
)

App = tuple[httpx.AsyncClient, dict[str, Any]]


def check_page(path: str, html: str) -> None:
    assert html.count("<h1") == 1, path
    assert "style=" not in html, path
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, path
    assert " on" + "click=" not in html, path
    for form in re.findall(r'<form method="post".*?</form>', html, flags=re.S):
        assert 'name="csrf_token"' in form, path
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{field_id}"' in html, (path, field_id)


async def test_every_page_renders_accessibly(app_client: App, capsys: Any) -> None:
    client, state = app_client
    pool = state["pool"]
    await seed_demo(state)
    capsys.readouterr()
    cycle = await store.fetch_cycle(pool, "opp-2018")
    proposal = (await store.fetch_cycle_proposals(pool, cycle.id))[0]
    project = (await store.fetch_cycle_projects(pool, cycle.id))[0]
    complaint = (await store.fetch_complaints(pool, cycle.id))[0]
    scope = (await store.fetch_scopes(pool, cycle.id))[0]
    c = "/cycles/opp-2018"
    public = [
        "/",
        c,
        f"{c}/proposals",
        f"{c}/projects",
        f"{c}/complaints",
        f"{c}/proposals/{proposal.id}",
        f"{c}/projects/{project.id}",
        f"{c}/complaints/new?project={project.id}",
        f"{c}/proposals/new",
        f"{c}/my-proposals",
        f"{c}/vote",
        "/dev/sign-in",
        "/staff/sign-in",
        "/cycles/assen-2024",
        "/cycles/assen-2024/results",
        "/cycles/assen-2024/results/main",
        "/cycles/assen-2024/record/",
    ]
    for path in public:
        response = await client.get(path)
        assert response.status_code == 200, path
        check_page(path, response.text)
    await sign_in_citizen(client, state)
    for path in (
        f"{c}/complaints/new?project={project.id}",
        f"{c}/proposals/new",
        c,
        f"{c}/vote",
        f"{c}/vote/{scope.slug}",
    ):
        check_page(path, (await client.get(path)).text)
    pending = await client.get(f"{c}/results")
    assert pending.status_code == 404
    check_page(f"{c}/results", pending.text)

    a = "/admin/cycles/opp-2018"
    admin_pages = [
        "/staff",
        "/admin/cycles",
        "/admin/cycles/new",
        a,
        f"{a}/edit",
        f"{a}/phase",
        f"{a}/close",
        "/admin/cycles/assen-2024/close",
        f"{a}/scopes/new",
        f"{a}/scopes/{scope.id}",
        f"{a}/proposals",
        f"{a}/proposals/{proposal.id}",
        f"{a}/projects",
        f"{a}/projects/new",
        f"{a}/projects/{project.id}",
        f"{a}/projects/{project.id}/edit",
        f"{a}/complaints",
        f"{a}/complaints/{complaint.id}",
        "/admin/audit",
        "/admin/audit?verify=1",
        "/admin/staff",
        "/admin/staff/new",
        "/staff/password",
    ]
    for role in (Role.ADMINISTRATOR, Role.REVIEWER, Role.OBSERVER):
        await make_staff(pool, f"sweep-{role.value}", role)
        await sign_in_staff(client, state, f"sweep-{role.value}")
        for path in admin_pages:
            response = await client.get(path)
            if response.status_code == 403:
                continue
            assert response.status_code == 200, (role, path, response.text[:300])
            check_page(path, response.text)
    intact = await client.get("/admin/audit?verify=1")
    assert "The chain is intact" in intact.text


async def test_pages_in_every_phase(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, "phases", Phase.UPCOMING)
    await make_staff(pool, "ana", Role.ADMINISTRATOR)
    for phase in Phase:
        await set_phase(pool, "phases", phase)
        await sign_in_citizen(client, state)
        for path in (
            "/",
            "/cycles/phases",
            "/cycles/phases/proposals/new",
            "/cycles/phases/projects",
            "/cycles/phases/my-proposals",
        ):
            response = await client.get(path)
            assert response.status_code == 200, (phase, path)
            check_page(path, response.text)
        await sign_in_staff(client, state, "ana")
        for path in (
            "/admin/cycles/phases",
            "/admin/cycles/phases/phase",
            "/admin/cycles/phases/edit",
            "/admin/cycles/phases/projects",
        ):
            response = await client.get(path)
            assert response.status_code == 200, (phase, path)
            check_page(path, response.text)


async def test_hostile_input_never_gives_a_server_error(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, "hostile", Phase.PROPOSALS)
    await make_staff(pool, "ana", Role.ADMINISTRATOR)
    assert (await client.get("/cycles/%00")).status_code == 404
    assert (await client.get("/cycles/hostile/proposals/%00")).status_code == 404
    refused = await sign_in_staff(client, state, "ana\x00", "x")
    assert refused.status_code == 422
    for form in (
        {"subject": "x\x00", "status": "citizen"},
        {"subject": "x", "residence": "nor\x00te", "status": "citizen"},
    ):
        response = await post_form(client, state, "/dev/sign-in", form)
        assert response.status_code == 422, form
    await sign_in_citizen(client, state)
    token = csrf_token(client, state)
    as_json = await client.post(
        "/cycles/hostile/proposals/new",
        content=b'{"title": "x"}',
        headers={"content-type": "application/json", "x-csrf-token": token},
    )
    assert as_json.status_code == 400
    multipart = await client.post(
        "/cycles/hostile/proposals/new",
        data={"csrf_token": token, "title": "x"},
        files={"upload": ("a.txt", b"hello")},
    )
    assert multipart.status_code == 400
    await sign_in_staff(client, state, "ana")
    assert (await client.get("/admin/cycles/%00")).status_code == 404
    assert (await client.get("/admin/audit?subject=%00&page=-3")).status_code == 200
    assert await pool.fetchval("SELECT count(*) FROM proposals") == 0
