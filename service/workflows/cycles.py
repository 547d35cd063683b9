"""Administrators configure cycles and scopes, load cycle files, and advance or extend phases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import asyncpg

from proposals import repository as store
from proposals.cycle_file import CycleDefinition
from proposals.errors import CycleExists, InvalidSettings, NotFound, PhaseForbids, Problem
from proposals.i18n import Money, _
from proposals.model import Cycle, CycleSettings, Scope, ScopeSettings
from proposals.phases import Action, advance, extend, require
from proposals.review import require_reason
from proposals.validation import cycle_problems, scope_problems
from service.audit import record_audit


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


async def create_cycle(
    pool: asyncpg.Pool,
    actor: str,
    settings: CycleSettings,
    scopes: Sequence[ScopeSettings] = (),
) -> Cycle:
    """Validate and store a new cycle (and its scopes) in one transaction."""
    problems = cycle_problems(settings)
    for index, scope in enumerate(scopes):
        problems += scope_problems(scope, scopes[:index], field_prefix=f"scopes[{index + 1}].")
    if problems:
        raise InvalidSettings(problems)
    async with pool.acquire() as conn, conn.transaction():
        cycle_id = await store.insert_cycle(conn, settings)
        for scope in scopes:
            await store.insert_scope(conn, cycle_id, scope)
        await record_audit(
            conn,
            actor,
            "cycle.create",
            f"cycle/{settings.slug}",
            None,
            {**settings.to_dict(), "scopes": [s.to_dict() for s in scopes]},
        )
        return await store.fetch_cycle(conn, settings.slug)


async def update_cycle(
    pool: asyncpg.Pool, actor: str, slug: str, settings: CycleSettings, now: datetime | None = None
) -> Cycle:
    """Change a cycle's settings; phase dates only while it is upcoming."""
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=True)
        phase = cycle.phase_at(_now(now))
        require(phase, Action.CONFIGURE_CYCLE)
        settings = replace(settings, slug=cycle.slug)
        if settings.schedule != cycle.settings.schedule:
            require(phase, Action.EDIT_SCHEDULE)
        problems = cycle_problems(settings)
        costliest = await store.max_project_cost(conn, cycle.id)
        if costliest > settings.project_cost_cap_cents:
            problems.append(
                Problem(
                    "project_cost_cap",
                    _(
                        "A project already costs {amount}; the cap cannot be lower.",
                        amount=Money(costliest),
                    ),
                )
            )
        if problems:
            raise InvalidSettings(problems)
        await store.update_cycle(conn, cycle.id, settings)
        if settings.schedule != cycle.settings.schedule:
            await store.save_schedule(conn, cycle.id, settings.schedule)
        await record_audit(
            conn,
            actor,
            "cycle.update",
            f"cycle/{slug}",
            cycle.settings.to_dict(),
            settings.to_dict(),
        )
        return await store.fetch_cycle(conn, slug)


async def save_scope(
    pool: asyncpg.Pool,
    actor: str,
    slug: str,
    settings: ScopeSettings,
    scope_id: int | None = None,
    now: datetime | None = None,
) -> Scope:
    """Add a scope (scope_id None) or change one, before voting opens."""
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=True)
        require(cycle.phase_at(_now(now)), Action.CONFIGURE_CYCLE)
        scopes = await store.fetch_scopes(conn, cycle.id)
        current = next((s for s in scopes if s.id == scope_id), None)
        if scope_id is not None and current is None:
            raise InvalidSettings([Problem("name", _("There is no such scope in this cycle."))])
        siblings = [s.settings for s in scopes if s.id != scope_id]
        problems = scope_problems(settings, siblings)
        if current is not None:
            costliest = await store.max_project_cost(conn, cycle.id, current.id)
            if costliest > settings.budget_cents:
                problems.append(
                    Problem(
                        "budget",
                        _(
                            "A project of this scope already costs {amount}; the budget "
                            "cannot be lower.",
                            amount=Money(costliest),
                        ),
                    )
                )
        if problems:
            raise InvalidSettings(problems)
        if current is None:
            scope = await store.insert_scope(conn, cycle.id, settings)
            before = None
        else:
            scope = await store.update_scope(conn, cycle.id, current.id, settings)
            before = current.settings.to_dict()
        await record_audit(
            conn,
            actor,
            "scope.create" if current is None else "scope.update",
            f"cycle/{slug}/scope/{scope.slug}",
            before,
            settings.to_dict(),
        )
        return scope


async def change_phase(
    pool: asyncpg.Pool,
    actor: str,
    staff_id: int | None,
    slug: str,
    *,
    kind: str,
    reason: str,
    new_end: datetime | None = None,
    now: datetime | None = None,
) -> Cycle:
    """Advance the running phase now, or extend it to `new_end`, with a public reason."""
    text = require_reason(reason)
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=True)
        moment = _now(now)
        require(cycle.phase_at(moment), Action.CHANGE_PHASE)
        schedule = cycle.settings.schedule
        if kind == "advance":
            schedule, change = advance(
                schedule, moment, final_list_published=cycle.final_list_published_at is not None
            )
        elif kind == "extend" and new_end is not None:
            schedule, change = extend(schedule, moment, new_end)
        else:
            raise InvalidSettings([Problem("kind", _("Choose to advance or to extend."))])
        await store.save_schedule(conn, cycle.id, schedule)
        await store.insert_phase_change(conn, cycle.id, change, text, staff_id, moment)
        await record_audit(
            conn,
            actor,
            f"phase.{kind}",
            f"cycle/{slug}",
            cycle.settings.schedule.to_dict(),
            {**schedule.to_dict(), "reason": text},
        )
        return await store.fetch_cycle(conn, slug)


async def load_cycle_definition(
    pool: asyncpg.Pool,
    actor: str,
    definition: CycleDefinition,
    *,
    replace_existing: bool = False,
    now: datetime | None = None,
) -> tuple[Cycle, bool]:
    """Store a parsed cycle file in one transaction; returns (cycle, whether it replaced one).

    An existing slug is refused unless `replace_existing`, and even then only before voting
    opens and while the cycle has no proposals (nothing citizens submitted is ever dropped).
    """
    slug = definition.settings.slug
    async with pool.acquire() as conn, conn.transaction():
        try:
            cycle = await store.lock_cycle(conn, slug, exclusive=True)
        except NotFound:
            cycle = None
        if cycle is None:
            cycle_id = await store.insert_cycle(conn, definition.settings)
            before = None
        else:
            if not replace_existing:
                raise CycleExists(
                    _("A cycle “{slug}” already exists; use --replace to replace it.", slug=slug)
                )
            require(cycle.phase_at(_now(now)), Action.CONFIGURE_CYCLE)
            if await store.count_cycle_proposals(conn, cycle.id):
                raise PhaseForbids(
                    _("The cycle “{slug}” already has proposals; it cannot be replaced.", slug=slug)
                )
            cycle_id = cycle.id
            before = cycle.settings.to_dict()
            await store.clear_cycle_configuration(conn, cycle_id)
            await store.update_cycle(conn, cycle_id, definition.settings)
            await store.save_schedule(conn, cycle_id, definition.settings.schedule)
        for position, scope in enumerate(definition.scopes):
            await store.insert_scope(conn, cycle_id, scope, position)
        await record_audit(
            conn,
            actor,
            "cycle.load" if cycle is None else "cycle.replace",
            f"cycle/{slug}",
            before,
            {**definition.settings.to_dict(), "scopes": [s.to_dict() for s in definition.scopes]},
        )
        return await store.fetch_cycle(conn, slug), cycle is not None
