"""Every administration route, walked with every role and with no session.

The routes are enumerated from the app (every route named `admin.*`), so a new route without
an entry in EXPECTED fails this test. Observers may read every administration page and change
nothing; desk staff have no administration pages yet.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from starlette.routing import Route

from proposals import repository as store
from proposals.model import ProjectDraft, ProposalDraft
from proposals.phases import Phase
from service.accounts import Role
from service.app import create_app
from service.config import Settings
from service.workflows import participation, review
from tests.support.proposals import make_cycle, make_staff, post_form, set_phase, sign_in_staff
from verification.identity.model import CitizenSession

A, R, D, OBS = Role.ADMINISTRATOR, Role.REVIEWER, Role.DESK, Role.OBSERVER
READERS = {A, R, OBS}
ADMIN_READERS = {A, OBS}

EXPECTED: dict[str, set[Role]] = {
    "admin.home": READERS,
    "admin.cycles": READERS,
    "admin.cycle_new": ADMIN_READERS,
    "admin.cycle_create": {A},
    "admin.cycle": READERS,
    "admin.cycle_edit": ADMIN_READERS,
    "admin.cycle_update": {A},
    "admin.scope_new": ADMIN_READERS,
    "admin.scope_create": {A},
    "admin.scope_edit": ADMIN_READERS,
    "admin.scope_update": {A},
    "admin.phase": ADMIN_READERS,
    "admin.phase_change": {A},
    "admin.close": ADMIN_READERS,
    "admin.close_submit": {A},
    "admin.proposals": READERS,
    "admin.proposal": READERS,
    "admin.proposal_review": {R},
    "admin.projects": READERS,
    "admin.project_new": READERS,
    "admin.project_create": {R},
    "admin.project": READERS,
    "admin.project_edit": READERS,
    "admin.project_update": {R},
    "admin.project_add_proposals": {R},
    "admin.project_withdraw": {R},
    "admin.publish_list": {R},
    "admin.complaints": READERS,
    "admin.complaint": READERS,
    "admin.complaint_answer": {R},
    "admin.audit": ADMIN_READERS,
    "admin.census_import": ADMIN_READERS,
    "admin.census_import_submit": {A},
    "admin.staff_list": ADMIN_READERS,
    "admin.staff_new": ADMIN_READERS,
    "admin.staff_create": {A},
    "admin.staff_member": ADMIN_READERS,
    "admin.staff_update": {A},
    "admin.staff_activate": {A},
    "admin.staff_reset_password": {A},
}


def admin_routes(settings: Settings) -> list[tuple[str, str, Route]]:
    """(name, method, route) for every administration route of the real app."""
    found = []
    for route in create_app(settings).routes:
        if isinstance(route, Route) and route.name.startswith("admin."):
            methods = (route.methods or set()) - {"HEAD"}
            assert len(methods) == 1, f"{route.name}: one method per administration route"
            found.append((route.name, methods.pop(), route))
    return found


def test_every_administration_route_has_an_expectation(settings: Settings) -> None:
    names = {name for name, _method, _route in admin_routes(settings)}
    assert names == set(EXPECTED), (
        f"missing: {sorted(names - set(EXPECTED))}; stale: {sorted(set(EXPECTED) - names)}"
    )
    for name, method, route in admin_routes(settings):
        assert hasattr(route.endpoint, "allowed_roles"), f"{name} is not behind require_staff"
        if method == "GET":
            assert OBS in EXPECTED[name], f"observers read every page ({name})"
        else:
            assert OBS not in EXPECTED[name], f"observers change nothing ({name})"
        assert D not in EXPECTED[name]


async def fixtures(pool: Any) -> dict[str, Any]:
    """A cycle in its complaints phase with a scope, proposal, project and complaint."""
    cycle = await make_cycle(pool, "matrix", Phase.PROPOSALS)
    scope = (await store.fetch_scopes(pool, cycle.id))[0]
    area = (await store.fetch_areas(pool, cycle.id))[0]
    reviewer = await make_staff(pool, "fixture-reviewer", R)
    citizen = CitizenSession("c" * 64, "dev", date(1980, 1, 1), "norte", "citizen", False)
    proposal = await participation.submit_proposal(
        pool, citizen, "matrix", ProposalDraft(scope.id, area.id, "Benches", "Benches", "", 500)
    )
    await set_phase(pool, "matrix", Phase.REVIEW)
    await review.review_proposal(pool, reviewer, "matrix", proposal.id, "start")
    await review.review_proposal(pool, reviewer, "matrix", proposal.id, "feasible")
    project = await review.create_project(
        pool,
        reviewer,
        "matrix",
        ProjectDraft(scope.id, area.id, "Benches", "Benches", "", 500),
        [proposal.id],
    )
    await review.publish_list(pool, reviewer, "matrix", "provisional")
    await set_phase(pool, "matrix", Phase.COMPLAINTS)
    complaint = await participation.file_complaint(
        pool, citizen, "matrix", "Too cheap", project_id=project.id
    )
    target = await make_staff(pool, "target", D)
    return {
        "slug": "matrix",
        "scope_id": scope.id,
        "proposal_id": proposal.id,
        "project_id": project.id,
        "complaint_id": complaint.id,
        "staff_id": target.id,
    }


async def request(
    client: httpx.AsyncClient, state: dict[str, Any], method: str, path: str
) -> httpx.Response:
    if method == "GET":
        return await client.get(path)
    return await post_form(client, state, path, {})


async def test_the_role_matrix(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]], settings: Settings
) -> None:
    client, state = app_client
    pool = state["pool"]
    params = await fixtures(pool)
    for role in Role:
        await make_staff(pool, f"as-{role.value}", role)
    routes = admin_routes(settings)
    paths = {
        name: route.url_path_for(name, **{p: params[p] for p in route.param_convertors})
        for name, _method, route in routes
    }

    audit_before = await pool.fetchval("SELECT count(*) FROM audit_log")
    for name, method, _route in routes:
        response = await request(client, state, method, paths[name])
        assert response.status_code == 303, (name, "anonymous", response.status_code)
        assert response.headers["location"].startswith("/staff/sign-in"), name

    for role in Role:
        await sign_in_staff(client, state, f"as-{role.value}")
        for name, method, _route in routes:
            audit = await pool.fetchval("SELECT count(*) FROM audit_log")
            response = await request(client, state, method, paths[name])
            assert response.status_code < 500, (name, role, response.text[:500])
            if role in EXPECTED[name]:
                assert response.status_code != 403, (name, role)
                assert not response.headers.get("location", "").startswith("/staff/sign-in")
            else:
                assert response.status_code == 403, (name, role, response.status_code)
                assert await pool.fetchval("SELECT count(*) FROM audit_log") == audit, name
        await post_form(client, state, "/staff/sign-out", {})
    assert await pool.fetchval("SELECT count(*) FROM audit_log") >= audit_before
