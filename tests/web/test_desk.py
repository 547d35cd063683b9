"""The assisted-voting desk: a paper ballot entered by staff, on the same board, audited, and
excluding a later online ballot in the same vote."""

from __future__ import annotations

from typing import Any

import httpx

from ballots import repository as board_store
from ballots.model import BallotKind, BallotSpec
from service.accounts import Role
from tests.support.identity import import_census, sign_in_with_census_code
from tests.support.proposals import count, make_staff, post_form, second_client, sign_in_staff
from tests.support.voting import PotSpec, make_voting_cycle, review_and_cast
from verification.formats import Channel, decode_entry

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]
SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


async def desk_session(client: httpx.AsyncClient, state: dict[str, Any]) -> None:
    await make_staff(state["pool"], "dora", Role.DESK)
    response = await sign_in_staff(client, state, "dora")
    assert response.status_code == 303


async def test_a_desk_ballot_is_on_the_board_audited_and_blocks_online_voting(
    app_client: AppClient,
) -> None:
    client, state = app_client
    pool = state["pool"]
    await import_census(state)
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00, 20_00])])
    await desk_session(client, state)

    home = await client.get("/desk")
    assert "vote-2026" in home.text
    wrong = await post_form(
        client,
        state,
        "/desk/vote-2026/lookup",
        {"id_number": "12345678", "birth_date": "1980-05-02"},
    )
    assert wrong.status_code == 422
    assert "Nobody with this ID number" in wrong.text
    found = await post_form(
        client,
        state,
        "/desk/vote-2026/lookup",
        {"id_number": "12345678", "birth_date": "1980-05-01"},
    )
    assert found.status_code == 303
    page = await client.get("/desk/vote-2026")
    assert "Enter the paper ballot for City" in page.text

    cast = await review_and_cast(
        client, state, "/desk/vote-2026/vote/city", [("project", str(voting.projects["city"][1]))]
    )
    assert cast.status_code == 200, cast.text
    assert "Print this receipt" in cast.text
    rows = await board_store.fetch_entries(pool, voting.cycle.id, 0, 10)
    assert len(rows) == 1
    assert decode_entry(rows[0][1]).channel is Channel.DESK
    audit = await pool.fetch(
        "SELECT actor, action, after FROM audit_log WHERE action = 'ballot.desk_entry'"
    )
    assert len(audit) == 1
    assert audit[0]["after"]["index"] == 0
    assert "dora" in audit[0]["actor"]
    assert "project" not in str(audit[0]["after"]), "the audit log never holds ballot content"
    assert "Find the citizen" in (await client.get("/desk/vote-2026")).text, "next citizen"

    citizen = second_client(client)
    async with citizen:
        # the same person, signing in online with the census code
        await sign_in_with_census_code(citizen, state, "12345678", "1980-05-01")
        refused = await review_and_cast(
            citizen,
            state,
            "/cycles/vote-2026/vote/city",
            [("project", str(voting.projects["city"][0]))],
        )
    assert refused.status_code == 409
    assert "assisted-voting desk" in refused.text
    assert await count(pool, "board_entries") == 1


async def test_a_citizen_who_voted_online_cannot_get_a_desk_ballot(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    await import_census(state)
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00, 20_00])])
    citizen = second_client(client)
    async with citizen:
        await sign_in_with_census_code(citizen, state, "87654321", "1999-12-31")
        assert (
            await review_and_cast(
                citizen,
                state,
                "/cycles/vote-2026/vote/city",
                [("project", str(voting.projects["city"][0]))],
            )
        ).status_code == 200
    await desk_session(client, state)
    await post_form(
        client,
        state,
        "/desk/vote-2026/lookup",
        {"id_number": "87654321", "birth_date": "1999-12-31"},
    )
    page = await client.get("/desk/vote-2026")
    assert "Already voted in this vote, online." in page.text
    refused = await review_and_cast(
        client, state, "/desk/vote-2026/vote/city", [("project", str(voting.projects["city"][1]))]
    )
    assert refused.status_code == 409
    assert await count(pool, "board_entries") == 1


async def test_only_desk_staff_reach_the_desk(app_client: AppClient) -> None:
    client, state = app_client
    await make_voting_cycle(state["pool"], [PotSpec("City", SINGLE, [10_00])])
    assert (await client.get("/desk")).status_code == 303
    await make_staff(state["pool"], "rita", Role.REVIEWER)
    await sign_in_staff(client, state, "rita")
    assert (await client.get("/desk")).status_code == 403
    assert (await client.get("/desk/vote-2026")).status_code == 403
