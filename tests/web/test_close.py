"""The close: stop the board, publish a record that the observer's verifier accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ballots import repository as board_store
from ballots.model import BallotKind, BallotSpec
from proposals.phases import Phase
from service.workflows.closing import CloseRefused, close_cycle
from tests.support.proposals import set_phase, sign_in_citizen
from tests.support.voting import PotSpec, make_voting_cycle, receipt_from, review_and_cast
from verification.record import RECORD_FILES
from verification.verifier import verify_record

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]


async def test_closing_publishes_a_record_the_verifier_accepts(
    app_client: AppClient, tmp_path: Path
) -> None:
    client, state = app_client
    pool = state["pool"]
    pots = [
        PotSpec(
            "National",
            BallotSpec(BallotKind.SINGLE_CHOICE),
            [400_00, 300_00, 500_00],
            budget_cents=800_00,
            group="national",
        ),
        PotSpec(
            "Park",
            BallotSpec(BallotKind.CUMULATIVE, points=3),
            [100_00, 200_00],
            budget_cents=250_00,
            group="park",
        ),
    ]
    voting = await make_voting_cycle(pool, pots, revoting=True)
    national, park = voting.projects["national"], voting.projects["park"]
    receipts = []
    for voter, choice in [("ana", 0), ("rui", 0), ("eva", 2), ("ines", 1)]:
        await sign_in_citizen(client, state, voter)
        cast = await review_and_cast(
            client, state, "/cycles/vote-2026/vote/national", [("project", str(national[choice]))]
        )
        receipts.append(receipt_from(cast.text))
    # Eva changes her mind: her last ballot counts.
    await sign_in_citizen(client, state, "eva")
    await review_and_cast(
        client, state, "/cycles/vote-2026/vote/national", [("project", str(national[1]))]
    )
    await review_and_cast(
        client,
        state,
        "/cycles/vote-2026/vote/park",
        [(f"points-{park[0]}", "1"), (f"points-{park[1]}", "2")],
    )

    with pytest.raises(CloseRefused):
        await close_cycle(pool, state["settings"], state["keys"], "vote-2026")
    await set_phase(pool, "vote-2026", Phase.RESULTS)
    closed = await close_cycle(pool, state["settings"], state["keys"], "vote-2026")
    assert closed.size == 6

    folder = tmp_path / "record"
    folder.mkdir()
    for name in RECORD_FILES:
        content = await board_store.fetch_record_file(pool, voting.cycle.id, name)
        assert content is not None
        (folder / name).write_bytes(content)
    report = verify_record(str(folder), receipts=[])
    assert report.ok, report.to_json()

    results = json.loads((folder / "results.json").read_bytes())
    by_scope = {s["scope"]: s for s in results["scopes"]}
    national_result = next(s for s in results["scopes"] if s["budget_cents"] == 800_00)
    votes = {p["id"]: p["votes"] for p in national_result["projects"]}
    assert votes == {national[0]: 2, national[1]: 2, national[2]: 0}
    assert national_result["ballots"] == {"counted": 4, "superseded": 1, "invalid": 0}
    assert len(by_scope) == 2
    ballots = [json.loads(line) for line in (folder / "ballots.jsonl").read_text().splitlines()]
    assert [b["status"] for b in ballots].count("superseded") == 1

    again = await close_cycle(pool, state["settings"], state["keys"], "vote-2026")
    assert again.closing_statement == closed.closing_statement
    with pytest.raises(CloseRefused, match="closed already"):
        await close_cycle(
            pool, state["settings"], state["keys"], "vote-2026", refuse_if_closed=True
        )
    actions = [r["action"] for r in await pool.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("voting.close") == 1
    assert actions.count("record.publish") == 1


async def test_a_close_interrupted_after_stopping_the_board_publishes_the_same_record(
    app_client: AppClient,
) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(
        pool, [PotSpec("City", BallotSpec(BallotKind.SINGLE_CHOICE), [10_00, 20_00])]
    )
    await sign_in_citizen(client, state, "ana")
    await review_and_cast(
        client, state, "/cycles/vote-2026/vote/city", [("project", str(voting.projects["city"][0]))]
    )
    await set_phase(pool, "vote-2026", Phase.RESULTS)
    async with pool.acquire() as conn:  # the first attempt stopped the board, then crashed
        await board_store.close_board(conn, voting.cycle.id)
    closed = await close_cycle(pool, state["settings"], state["keys"], "vote-2026")
    assert closed.size == 1
    names = await board_store.fetch_record_file_names(pool, voting.cycle.id)
    assert names == set(RECORD_FILES)
