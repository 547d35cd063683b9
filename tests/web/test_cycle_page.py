"""The public cycle page says how many ballots a citizen has: pots that share one vote say so."""

from __future__ import annotations

import re
from typing import Any

import httpx

from ballots.model import BallotKind, BallotSpec
from tests.support.voting import PotSpec, make_voting_cycle

Client = tuple[httpx.AsyncClient, dict[str, Any]]
SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


def budget_row(html: str, scope: str) -> str:
    # on a page in another language than the cycle's, the name is in a <span lang="...">
    name = rf'(?:<span lang="[^"]+">)?{scope}(?:</span>)?'
    found = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', html, re.S)
    assert found, f"no budget row for {scope}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


async def test_pots_sharing_one_vote_are_explained_in_each_language(app_client: Client) -> None:
    client, state = app_client
    await make_voting_cycle(
        state["pool"],
        [
            PotSpec("National", SINGLE, [100_00], group="national"),
            PotSpec("Norte", SINGLE, [100_00], group="regional", region="norte"),
            PotSpec("Algarve", SINGLE, [100_00], group="regional", region="algarve"),
        ],
        slug="opp-like",
    )
    page = (await client.get("/cycles/opp-like")).text
    assert "Single choice (one project)" in budget_row(page, "National")
    assert "one ballot" not in budget_row(page, "National")
    assert "one ballot, in any one of 2 scopes" in budget_row(page, "Norte")
    assert "regional" not in budget_row(page, "Norte")  # the group's code is not shown

    client.cookies.set("civica_lang", "pt-PT")
    page = (await client.get("/cycles/opp-like")).text
    assert "um só voto, em qualquer um de 2 âmbitos" in budget_row(page, "Algarve")
