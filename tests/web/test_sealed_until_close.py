"""Nothing reveals a count or a ballot's content while voting is open: every GET route, for
every kind of visitor, and the sealing secret key is read only by the close."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import httpx
from starlette.routing import Route

from ballots.model import BallotKind, BallotSpec
from proposals import repository as store
from service.accounts import Role
from service.app import routes
from service.workflows.voting import cast_ballot
from tests.support.proposals import make_staff, second_client, sign_in_citizen, sign_in_staff
from tests.support.voting import PotSpec, make_voting_cycle
from verification.formats import Channel
from verification.identity.model import CitizenSession, person_key

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]
REPO = Path(__file__).resolve().parents[2]
VOTES_FOR_FAVOURITE = 17
COUNT_PATTERN = re.compile(
    rf"\b{VOTES_FOR_FAVOURITE}\b.{{0,80}}\b(votes?|votos?|points|pontos)\b"
    rf"|\b(votes?|votos?)\b.{{0,80}}\b{VOTES_FOR_FAVOURITE}\b",
    re.IGNORECASE | re.DOTALL,
)


def test_the_count_pattern_would_catch_a_leak() -> None:
    assert COUNT_PATTERN.search("<td>City project 1</td><td>17</td> votes")
    assert COUNT_PATTERN.search("Votos: 17")
    assert not COUNT_PATTERN.search("Voting opens on 2026-11-27")


def get_routes() -> list[Route]:
    return [r for r in routes() if isinstance(r, Route) and "GET" in (r.methods or set())]


async def test_no_route_reveals_counts_or_contents_before_the_close(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    spec = BallotSpec(BallotKind.SINGLE_CHOICE)
    voting = await make_voting_cycle(pool, [PotSpec("City", spec, [10_00, 20_00])])
    favourite, other = voting.projects["city"]
    scope = (await store.fetch_scopes(pool, voting.cycle.id))[0]
    for n in range(VOTES_FOR_FAVOURITE + 3):
        voter = CitizenSession(
            person_key(state["keys"].identifier_pepper, f"v{n}"), "test", None, None, None, False
        )
        await cast_ballot(
            pool,
            state["settings"],
            state["keys"],
            voting.cycle,
            scope,
            voter.__class__(
                voter.person_key,
                "test",
                __import__("datetime").date(1980, 1, 1),
                "norte",
                "citizen",
                False,
            ),
            {favourite if n < VOTES_FOR_FAVOURITE else other: 1},
            channel=Channel.WEB,
        )
    values = {
        "slug": voting.cycle.slug,
        "scope": scope.slug,
        "scope_id": str(scope.id),
        "project_id": str(favourite),
        "proposal_id": "1",
        "complaint_id": "1",
        "staff_id": "1",
        "name": "results.json",
    }
    visitors: dict[str, httpx.AsyncClient] = {"anonymous": client}
    citizen = second_client(client)
    await sign_in_citizen(citizen, state, "v1")
    visitors["citizen"] = citizen
    for role in (Role.ADMINISTRATOR, Role.OBSERVER, Role.REVIEWER, Role.DESK):
        staff_client = second_client(client)
        await make_staff(pool, role.value, role)
        await sign_in_staff(staff_client, state, role.value)
        visitors[role.value] = staff_client
    checked = 0
    try:
        for route in get_routes():
            path = route.path
            for name in route.param_convertors:
                path = re.sub(r"\{" + name + r"(:[a-z]+)?\}", values[name], path)
            for who, visitor in visitors.items():
                response = await visitor.get(path)
                checked += 1
                assert response.status_code != 500, (who, path)
                body = response.text
                assert "civica-ballot/1" not in body, (who, path)
                assert '"selections"' not in body, (who, path)
                assert not COUNT_PATTERN.search(body), (who, path, COUNT_PATTERN.search(body))
    finally:
        for who, visitor in visitors.items():
            if who != "anonymous":
                await visitor.aclose()
    assert checked > 100


def test_only_the_close_reads_the_sealing_secret() -> None:
    callers = []
    for path in REPO.glob("**/*.py"):
        relative = path.relative_to(REPO)
        if relative.parts[0].startswith(".") or relative.parts[0] == "tests":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name == "read_sealing_secret":
                    callers.append(str(relative))
    assert callers == ["service/workflows/closing.py"]
