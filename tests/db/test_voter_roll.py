"""The voter roll: one row per (cycle, alias, vote group), safe under concurrent casts."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import asyncpg
import pytest

from service.database import create_pool
from tests.support.identity import create_cycle
from verification import repository
from verification.identity.model import person_key, voter_alias
from verification.voter_roll import AlreadyVoted, UnknownVoteChannel

PEPPER = os.urandom(32)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=2, max_size=12)
    try:
        yield pool
    finally:
        await pool.close()


def alias(cycle_id: int, id_number: str) -> str:
    return voter_alias(PEPPER, cycle_id, person_key(PEPPER, id_number))


async def test_mark_voted_and_has_voted(pool: asyncpg.Pool) -> None:
    cycle = await create_cycle(pool)
    ana = alias(cycle, "12345678")
    assert not await repository.has_voted(pool, cycle, ana, "national")
    entry = await repository.mark_voted(pool, cycle, ana, "national", "web", revoting_allowed=False)
    assert (entry.channel, entry.ballots_cast) == ("web", 1)
    assert await repository.has_voted(pool, cycle, ana, "national")
    assert not await repository.has_voted(pool, cycle, ana, "regional")
    with pytest.raises(AlreadyVoted):
        await repository.mark_voted(pool, cycle, ana, "national", "desk", revoting_allowed=False)
    await repository.mark_voted(pool, cycle, ana, "regional", "desk", revoting_allowed=False)
    groups = await repository.voter_entries(pool, cycle, ana)
    assert [(g.vote_group, g.channel) for g in groups] == [
        ("national", "web"),
        ("regional", "desk"),
    ]


async def test_revoting_counts_again_where_the_cycle_allows_it(pool: asyncpg.Pool) -> None:
    cycle = await create_cycle(pool)
    ana = alias(cycle, "12345678")
    await repository.mark_voted(pool, cycle, ana, "main", "web", revoting_allowed=True)
    entry = await repository.mark_voted(pool, cycle, ana, "main", "desk", revoting_allowed=True)
    assert (entry.ballots_cast, entry.channel) == (2, "desk")
    assert entry.last_voted_at >= entry.first_voted_at


async def test_concurrent_casts_record_one_vote(pool: asyncpg.Pool) -> None:
    cycle = await create_cycle(pool)
    ana = alias(cycle, "12345678")

    async def cast() -> str:
        try:
            await repository.mark_voted(pool, cycle, ana, "main", "web", revoting_allowed=False)
        except AlreadyVoted:
            return "refused"
        return "recorded"

    outcomes = await asyncio.gather(*(cast() for _ in range(10)))
    assert sorted(outcomes) == ["recorded"] + ["refused"] * 9
    assert await pool.fetchval("SELECT count(*) FROM voter_roll") == 1


async def test_aliases_differ_between_cycles(pool: asyncpg.Pool) -> None:
    first = await create_cycle(pool, slug="a")
    second = await create_cycle(pool, slug="b")
    assert alias(first, "12345678") != alias(second, "12345678")


async def test_unknown_channels_are_refused(pool: asyncpg.Pool) -> None:
    cycle = await create_cycle(pool)
    with pytest.raises(UnknownVoteChannel):
        await repository.mark_voted(
            pool, cycle, alias(cycle, "1"), "main", "sms", revoting_allowed=False
        )


async def test_the_voter_roll_references_no_ballot(pool: asyncpg.Pool) -> None:
    references = await pool.fetch(
        "SELECT confrelid::regclass::text AS target FROM pg_constraint"
        " WHERE conrelid = 'voter_roll'::regclass AND contype = 'f'"
    )
    assert [r["target"] for r in references] == ["cycles"]
