"""Loading cycle files: in one transaction, refusing duplicates, replacing only while safe;
and the `civica load-cycle` command end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from proposals import repository as store
from proposals.cycle_file import CycleDefinition, parse_cycle_file
from proposals.errors import CycleExists, PhaseForbids
from proposals.model import ProposalDraft
from proposals.phases import Phase
from service.audit import verify_audit_chain
from service.database import create_pool
from service.workflows.cycles import load_cycle_definition
from service.workflows.participation import submit_proposal
from tests.support.process import civica_env, run_civica
from tests.support.proposals import count, schedule_in
from verification.identity.model import CitizenSession

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "opp-2018.toml"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    opened = await create_pool(database_url, min_size=1, max_size=4)
    try:
        yield opened
    finally:
        await opened.close()


def definition(phase: Phase | None = None) -> CycleDefinition:
    parsed = parse_cycle_file(EXAMPLE.read_text(encoding="utf-8"))
    if phase is None:
        return parsed
    return CycleDefinition(replace(parsed.settings, schedule=schedule_in(phase)), parsed.scopes)


async def test_a_file_loads_whole(pool: asyncpg.Pool) -> None:
    cycle, replaced = await load_cycle_definition(pool, "cli", definition())
    assert not replaced
    assert cycle.settings.areas[0] == "Cultura"
    scopes = await store.fetch_scopes(pool, cycle.id)
    assert [s.slug for s in scopes][:2] == ["nacional", "norte"]
    assert scopes[0].settings.ballot.to_dict() == {"kind": "single-choice"}
    stored = await pool.fetchrow("SELECT tally, vote_eligibility FROM scopes WHERE slug = 'norte'")
    assert set(stored["tally"]) == {
        "rule",
        "completion",
        "min_votes",
        "utilities",
        "tie_break",
        "seed",
    }
    assert stored["vote_eligibility"]["min_age"] == 18
    assert await verify_audit_chain(pool) == 1


async def test_an_existing_slug_needs_replace(pool: asyncpg.Pool) -> None:
    await load_cycle_definition(pool, "cli", definition(Phase.UPCOMING))
    with pytest.raises(CycleExists):
        await load_cycle_definition(pool, "cli", definition(Phase.UPCOMING))
    smaller = definition(Phase.UPCOMING)
    smaller = CycleDefinition(smaller.settings, smaller.scopes[:2])
    _cycle, replaced = await load_cycle_definition(pool, "cli", smaller, replace_existing=True)
    assert replaced
    assert await count(pool, "scopes") == 2
    assert await count(pool, "cycles") == 1


async def test_no_replacing_once_voting_opened_or_proposals_exist(pool: asyncpg.Pool) -> None:
    cycle, _ = await load_cycle_definition(pool, "cli", definition(Phase.VOTING))
    with pytest.raises(PhaseForbids):
        await load_cycle_definition(pool, "cli", definition(), replace_existing=True)
    async with pool.acquire() as conn:
        await store.save_schedule(conn, cycle.id, schedule_in(Phase.PROPOSALS))
    scopes = await store.fetch_scopes(pool, cycle.id)
    areas = await store.fetch_areas(pool, cycle.id)
    citizen = CitizenSession("a" * 64, "dev", date(1980, 1, 1), "norte", "citizen", False)
    await submit_proposal(
        pool, citizen, "opp-2018", ProposalDraft(scopes[0].id, areas[0].id, "T", "D", "", 100)
    )
    with pytest.raises(PhaseForbids, match="already has proposals"):
        await load_cycle_definition(pool, "cli", definition(), replace_existing=True)
    assert await count(pool, "scopes") == 8


def test_the_command_checks_and_loads(database_url: str, tmp_path: Path) -> None:
    env = civica_env(tmp_path / "data", DATABASE_URL=database_url)
    checked = run_civica(["load-cycle", "--check", str(EXAMPLE)], env)
    assert checked.returncode == 0, checked.stderr
    assert "valid cycle 'opp-2018' with 8 scope(s)" in checked.stdout
    loaded = run_civica(["load-cycle", str(EXAMPLE)], env)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded cycle 'opp-2018'" in loaded.stdout
    again = run_civica(["load-cycle", str(EXAMPLE)], env)
    assert again.returncode == 1
    assert "--replace" in again.stderr


def test_the_command_names_what_is_wrong(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("review = 2018-04-25", "review = 2017-04-25"),
        encoding="utf-8",
    )
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('[cycle]\nname = "Açores"\n'.encode("latin-1"))
    env = civica_env(tmp_path / "data", DATABASE_URL=database_url)
    result = run_civica(["load-cycle", str(bad)], env)
    assert result.returncode == 1
    assert "cycle.phases.review (line 49)" in result.stderr
    result = run_civica(["load-cycle", str(latin1)], env)
    assert result.returncode == 1
    assert "line 2: the file is not UTF-8" in result.stderr
