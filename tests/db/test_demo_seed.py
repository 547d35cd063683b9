"""`civica demo` seeding: an OPP-2018-shaped cycle open for voting beside a closed cycle imported
from a real pabulib file, both idempotent across restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from ballots import repository as board_store
from proposals import repository as store
from proposals.phases import Phase
from service.audit import verify_audit_chain
from service.commands.demo import seed_demo
from service.commands.demo_results import DEMO_SLUG, demo_file
from tests.support.proposals import count, sign_in_citizen
from tests.support.voting import receipt_from, review_and_cast
from verification.record import RECORD_FILES

TABLES = ("cycles", "proposals", "projects", "complaints", "board_entries", "record_files")


async def test_demo_seeds_a_voting_opp_cycle_and_a_closed_one_once(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]], capsys: Any
) -> None:
    client, state = app_client
    pool = state["pool"]
    assert demo_file() is not None, "the shared pabulib files are needed (../shared/pabulib)"
    await seed_demo(state)
    first = capsys.readouterr().out
    assert "one-time passwords" in first
    for user in ("admin", "reviewer", "desk", "observer"):
        assert f"user name: {user}" in first
    assert "open for voting" in first
    assert f"/cycles/{DEMO_SLUG}/results" in first
    assert f"/cycles/{DEMO_SLUG}/record/" in first
    assert "imported, its ballots cast and voting closed" in first

    cycle = await store.fetch_cycle(pool, "opp-2018")
    assert cycle.phase_at(datetime.now(UTC)) is Phase.VOTING
    assert cycle.final_list_published_at is not None
    assert (cycle.settings.schedule.results_at - datetime.now(UTC)).days >= 7
    board = await board_store.fetch_board(pool, cycle.id)
    assert board is not None, "the manifest is frozen and the board open"
    assert board.closed_at is None
    scopes = await store.fetch_scopes(pool, cycle.id)
    assert len(scopes) == 8
    assert sum(s.budget_cents for s in scopes) == 500_000_000
    counts = {t: await count(pool, t) for t in TABLES}
    assert counts["proposals"] >= 10
    listed = {p.scope_id for p in await store.fetch_cycle_projects(pool, cycle.id)}
    assert len(listed) >= 5, "projects in several scopes"

    closed = await store.fetch_cycle(pool, DEMO_SLUG)
    assert closed.phase_at(datetime.now(UTC)) is Phase.RESULTS
    names = await board_store.fetch_record_file_names(pool, closed.id)
    assert names == set(RECORD_FILES)
    closed_board = await board_store.fetch_board(pool, closed.id)
    assert closed_board is not None
    assert closed_board.size == 84, "every Assen ballot cast through the cast path"

    await seed_demo(state)
    second = capsys.readouterr().out
    assert "is in place" in second
    assert f"{DEMO_SLUG} is in place" in second
    assert {t: await count(pool, t) for t in TABLES} == counts, "nothing duplicated or replayed"
    assert await count(pool, "staff") == 4
    assert await verify_audit_chain(pool) > 0

    for path in (
        "/",
        "/cycles/opp-2018",
        "/cycles/opp-2018/proposals",
        "/cycles/opp-2018/projects",
        "/cycles/opp-2018/complaints",
        f"/cycles/{DEMO_SLUG}",
        f"/cycles/{DEMO_SLUG}/results",
        f"/cycles/{DEMO_SLUG}/results/main",
        f"/cycles/{DEMO_SLUG}/record/",
    ):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:2000])
    assert "Results of" in (await client.get("/")).text

    # A newcomer signs in as a demo citizen and votes in the national pot.
    await sign_in_citizen(client, state, "newcomer", residence="PT-11")
    nacional = next(s for s in scopes if s.slug == "nacional")
    project = next(
        p for p in await store.fetch_cycle_projects(pool, cycle.id) if p.scope_id == nacional.id
    )
    cast = await review_and_cast(
        client, state, "/cycles/opp-2018/vote/nacional", [("project", str(project.id))]
    )
    assert cast.status_code == 200, cast.text
    assert receipt_from(cast.text)["index"] == 0
    assert (await client.get("/cycles/opp-2018/results")).status_code == 404
