"""A cycle in its voting phase with final projects, and helpers to vote through HTTP."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from ballots.model import BallotSpec
from proposals import repository as store
from proposals.model import Cycle, ScopeSettings
from proposals.phases import Phase
from proposals.tally_choice import TallyChoice
from service.workflows.cycles import create_cycle
from tests.support.proposals import cycle_settings, post_form, schedule_in
from verification.eligibility import EligibilityRules


@dataclass(frozen=True)
class PotSpec:
    """A scope to create: its ballot type, budget, vote group and project costs (cents)."""

    name: str
    ballot: BallotSpec
    costs: Sequence[int]
    budget_cents: int = 100_000_00
    group: str = "main"
    region: str | None = None
    tally: TallyChoice = field(default_factory=lambda: TallyChoice(min_votes=1))
    eligibility: EligibilityRules = field(default_factory=lambda: EligibilityRules(min_age=18))


@dataclass(frozen=True)
class VotingCycle:
    cycle: Cycle
    projects: dict[str, list[int]]  # scope slug -> project ids, in cost order given


async def make_voting_cycle(
    pool: asyncpg.Pool,
    pots: Sequence[PotSpec],
    *,
    slug: str = "vote-2026",
    revoting: bool = False,
) -> VotingCycle:
    """Create a cycle, put final projects in each pot, publish the final list, open voting."""
    settings = dataclasses.replace(
        cycle_settings(slug, Phase.COMPLAINTS), revoting_allowed=revoting
    )
    scopes = [
        ScopeSettings(
            slug=pot.name.lower().replace(" ", "-"),
            name=pot.name,
            description="",
            region_code=pot.region,
            budget_cents=pot.budget_cents,
            vote_group=pot.group,
            ballot=pot.ballot,
            tally=pot.tally,
            vote_eligibility=pot.eligibility,
        )
        for pot in pots
    ]
    cycle = await create_cycle(pool, "test", settings, scopes)
    projects: dict[str, list[int]] = {}
    for scope, pot in zip(await store.fetch_scopes(pool, cycle.id), pots, strict=True):
        projects[scope.slug] = [
            await pool.fetchval(
                "INSERT INTO projects (cycle_id, scope_id, title, description, cost_cents, status)"
                " VALUES ($1, $2, $3, 'A project for tests.', $4, 'final') RETURNING id",
                cycle.id,
                scope.id,
                f"{pot.name} project {n + 1}",
                cost,
            )
            for n, cost in enumerate(pot.costs)
        ]
    async with pool.acquire() as conn:
        await store.mark_provisional_list_published(conn, cycle.id, cycle.created_at)
        await store.mark_final_list_published(conn, cycle.id, cycle.created_at)
        await store.save_schedule(conn, cycle.id, schedule_in(Phase.VOTING))
    return VotingCycle(await store.fetch_cycle(pool, slug), projects)


async def review_and_cast(
    client: httpx.AsyncClient,
    state: dict[str, Any],
    base: str,
    choices: Sequence[tuple[str, str]],
) -> httpx.Response:
    """Post the ballot form to review, then the review page's form to cast; the cast response."""
    review = await post_form(client, state, f"{base}/review", list(choices))
    assert review.status_code == 200, review.text
    return await post_form(client, state, f"{base}/cast", review_form_fields(review.text))


def review_form_fields(html: str) -> list[tuple[str, str]]:
    """The hidden fields of the review page's cast form (token and choices), as a browser sends."""
    form = re.search(r'<form method="post" action="[^"]*/cast">(.*?)</form>', html, re.S)
    assert form is not None, "no cast form on the page"
    return [
        (name, value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]
        )
        if name != "csrf_token"
    ]


def receipt_from(html: str) -> dict[str, Any]:
    """The signed receipt a receipt page offers for download."""
    import html as html_module
    import json

    raw = re.search(r'<input type="hidden" name="receipt" value="([^"]*)"', html)
    assert raw is not None, "no receipt on the page"
    value: dict[str, Any] = json.loads(html_module.unescape(raw[1]))
    return value
