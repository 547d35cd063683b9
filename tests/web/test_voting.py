"""Voting through HTTP with the real database: each ballot type, receipts, revoting, refusals."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest
from nacl.signing import VerifyKey

from ballots import repository as board_store
from ballots.model import BallotKind, BallotSpec
from service import board
from tests.support.proposals import count, post_form, second_client, sign_in_citizen
from tests.support.voting import (
    PotSpec,
    make_voting_cycle,
    receipt_from,
    review_and_cast,
    review_form_fields,
)
from verification.formats import RECEIPT_FORMAT, b64decode, signed_message
from verification.merkle import verify_inclusion

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]
SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


def check_receipt_alone(receipt: dict[str, Any], log_public_key: bytes) -> None:
    """A receipt verifies with PyNaCl and hashlib only (what any voter's tool can do)."""
    fields = {k: v for k, v in receipt.items() if k != "signature"}
    VerifyKey(log_public_key).verify(
        signed_message(RECEIPT_FORMAT, fields), b64decode(receipt["signature"], "signature")
    )
    assert "selections" not in str(receipt)


async def test_a_citizen_votes_and_the_receipt_proves_inclusion(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [300_000_00, 200_000_00])])
    first, second = voting.projects["city"]

    page = await client.get("/cycles/vote-2026/vote")
    assert page.status_code == 200
    assert "Sign in to vote" in page.text
    await sign_in_citizen(client, state, "ana")
    assert "Vote in City" in (await client.get("/cycles/vote-2026/vote")).text
    ballot = await client.get("/cycles/vote-2026/vote/city")
    assert ballot.status_code == 200
    assert 'type="radio"' in ballot.text
    assert "City project 2" in ballot.text

    review = await post_form(
        client, state, "/cycles/vote-2026/vote/city/review", [("project", str(second))]
    )
    assert review.status_code == 200
    assert "Check your ballot" in review.text
    assert await count(pool, "board_entries") == 0, "reviewing must not cast"

    cast = await post_form(
        client, state, "/cycles/vote-2026/vote/city/cast", review_form_fields(review.text)
    )
    assert cast.status_code == 200, cast.text
    assert "Your ballot is cast" in cast.text
    assert "<svg" in cast.text
    receipt = receipt_from(cast.text)
    state_row = await board_store.fetch_board(pool, voting.cycle.id)
    assert state_row is not None
    check_receipt_alone(receipt, state_row.log_public_key)
    assert receipt["index"] == 0

    checkpoint = await board.checkpoint(pool, state["keys"], voting.cycle.id)
    assert checkpoint is not None
    entries = await board_store.fetch_entries(pool, voting.cycle.id, 0, 1)
    leaf = entries[0][2]
    assert receipt["leaf_hash"] == leaf.hex()
    proof = await board.inclusion_proof(pool, voting.cycle.id, 0, checkpoint.tree_size)
    verify_inclusion(
        bytes.fromhex(receipt["leaf_hash"]), 0, checkpoint.tree_size, proof, checkpoint.root_hash
    )
    assert hashlib.sha256(b"\x00" + entries[0][1]).digest() == leaf

    download = await post_form(
        client, state, "/cycles/vote-2026/receipt.json", {"receipt": json.dumps(receipt)}
    )
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.json() == receipt

    again = await client.get("/cycles/vote-2026/vote")
    assert "You have voted in this vote" in again.text
    refused = await review_and_cast(
        client, state, "/cycles/vote-2026/vote/city", [("project", str(first))]
    )
    assert refused.status_code == 409
    assert "already voted" in refused.text
    assert await count(pool, "board_entries") == 1


async def cast_as(
    client: httpx.AsyncClient,
    state: dict[str, Any],
    subject: str,
    base: str,
    choices: list[tuple[str, str]],
) -> httpx.Response:
    await sign_in_citizen(client, state, subject)
    return await review_and_cast(client, state, base, choices)


@pytest.mark.parametrize(
    ("spec", "costs", "choices", "bad_choices", "problem"),
    [
        (
            BallotSpec(BallotKind.K_APPROVAL, max_choices=2),
            [10, 20, 30],
            [0, 2],
            [0, 1, 2],
            "Choose at most 2 projects",
        ),
        (
            BallotSpec(BallotKind.KNAPSACK, min_spend_percent=50),
            [60_000_00, 30_000_00, 20_000_00],
            [0, 1],
            [0, 1, 2],
            "more than the budget",
        ),
        (
            BallotSpec(BallotKind.KNAPSACK, min_spend_percent=50),
            [60_000_00, 30_000_00, 20_000_00],
            [0, 1],
            [2],
            "at least 50%",
        ),
    ],
)
async def test_approval_style_ballots(
    app_client: AppClient,
    spec: BallotSpec,
    costs: list[int],
    choices: list[int],
    bad_choices: list[int],
    problem: str,
) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(pool, [PotSpec("City", spec, costs)])
    ids = voting.projects["city"]
    await sign_in_citizen(client, state, "rui")
    page = await client.get("/cycles/vote-2026/vote/city")
    assert 'type="checkbox"' in page.text
    refused = await post_form(
        client,
        state,
        "/cycles/vote-2026/vote/city/review",
        [("project", str(ids[i])) for i in bad_choices],
    )
    assert refused.status_code == 422
    assert problem in refused.text
    assert 'href="#project"' in refused.text, "the error summary links to the field"
    cast = await review_and_cast(
        client, state, "/cycles/vote-2026/vote/city", [("project", str(ids[i])) for i in choices]
    )
    assert cast.status_code == 200
    assert await count(pool, "board_entries") == 1


async def test_the_knapsack_running_total_fragment(app_client: AppClient) -> None:
    client, state = app_client
    voting = await make_voting_cycle(
        state["pool"], [PotSpec("City", BallotSpec(BallotKind.KNAPSACK), [60_000_00, 50_000_00])]
    )
    ids = voting.projects["city"]
    await sign_in_citizen(client, state, "rui")
    page = await client.get("/cycles/vote-2026/vote/city")
    assert 'hx-post="/cycles/vote-2026/vote/city/total"' in page.text
    assert 'id="running-total"' in page.text
    fragment = await post_form(
        client, state, "/cycles/vote-2026/vote/city/total", [("project", str(i)) for i in ids]
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "€110,000.00" in fragment.text
    assert "Over the budget by €10,000.00" in fragment.text


async def test_a_cumulative_ballot(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    spec = BallotSpec(BallotKind.CUMULATIVE, points=5, max_points_per_project=3)
    voting = await make_voting_cycle(pool, [PotSpec("City", spec, [10_00, 20_00, 30_00])])
    a, b, c = voting.projects["city"]
    await sign_in_citizen(client, state, "rui")
    page = await client.get("/cycles/vote-2026/vote/city")
    assert f'name="points-{a}"' in page.text
    too_many = await post_form(
        client,
        state,
        "/cycles/vote-2026/vote/city/review",
        {f"points-{a}": "3", f"points-{b}": "3"},
    )
    assert too_many.status_code == 422
    assert "You have 5 points to give; you gave 6." in too_many.text
    over_cap = await post_form(
        client, state, "/cycles/vote-2026/vote/city/review", {f"points-{a}": "4"}
    )
    assert "at most 3 points" in over_cap.text
    cast = await review_and_cast(
        client,
        state,
        "/cycles/vote-2026/vote/city",
        [(f"points-{a}", "3"), (f"points-{c}", "2"), (f"points-{b}", "0")],
    )
    assert cast.status_code == 200, cast.text
    assert await count(pool, "board_entries") == 1


async def test_the_opp_two_scope_vote(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    pots = [
        PotSpec("National", SINGLE, [100_00, 200_00], group="national"),
        PotSpec("Norte", SINGLE, [10_00, 20_00], group="regional", region="norte"),
        PotSpec("Algarve", SINGLE, [30_00, 40_00], group="regional", region="algarve"),
    ]
    voting = await make_voting_cycle(pool, pots)
    await sign_in_citizen(client, state, "ines", residence="algarve")
    home = await client.get("/cycles/vote-2026/vote")
    assert "Choose one of 2 pots" in home.text
    national = await review_and_cast(
        client,
        state,
        "/cycles/vote-2026/vote/national",
        [("project", str(voting.projects["national"][0]))],
    )
    assert national.status_code == 200
    regional = await review_and_cast(
        client,
        state,
        "/cycles/vote-2026/vote/norte",
        [("project", str(voting.projects["norte"][1]))],
    )
    assert regional.status_code == 200, "any region may be chosen (OPP's regional vote)"
    other_region = await review_and_cast(
        client,
        state,
        "/cycles/vote-2026/vote/algarve",
        [("project", str(voting.projects["algarve"][0]))],
    )
    assert other_region.status_code == 409
    assert await count(pool, "board_entries") == 2
    rows = await pool.fetch("SELECT vote_group, channel FROM voter_roll ORDER BY vote_group")
    assert [(r["vote_group"], r["channel"]) for r in rows] == [
        ("national", "web"),
        ("regional", "web"),
    ]


async def test_revoting_keeps_every_ballot_on_the_board(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00, 20_00])], revoting=True)
    first, second = voting.projects["city"]
    await sign_in_citizen(client, state, "rui")
    assert (
        await review_and_cast(
            client, state, "/cycles/vote-2026/vote/city", [("project", str(first))]
        )
    ).status_code == 200
    home = await client.get("/cycles/vote-2026/vote")
    assert "You can still change your vote" in home.text
    again = await review_and_cast(
        client, state, "/cycles/vote-2026/vote/city", [("project", str(second))]
    )
    assert again.status_code == 200
    assert receipt_from(again.text)["index"] == 1
    assert await count(pool, "board_entries") == 2
    assert await pool.fetchval("SELECT ballots_cast FROM voter_roll") == 2


async def test_an_ineligible_citizen_is_told_why_and_nothing_is_recorded(
    app_client: AppClient,
) -> None:
    client, state = app_client
    pool = state["pool"]
    from verification.eligibility import EligibilityRules

    await make_voting_cycle(
        pool,
        [
            PotSpec(
                "Norte",
                SINGLE,
                [10_00],
                region="norte",
                eligibility=EligibilityRules(min_age=18, residence=("norte",)),
            )
        ],
    )
    await sign_in_citizen(client, state, "eva", residence="algarve")
    page = await client.get("/cycles/vote-2026/vote/norte")
    assert page.status_code == 403
    assert "norte" in page.text.lower()
    assert await count(pool, "voter_roll") == 0


@pytest.mark.parametrize(
    "tamper",
    ["change-choice", "forged-token", "no-token", "other-scope-token", "unknown-project"],
)
async def test_tampered_submissions_are_refused_and_store_nothing(
    app_client: AppClient, tamper: str
) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(
        pool, [PotSpec("City", SINGLE, [10_00, 20_00]), PotSpec("Park", SINGLE, [30_00, 40_00])]
    )
    city, park = voting.projects["city"], voting.projects["park"]
    await sign_in_citizen(client, state, "rui")
    review = await post_form(
        client, state, "/cycles/vote-2026/vote/city/review", [("project", str(city[0]))]
    )
    fields = dict(review_form_fields(review.text))
    target = "/cycles/vote-2026/vote/city/cast"
    if tamper == "change-choice":
        fields["project"] = str(city[1])
    elif tamper == "forged-token":
        fields["token"] = fields["token"][:-4] + "AAAA"
    elif tamper == "no-token":
        del fields["token"]
    elif tamper == "other-scope-token":
        target = "/cycles/vote-2026/vote/park/cast"
        fields["project"] = str(park[0])
    elif tamper == "unknown-project":
        fields["project"] = "999999"
    response = await post_form(client, state, target, fields)
    assert response.status_code == 422
    assert await count(pool, "board_entries") == 0
    assert await count(pool, "voter_roll") == 0


async def test_a_double_submission_is_refused_clearly(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00])], revoting=True)
    await sign_in_citizen(client, state, "rui")
    review = await post_form(
        client,
        state,
        "/cycles/vote-2026/vote/city/review",
        [("project", str(voting.projects["city"][0]))],
    )
    fields = review_form_fields(review.text)
    assert (
        await post_form(client, state, "/cycles/vote-2026/vote/city/cast", fields)
    ).status_code == 200
    twice = await post_form(client, state, "/cycles/vote-2026/vote/city/cast", fields)
    assert twice.status_code == 409
    assert "sent twice" in twice.text
    assert await count(pool, "board_entries") == 1


async def test_without_a_csrf_token_nothing_is_cast(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00])])
    await sign_in_citizen(client, state, "rui")
    review = await post_form(
        client,
        state,
        "/cycles/vote-2026/vote/city/review",
        [("project", str(voting.projects["city"][0]))],
    )
    response = await client.post(
        "/cycles/vote-2026/vote/city/cast", data=dict(review_form_fields(review.text))
    )
    assert response.status_code == 403
    assert await count(pool, "board_entries") == 0


async def test_a_token_from_another_session_is_refused(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00])])
    await sign_in_citizen(client, state, "rui")
    review = await post_form(
        client,
        state,
        "/cycles/vote-2026/vote/city/review",
        [("project", str(voting.projects["city"][0]))],
    )
    other = second_client(client)
    async with other:
        await sign_in_citizen(other, state, "rui")
        response = await post_form(
            other, state, "/cycles/vote-2026/vote/city/cast", review_form_fields(review.text)
        )
    assert response.status_code == 422
    assert await count(pool, "board_entries") == 0


async def test_voting_outside_the_voting_phase_is_refused(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    from proposals.phases import Phase
    from tests.support.proposals import set_phase

    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00])])
    await sign_in_citizen(client, state, "rui")
    review = await post_form(
        client,
        state,
        "/cycles/vote-2026/vote/city/review",
        [("project", str(voting.projects["city"][0]))],
    )
    await set_phase(pool, "vote-2026", Phase.RESULTS)
    response = await post_form(
        client, state, "/cycles/vote-2026/vote/city/cast", review_form_fields(review.text)
    )
    assert response.status_code == 409
    assert "not open" in response.text
    assert await count(pool, "board_entries") == 0
