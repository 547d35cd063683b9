"""Concurrent casts on the real database: one counted ballot per voter, contiguous indices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from ballots import repository as board_store
from ballots.errors import AlreadyCast
from ballots.model import BallotKind, BallotSpec
from proposals import repository as store
from service.config import Settings
from service.database import create_pool
from service.keys import DeploymentKeys, load_or_create_keys
from service.workflows.voting import cast_ballot
from tests.support.voting import PotSpec, VotingCycle, make_voting_cycle
from verification.formats import Channel, decode_entry
from verification.identity.model import CitizenSession, person_key

SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=20)
    try:
        yield pool
    finally:
        await pool.close()


def voter(keys: DeploymentKeys, n: int) -> CitizenSession:
    return CitizenSession(
        person_key(keys.identifier_pepper, f"voter-{n}"),
        "test",
        date(1980, 1, 1),
        "norte",
        "citizen",
        False,
    )


async def cast_many(
    pool: asyncpg.Pool,
    settings: Settings,
    keys: DeploymentKeys,
    voting: VotingCycle,
    voters: list[CitizenSession],
    choices: list[int],
) -> list[int | None]:
    """Cast concurrently; the index of each accepted ballot, None for each refused one."""
    scope = (await store.fetch_scopes(pool, voting.cycle.id))[0]

    async def one(citizen: CitizenSession, choice: int) -> int | None:
        try:
            result = await cast_ballot(
                pool, settings, keys, voting.cycle, scope, citizen, {choice: 1}, channel=Channel.WEB
            )
        except AlreadyCast:
            return None
        return result.index

    return list(await asyncio.gather(*(one(v, c) for v, c in zip(voters, choices, strict=True))))


async def test_fifty_concurrent_casts_by_one_voter_leave_one_ballot(
    pool: asyncpg.Pool, settings: Settings, data_dir: Path
) -> None:
    keys = load_or_create_keys(data_dir)
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00, 20_00])])
    ids = voting.projects["city"]
    results = await cast_many(
        pool, settings, keys, voting, [voter(keys, 1)] * 50, [ids[n % 2] for n in range(50)]
    )
    assert sum(r is not None for r in results) == 1
    assert await pool.fetchval("SELECT count(*) FROM board_entries") == 1
    assert await pool.fetchval("SELECT ballots_cast FROM voter_roll") == 1


async def test_fifty_concurrent_revotes_all_land_and_one_is_last(
    pool: asyncpg.Pool, settings: Settings, data_dir: Path
) -> None:
    keys = load_or_create_keys(data_dir)
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00, 20_00])], revoting=True)
    ids = voting.projects["city"]
    results = await cast_many(
        pool, settings, keys, voting, [voter(keys, 1)] * 50, [ids[n % 2] for n in range(50)]
    )
    assert sorted(r for r in results if r is not None) == list(range(50))
    assert await pool.fetchval("SELECT ballots_cast FROM voter_roll") == 50
    aliases = {
        decode_entry(e).alias
        for _, e, _ in await board_store.fetch_entries(pool, voting.cycle.id, 0, 100)
    }
    assert len(aliases) == 1, "every revote carries the same alias; the last one counts"


async def test_many_voters_at_once_get_contiguous_indices_and_roll_rows(
    pool: asyncpg.Pool, settings: Settings, data_dir: Path
) -> None:
    keys = load_or_create_keys(data_dir)
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00, 20_00])])
    ids = voting.projects["city"]
    voters = [voter(keys, n) for n in range(120)]
    results = await cast_many(
        pool, settings, keys, voting, voters + voters[:30], [ids[n % 2] for n in range(150)]
    )
    accepted = sorted(r for r in results if r is not None)
    assert accepted == list(range(120)), "no duplicate index, no gap"
    assert await pool.fetchval("SELECT count(*) FROM voter_roll") == 120
    head = await board_store.fetch_board(pool, voting.cycle.id)
    assert head is not None
    assert head.size == 120
