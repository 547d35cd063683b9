"""Results pages and exports through HTTP: nothing before the close, the record's figures after,
charts with text alternatives, downloads that agree with the record; the administrator's close."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from ballots import repository as board_store
from ballots.model import BallotKind, BallotSpec
from ballots.pabulib import parse_pabulib
from ballots.tally import Project, TallyRule, tally
from proposals import repository as store
from proposals.phases import Phase
from proposals.tally_choice import TallyChoice
from service.accounts import Role
from service.workflows.closing import close_cycle
from tests.support.proposals import (
    make_staff,
    post_form,
    set_phase,
    sign_in_citizen,
    sign_in_staff,
)
from tests.support.voting import PotSpec, VotingCycle, make_voting_cycle, review_and_cast

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]
BASE = "/cycles/vote-2026"


async def voted_cycle(client: httpx.AsyncClient, state: dict[str, Any]) -> VotingCycle:
    """Two pots: single choice with greedy (ties by cost), cumulative points with MES."""
    pots = [
        PotSpec(
            "City",
            BallotSpec(BallotKind.SINGLE_CHOICE),
            [400_00, 300_00, 500_00],
            budget_cents=800_00,
            group="city",
            tally=TallyChoice(tie_break="cost-then-id"),
        ),
        PotSpec(
            "Park",
            BallotSpec(BallotKind.CUMULATIVE, points=3),
            [100_00, 200_00, 150_00],
            budget_cents=300_00,
            group="park",
            tally=TallyChoice(rule="mes", completion="add1-greedy", tie_break="lexico"),
        ),
    ]
    voting = await make_voting_cycle(state["pool"], pots)
    city, park = voting.projects["city"], voting.projects["park"]
    for voter, choice, points in [
        ("ana", 0, (3, 0, 0)),
        ("rui", 0, (1, 2, 0)),
        ("eva", 2, (0, 1, 2)),
        ("ines", 1, (0, 0, 3)),
    ]:
        await sign_in_citizen(client, state, voter)
        cast = await review_and_cast(
            client, state, f"{BASE}/vote/city", [("project", str(city[choice]))]
        )
        assert cast.status_code == 200, cast.text
        fields = [(f"points-{pid}", str(n)) for pid, n in zip(park, points, strict=True) if n]
        cast = await review_and_cast(client, state, f"{BASE}/vote/park", fields)
        assert cast.status_code == 200, cast.text
    await post_form(client, state, "/dev/sign-out", {})
    return voting


async def close_as_admin(client: httpx.AsyncClient, state: dict[str, Any]) -> httpx.Response:
    await make_staff(state["pool"], "root", Role.ADMINISTRATOR)
    await sign_in_staff(client, state, "root")
    page = await client.get("/admin/cycles/vote-2026/close")
    assert page.status_code == 200
    assert "Close voting and publish the record" in page.text
    return await post_form(
        client, state, "/admin/cycles/vote-2026/close", {"reason": "Every ballot is in."}
    )


async def test_no_results_before_the_close(app_client: AppClient) -> None:
    client, state = app_client
    await voted_cycle(client, state)
    for path in (f"{BASE}/results", f"{BASE}/results/city"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "There are no results yet" in response.text
        assert "Voting closes on" in response.text
        assert "<svg" not in response.text
        assert "City project" not in response.text
    for name in ("results.json", "results.csv", "results.pb"):
        response = await client.get(f"{BASE}/results/city/{name}")
        assert response.status_code == 404, name
    page = await client.get(BASE)
    assert f'href="{BASE}/results"' not in page.text
    assert f'href="{BASE}/vote"' in page.text


async def test_results_pages_show_the_published_record(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await voted_cycle(client, state)
    closed = await close_as_admin(client, state)
    assert closed.status_code == 303
    assert closed.headers["location"] == f"{BASE}/results"
    published = json.loads(
        await board_store.fetch_record_file(pool, voting.cycle.id, "results.json") or b""
    )
    city_result, park_result = published["scopes"]

    overview = await client.get(f"{BASE}/results")
    assert overview.status_code == 200
    assert f'href="{BASE}/results/city"' in overview.text
    assert f'href="{BASE}/record/"' in overview.text

    page = await client.get(f"{BASE}/results/city")
    assert page.status_code == 200
    html = page.text
    assert "style=" not in html
    assert "<style" not in html
    votes = {p["id"]: p["votes"] for p in city_result["projects"]}
    assert votes == {voting.projects["city"][0]: 2, voting.projects["city"][1]: 1,
                     voting.projects["city"][2]: 1}  # fmt: skip
    # Winners in selection order: 400 (2 votes), then ties at 1 vote by cost: 300 fits, 500 not.
    winners = city_result["winners"]
    assert winners == [voting.projects["city"][0], voting.projects["city"][1]]
    listed = re.search(r'<ol class="winners">(.*?)</ol>', html, re.S)
    assert listed is not None
    assert re.findall(r"<strong>(.*?)</strong>", listed[1]) == ["City project 1", "City project 2"]
    assert "€700.00" in html  # used
    assert "€100.00" in html  # left
    assert "Projects were ranked by their number of votes" in html
    assert "Ties went to the cheaper project" in html

    charts = re.findall(r'<svg class="chart-svg".*?</svg>', html, re.S)
    assert len(charts) == 2
    for chart in charts:
        assert 'role="img"' in chart
        labelled = re.search(r'aria-labelledby="([^"]+)"', chart)
        assert labelled is not None
        for element_id in labelled[1].split():
            assert f'id="{element_id}"' in chart
        description = re.search(r"<desc[^>]*>(.*?)</desc>", chart, re.S)
        assert description is not None
        assert len(description[1]) > 40
        assert "viewBox=" in chart
    assert "Most votes: City project 1, with 2" in charts[0]
    assert "use €700.00 of the budget of €800.00" in charts[1]
    tables = re.findall(r"<table>(.*?)</table>", html, re.S)
    assert len(tables) == 2
    for table in tables:
        assert "<caption" in table
        assert '<th scope="col">' in table
        assert '<th scope="row">' in table

    park = await client.get(f"{BASE}/results/park")
    assert park.status_code == 200
    assert "Method of Equal Shares" in park.text
    assert "Points per project" in park.text
    points = {p["id"]: p["points"] for p in park_result["projects"]}
    assert list(points.values()) == [4, 3, 5]
    assert (await client.get(f"{BASE}/results/nowhere")).status_code == 404

    home = await client.get("/")
    assert f'href="{BASE}/results"' in home.text
    cycle_page = await client.get(BASE)
    assert f'href="{BASE}/results"' in cycle_page.text


async def test_exports_agree_with_the_record(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await voted_cycle(client, state)
    assert (await close_as_admin(client, state)).status_code == 303
    published = json.loads(
        await board_store.fetch_record_file(pool, voting.cycle.id, "results.json") or b""
    )
    for scope_slug, scope_result in zip(("city", "park"), published["scopes"], strict=True):
        as_json = await client.get(f"{BASE}/results/{scope_slug}/results.json")
        assert as_json.status_code == 200
        assert "attachment" in as_json.headers["content-disposition"]
        document = json.loads(as_json.content)
        assert document["cycle_fingerprint"] == published["cycle_fingerprint"]
        sliced = document["results"]
        assert {k: v for k, v in sliced.items() if k != "projects"} == {
            k: v for k, v in scope_result.items() if k != "projects"
        }
        assert [(p["id"], p["votes"], p["points"]) for p in sliced["projects"]] == [
            (p["id"], p["votes"], p["points"]) for p in scope_result["projects"]
        ]
        assert all(p["title"] for p in sliced["projects"])

        as_csv = await client.get(f"{BASE}/results/{scope_slug}/results.csv")
        assert as_csv.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert [int(r["id"]) for r in rows] == [p["id"] for p in scope_result["projects"]]
        assert [int(r["votes"]) for r in rows] == [p["votes"] for p in scope_result["projects"]]
        chosen = sorted(
            (int(r["selection_order"]), int(r["id"])) for r in rows if r["selected"] == "yes"
        )
        assert [pid for _order, pid in chosen] == scope_result["winners"]

        as_pb = await client.get(f"{BASE}/results/{scope_slug}/results.pb")
        assert as_pb.status_code == 200
        pb = parse_pabulib(as_pb.text)
        assert pb.meta["num_votes"] == str(scope_result["ballots"]["counted"])
        unit = int(pb.meta["civica_money_unit_cents"])
        assert pb.budget * unit == scope_result["budget_cents"]
        rule = TallyRule.from_dict(scope_result["rule"])
        outcome = tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), rule)
        assert [int(w) for w in outcome.winners] == scope_result["winners"]
        assert {p.project_id: p.fields["votes"] for p in pb.projects} == {
            str(p["id"]): str(p["votes"]) for p in scope_result["projects"]
        }
        cents = [Project(p.project_id, p.cost * unit) for p in pb.projects]
        assert (
            sum(c.cost for c in cents if int(c.id) in scope_result["winners"])
            == (scope_result["total_cost_cents"])
        )
    park_pb = parse_pabulib((await client.get(f"{BASE}/results/park/results.pb")).text)
    assert park_pb.vote_type == "cumulative"
    assert park_pb.meta["max_sum_points"] == "3"
    assert sorted(sum(v.points or ()) for v in park_pb.votes) == [3, 3, 3, 3]


async def test_the_administrators_close(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await voted_cycle(client, state)
    await make_staff(pool, "root", Role.ADMINISTRATOR)
    await make_staff(pool, "watcher", Role.OBSERVER)

    await sign_in_staff(client, state, "watcher")
    page = await client.get("/admin/cycles/vote-2026/close")
    assert page.status_code == 200
    assert "can read the administration pages but not change anything" in page.text
    assert 'action="/admin/cycles/vote-2026/close"' not in page.text
    refused = await post_form(client, state, "/admin/cycles/vote-2026/close", {"reason": "x"})
    assert refused.status_code == 403
    await post_form(client, state, "/staff/sign-out", {})

    await sign_in_staff(client, state, "root")
    admin = await client.get("/admin/cycles/vote-2026")
    assert 'href="/admin/cycles/vote-2026/close"' in admin.text
    empty = await post_form(client, state, "/admin/cycles/vote-2026/close", {"reason": "  "})
    assert empty.status_code == 422
    assert "error-summary" in empty.text
    assert 'href="#reason"' in empty.text
    board = await board_store.fetch_board(pool, voting.cycle.id)
    assert board is not None
    assert board.closed_at is None
    cycle = await store.fetch_cycle(pool, "vote-2026")
    assert cycle.phase_at(datetime.now(UTC)) is Phase.VOTING

    done = await post_form(
        client, state, "/admin/cycles/vote-2026/close", {"reason": "The count must start today."}
    )
    assert done.status_code == 303
    changes = await store.fetch_phase_changes(pool, voting.cycle.id)
    assert [(c.kind, c.phase, c.reason) for c in changes] == [
        ("advance", Phase.VOTING, "The count must start today.")
    ]
    actions = {
        (r["actor"], r["action"]) for r in await pool.fetch("SELECT actor, action FROM audit_log")
    }
    assert ("staff:root", "phase.advance") in actions
    assert ("staff:root", "voting.close") in actions
    assert ("staff:root", "record.publish") in actions
    names = await board_store.fetch_record_file_names(pool, voting.cycle.id)
    assert len(names) == 7

    again = await post_form(client, state, "/admin/cycles/vote-2026/close", {"reason": "Again"})
    assert again.status_code == 409
    assert "closed already" in again.text
    assert len(await store.fetch_phase_changes(pool, voting.cycle.id)) == 1
    page = await client.get("/admin/cycles/vote-2026/close")
    assert "closed already" in page.text


async def test_closing_is_refused_while_voting_is_not_open(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(
        pool, [PotSpec("City", BallotSpec(BallotKind.SINGLE_CHOICE), [100_00])]
    )
    await set_phase(pool, "vote-2026", Phase.COMPLAINTS)
    await make_staff(pool, "root", Role.ADMINISTRATOR)
    await sign_in_staff(client, state, "root")
    page = await client.get("/admin/cycles/vote-2026/close")
    assert "Voting is not open in this cycle" in page.text
    assert 'action="/admin/cycles/vote-2026/close"' not in page.text
    refused = await post_form(client, state, "/admin/cycles/vote-2026/close", {"reason": "Now"})
    assert refused.status_code == 409
    assert "Voting is not open in this cycle" in refused.text
    assert await store.fetch_phase_changes(pool, voting.cycle.id) == []
    assert await board_store.fetch_record_file_names(pool, voting.cycle.id) == set()


async def test_two_closes_at_once_publish_one_record(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await voted_cycle(client, state)
    await set_phase(pool, "vote-2026", Phase.RESULTS)
    first, second = await asyncio.gather(
        close_cycle(pool, state["settings"], state["keys"], "vote-2026"),
        close_cycle(pool, state["settings"], state["keys"], "vote-2026", actor="staff:root"),
    )
    assert first.closing_statement == second.closing_statement
    assert first.size == second.size == 8
    actions = [r["action"] for r in await pool.fetch("SELECT action FROM audit_log")]
    assert actions.count("voting.close") == 1
    assert actions.count("record.publish") == 1
    assert len(await board_store.fetch_record_file_names(pool, voting.cycle.id)) == 7
