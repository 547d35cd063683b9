"""`civica demo` seeding: an OPP-2018-shaped live cycle, and idempotent."""

from __future__ import annotations

from typing import Any

import httpx

from proposals import repository as store
from proposals.phases import Phase
from service.audit import verify_audit_chain
from service.commands.demo import seed_demo
from tests.support.proposals import count


async def test_demo_seeds_a_live_opp_cycle_once(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]], capsys: Any
) -> None:
    client, state = app_client
    pool = state["pool"]
    await seed_demo(state)
    first = capsys.readouterr().out
    assert "one-time passwords" in first
    for user in ("admin", "reviewer", "desk", "observer"):
        assert f"user name: {user}" in first
    cycle = await store.fetch_cycle(pool, "opp-2018")
    from datetime import UTC, datetime

    assert cycle.phase_at(datetime.now(UTC)) is Phase.COMPLAINTS
    scopes = await store.fetch_scopes(pool, cycle.id)
    assert len(scopes) == 8
    assert sum(s.budget_cents for s in scopes) == 500_000_000
    counts = {t: await count(pool, t) for t in ("cycles", "proposals", "projects", "complaints")}
    assert counts["proposals"] >= 10
    listed = {p.scope_id for p in await store.fetch_cycle_projects(pool, cycle.id)}
    assert len(listed) >= 5, "projects in several scopes"

    await seed_demo(state)
    second = capsys.readouterr().out
    assert "is in place" in second
    assert {t: await count(pool, t) for t in counts} == counts
    assert await count(pool, "staff") == 4
    assert await verify_audit_chain(pool) > 0

    for path in (
        "/",
        "/cycles/opp-2018",
        "/cycles/opp-2018/proposals",
        "/cycles/opp-2018/projects",
        "/cycles/opp-2018/complaints",
    ):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
