"""The keeper opens voting when the phase begins, checkpoints, and closes when it ends."""

from __future__ import annotations

from typing import Any

import httpx

from ballots import repository as board_store
from ballots.model import BallotKind, BallotSpec
from proposals.phases import Phase
from service.keeper import Keeper
from tests.support.proposals import set_phase, sign_in_citizen
from tests.support.voting import PotSpec, make_voting_cycle, review_and_cast
from verification.record import RECORD_FILES

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]


async def test_the_keeper_runs_a_vote_from_opening_to_record(app_client: AppClient) -> None:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(
        pool, [PotSpec("City", BallotSpec(BallotKind.SINGLE_CHOICE), [10_00, 20_00])]
    )
    keeper = Keeper(pool, state["settings"], state["keys"])
    assert await board_store.fetch_board(pool, voting.cycle.id) is None

    await keeper.run_once()
    opened = await board_store.fetch_board(pool, voting.cycle.id)
    assert opened is not None, "the manifest freezes when the voting phase begins"
    assert [c.tree_size for c in await board_store.fetch_checkpoints(pool, voting.cycle.id)] == [0]

    await sign_in_citizen(client, state, "ana")
    await review_and_cast(
        client, state, "/cycles/vote-2026/vote/city", [("project", str(voting.projects["city"][1]))]
    )
    await keeper.run_once()
    sizes = [c.tree_size for c in await board_store.fetch_checkpoints(pool, voting.cycle.id)]
    assert sizes == [0, 1]

    await set_phase(pool, "vote-2026", Phase.RESULTS)
    await keeper.run_once()
    assert await board_store.fetch_record_file_names(pool, voting.cycle.id) == set(RECORD_FILES)
    await keeper.run_once()  # nothing left to do, nothing changes
    assert len(await board_store.fetch_checkpoints(pool, voting.cycle.id)) == 2
