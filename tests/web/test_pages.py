"""Every page of the demo cycle, as the public and as each staff role: it renders, has one h1,
no inline script or style, labels for its fields and CSRF tokens in its forms."""

from __future__ import annotations

import re
from typing import Any

import httpx

from proposals import repository as store
from service.accounts import Role
from service.commands.demo import seed_demo
from tests.support.proposals import make_staff, sign_in_citizen, sign_in_staff

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
        "/dev/sign-in",
        "/staff/sign-in",
    ]
    for path in public:
        response = await client.get(path)
        assert response.status_code == 200, path
        check_page(path, response.text)
    await sign_in_citizen(client, state)
    for path in (f"{c}/complaints/new?project={project.id}", f"{c}/proposals/new", c):
        check_page(path, (await client.get(path)).text)

    a = "/admin/cycles/opp-2018"
    admin_pages = [
        "/staff",
        "/admin/cycles",
        "/admin/cycles/new",
        a,
        f"{a}/edit",
        f"{a}/phase",
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
