"""All SQL of the proposals domain: cycles, phases, areas, scopes, proposals, projects, review
events and complaints. Rows become frozen dataclasses here; database errors become domain
errors here. Writes take a connection so callers control the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ballots.model import BallotSpec
from proposals.errors import ConcurrentChange, CycleExists, InvalidSettings, NotFound, Problem
from proposals.i18n import _
from proposals.model import (
    Area,
    Complaint,
    ComplaintOutcome,
    ComplaintStatus,
    Cycle,
    CycleSettings,
    EventKind,
    ItemQuery,
    PabulibImport,
    Project,
    ProjectDraft,
    ProjectStatus,
    Proposal,
    ProposalDraft,
    ProposalStatus,
    RecordedPhaseChange,
    ReviewEvent,
    Scope,
    ScopeSettings,
    ScopeTotals,
)
from proposals.phases import DATED_PHASES, Phase, PhaseChange, Schedule
from proposals.tally_choice import tally_from_dict
from verification.eligibility import EligibilityRules

Connection = asyncpg.Connection | PoolConnectionProxy
Executor = Connection | asyncpg.Pool

# --- cycles -------------------------------------------------------------------------------


SELECT_CYCLE_BY_SLUG = """
SELECT
c.id, c.slug, c.name, c.description, c.content_language, c.timezone, c.reference_date,
c.project_cost_cap_cents, c.propose_eligibility, c.identity_providers, c.revoting_allowed,
c.created_at,
c.provisional_list_published_at, c.final_list_published_at,
ARRAY(SELECT ph.phase FROM cycle_phases ph WHERE ph.cycle_id = c.id) AS phase_names,
ARRAY(SELECT ph.starts_at FROM cycle_phases ph WHERE ph.cycle_id = c.id) AS phase_starts,
ARRAY(SELECT a.name FROM areas a WHERE a.cycle_id = c.id ORDER BY a.position, a.id) AS area_names
 FROM cycles c WHERE c.slug = $1
"""
SELECT_CYCLES = """
SELECT
c.id, c.slug, c.name, c.description, c.content_language, c.timezone, c.reference_date,
c.project_cost_cap_cents, c.propose_eligibility, c.identity_providers, c.revoting_allowed,
c.created_at,
c.provisional_list_published_at, c.final_list_published_at,
ARRAY(SELECT ph.phase FROM cycle_phases ph WHERE ph.cycle_id = c.id) AS phase_names,
ARRAY(SELECT ph.starts_at FROM cycle_phases ph WHERE ph.cycle_id = c.id) AS phase_starts,
ARRAY(SELECT a.name FROM areas a WHERE a.cycle_id = c.id ORDER BY a.position, a.id) AS area_names
  FROM cycles c
 WHERE (SELECT count(*) FROM cycle_phases ph WHERE ph.cycle_id = c.id) = 5
 ORDER BY (SELECT min(ph.starts_at) FROM cycle_phases ph WHERE ph.cycle_id = c.id) DESC, c.id DESC
"""
LOCK_CYCLE = "SELECT id FROM cycles WHERE slug = $1 FOR UPDATE"
LOCK_CYCLE_SHARED = "SELECT id FROM cycles WHERE slug = $1 FOR SHARE"

INSERT_CYCLE = """
INSERT INTO cycles (slug, name, description, timezone, reference_date, project_cost_cap_cents,
                    propose_eligibility, identity_providers, revoting_allowed, content_language)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id
"""

UPDATE_CYCLE = """
UPDATE cycles
   SET name = $2, description = $3, timezone = $4, reference_date = $5,
       project_cost_cap_cents = $6, propose_eligibility = $7, identity_providers = $8,
       revoting_allowed = $9, content_language = $10
 WHERE id = $1
"""

UPSERT_PHASE = """
INSERT INTO cycle_phases (cycle_id, phase, starts_at) VALUES ($1, $2, $3)
ON CONFLICT (cycle_id, phase) DO UPDATE SET starts_at = EXCLUDED.starts_at
"""

SET_PROVISIONAL_LIST_PUBLISHED = """
UPDATE cycles SET provisional_list_published_at = $2
 WHERE id = $1 AND provisional_list_published_at IS NULL
"""

SET_FINAL_LIST_PUBLISHED = """
UPDATE cycles SET final_list_published_at = $2
 WHERE id = $1 AND final_list_published_at IS NULL AND provisional_list_published_at IS NOT NULL
"""

COUNT_CYCLE_PROPOSALS = "SELECT count(*) FROM proposals WHERE cycle_id = $1"
MAX_PROJECT_COST = """
SELECT coalesce(max(cost_cents), 0) FROM projects
 WHERE cycle_id = $1 AND ($2::bigint IS NULL OR scope_id = $2) AND status <> 'withdrawn'
"""

DELETE_CYCLE_SCOPES = "DELETE FROM scopes WHERE cycle_id = $1"
DELETE_CYCLE_AREAS = "DELETE FROM areas WHERE cycle_id = $1"

INSERT_PHASE_CHANGE = """
INSERT INTO phase_changes (cycle_id, kind, phase, previous_boundary_at, new_boundary_at,
                           reason, staff_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""

SELECT_PHASE_CHANGES = """
SELECT kind, phase, previous_boundary_at, new_boundary_at, reason, created_at
  FROM phase_changes WHERE cycle_id = $1 ORDER BY created_at, id
"""


def cycle_from_row(row: asyncpg.Record) -> Cycle:
    starts = dict(zip(row["phase_names"], row["phase_starts"], strict=True))
    schedule = Schedule(*(starts[phase.value] for phase in DATED_PHASES))
    settings = CycleSettings(
        slug=row["slug"],
        name=row["name"],
        description=row["description"],
        content_language=row["content_language"],
        timezone=row["timezone"],
        reference_date=row["reference_date"],
        project_cost_cap_cents=row["project_cost_cap_cents"],
        propose_eligibility=EligibilityRules.from_dict(row["propose_eligibility"]),
        identity_providers=tuple(row["identity_providers"]),
        revoting_allowed=row["revoting_allowed"],
        areas=tuple(row["area_names"]),
        schedule=schedule,
    )
    return Cycle(
        id=row["id"],
        settings=settings,
        provisional_list_published_at=row["provisional_list_published_at"],
        final_list_published_at=row["final_list_published_at"],
        created_at=row["created_at"],
    )


async def fetch_cycle(conn: Executor, slug: str) -> Cycle:
    """The cycle with this slug; NotFound otherwise."""
    row = await conn.fetchrow(SELECT_CYCLE_BY_SLUG, slug)
    if row is None:
        raise NotFound(_("There is no budget cycle at this address."))
    return cycle_from_row(row)


async def fetch_cycles(conn: Executor) -> list[Cycle]:
    """Every cycle with a schedule, the most recent first."""
    return [cycle_from_row(row) for row in await conn.fetch(SELECT_CYCLES)]


async def lock_cycle(conn: Connection, slug: str, *, exclusive: bool) -> Cycle:
    """Lock the cycle until the transaction ends and return it as it then stands.

    Changes to phases, lists and settings lock exclusively; proposals, reviews and complaints
    lock shared, so they never interleave with a phase change or a list publication.
    """
    found = await conn.fetchval(LOCK_CYCLE if exclusive else LOCK_CYCLE_SHARED, slug)
    if found is None:
        raise NotFound(_("There is no budget cycle at this address."))
    return await fetch_cycle(conn, slug)


def _cycle_args(settings: CycleSettings) -> tuple[Any, ...]:
    return (
        settings.name,
        settings.description,
        settings.timezone,
        settings.reference_date,
        settings.project_cost_cap_cents,
        settings.propose_eligibility.to_dict(),
        list(settings.identity_providers),
        settings.revoting_allowed,
        settings.content_language,
    )


async def insert_cycle(conn: Connection, settings: CycleSettings) -> int:
    """Store a new cycle with its phases and areas; CycleExists if the slug is taken."""
    try:
        cycle_id: int = await conn.fetchval(INSERT_CYCLE, settings.slug, *_cycle_args(settings))
    except asyncpg.UniqueViolationError:
        raise CycleExists(
            _("A cycle with the short name “{slug}” already exists.", slug=settings.slug)
        ) from None
    await save_schedule(conn, cycle_id, settings.schedule)
    await replace_areas(conn, cycle_id, settings.areas)
    return cycle_id


async def update_cycle(conn: Connection, cycle_id: int, settings: CycleSettings) -> None:
    """Store changed settings (the slug never changes; areas are reconciled by name)."""
    await conn.execute(UPDATE_CYCLE, cycle_id, *_cycle_args(settings))
    await reconcile_areas(conn, cycle_id, settings.areas)


async def save_schedule(conn: Connection, cycle_id: int, schedule: Schedule) -> None:
    for phase, start in schedule.starts():
        await conn.execute(UPSERT_PHASE, cycle_id, phase.value, start)


async def mark_provisional_list_published(conn: Connection, cycle_id: int, at: datetime) -> None:
    if await conn.execute(SET_PROVISIONAL_LIST_PUBLISHED, cycle_id, at) != "UPDATE 1":
        raise ConcurrentChange(_("The provisional list was published meanwhile."))


async def mark_final_list_published(conn: Connection, cycle_id: int, at: datetime) -> None:
    if await conn.execute(SET_FINAL_LIST_PUBLISHED, cycle_id, at) != "UPDATE 1":
        raise ConcurrentChange(_("The final list was published meanwhile."))


async def count_cycle_proposals(conn: Executor, cycle_id: int) -> int:
    count: int = await conn.fetchval(COUNT_CYCLE_PROPOSALS, cycle_id)
    return count


async def max_project_cost(conn: Executor, cycle_id: int, scope_id: int | None = None) -> int:
    """The costliest live project of the cycle (or of one scope), 0 if none."""
    cost: int = await conn.fetchval(MAX_PROJECT_COST, cycle_id, scope_id)
    return cost


async def clear_cycle_configuration(conn: Connection, cycle_id: int) -> None:
    """Remove a cycle's scopes and areas (for --replace; callers ensure nothing uses them)."""
    await conn.execute(DELETE_CYCLE_SCOPES, cycle_id)
    await conn.execute(DELETE_CYCLE_AREAS, cycle_id)


async def insert_phase_change(
    conn: Connection,
    cycle_id: int,
    change: PhaseChange,
    reason: str,
    staff_id: int | None,
    at: datetime,
) -> None:
    await conn.execute(
        INSERT_PHASE_CHANGE,
        cycle_id,
        change.kind,
        change.phase.value,
        change.previous_boundary_at,
        change.new_boundary_at,
        reason,
        staff_id,
        at,
    )


async def fetch_phase_changes(conn: Executor, cycle_id: int) -> list[RecordedPhaseChange]:
    rows = await conn.fetch(SELECT_PHASE_CHANGES, cycle_id)
    return [
        RecordedPhaseChange(
            r["kind"],
            Phase(r["phase"]),
            r["previous_boundary_at"],
            r["new_boundary_at"],
            r["reason"],
            r["created_at"],
        )
        for r in rows
    ]


# --- areas --------------------------------------------------------------------------------

SELECT_AREAS = (
    "SELECT id, cycle_id, name, position FROM areas WHERE cycle_id = $1 ORDER BY position, id"
)
INSERT_AREA = "INSERT INTO areas (cycle_id, name, position) VALUES ($1, $2, $3)"
UPDATE_AREA_POSITION = "UPDATE areas SET position = $2 WHERE id = $1"
DELETE_UNUSED_AREA = """
DELETE FROM areas a
 WHERE a.id = $1
   AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.area_id = a.id)
   AND NOT EXISTS (SELECT 1 FROM projects j WHERE j.area_id = a.id)
"""


def area_from_row(row: asyncpg.Record) -> Area:
    return Area(row["id"], row["cycle_id"], row["name"], row["position"])


async def fetch_areas(conn: Executor, cycle_id: int) -> list[Area]:
    return [area_from_row(r) for r in await conn.fetch(SELECT_AREAS, cycle_id)]


async def replace_areas(conn: Connection, cycle_id: int, names: Sequence[str]) -> None:
    for position, name in enumerate(names):
        await conn.execute(INSERT_AREA, cycle_id, name, position)


async def reconcile_areas(conn: Connection, cycle_id: int, names: Sequence[str]) -> None:
    """Make the cycle's areas these names, in this order; an area in use cannot be removed."""
    existing = {a.name: a for a in await fetch_areas(conn, cycle_id)}
    for name, area in existing.items():
        if name not in names and await conn.execute(DELETE_UNUSED_AREA, area.id) != "DELETE 1":
            raise InvalidSettings(
                [
                    Problem(
                        "areas", _("The area “{name}” is in use and cannot be removed.", name=name)
                    )
                ]
            )
    for position, name in enumerate(names):
        if name in existing:
            await conn.execute(UPDATE_AREA_POSITION, existing[name].id, position)
        else:
            await conn.execute(INSERT_AREA, cycle_id, name, position)


# --- scopes -------------------------------------------------------------------------------

SELECT_SCOPES = """
SELECT
id, cycle_id, slug, name, description, region_code, budget_cents, vote_group, ballot, tally,
vote_eligibility, position
 FROM scopes WHERE cycle_id = $1 ORDER BY position, id
"""
INSERT_SCOPE = """
INSERT INTO scopes (cycle_id, slug, name, description, region_code, budget_cents, vote_group,
                    ballot, tally, vote_eligibility, position)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        coalesce($11, (SELECT coalesce(max(position) + 1, 0) FROM scopes WHERE cycle_id = $1)))
RETURNING
id, cycle_id, slug, name, description, region_code, budget_cents, vote_group, ballot, tally,
vote_eligibility, position
"""
UPDATE_SCOPE = """
UPDATE scopes
   SET slug = $3, name = $4, description = $5, region_code = $6, budget_cents = $7,
       vote_group = $8, ballot = $9, tally = $10, vote_eligibility = $11
 WHERE id = $1 AND cycle_id = $2
RETURNING
id, cycle_id, slug, name, description, region_code, budget_cents, vote_group, ballot, tally,
vote_eligibility, position
"""


def scope_from_row(row: asyncpg.Record) -> Scope:
    settings = ScopeSettings(
        slug=row["slug"],
        name=row["name"],
        description=row["description"],
        region_code=row["region_code"],
        budget_cents=row["budget_cents"],
        vote_group=row["vote_group"],
        ballot=BallotSpec.from_dict(row["ballot"]),
        tally=tally_from_dict(row["tally"]),
        vote_eligibility=EligibilityRules.from_dict(row["vote_eligibility"]),
    )
    return Scope(row["id"], row["cycle_id"], row["position"], settings)


async def fetch_scopes(conn: Executor, cycle_id: int) -> list[Scope]:
    return [scope_from_row(r) for r in await conn.fetch(SELECT_SCOPES, cycle_id)]


def _scope_args(settings: ScopeSettings) -> tuple[Any, ...]:
    return (
        settings.slug,
        settings.name,
        settings.description,
        settings.region_code,
        settings.budget_cents,
        settings.vote_group,
        settings.ballot.to_dict(),
        settings.tally.to_dict(),
        settings.vote_eligibility.to_dict(),
    )


async def insert_scope(
    conn: Connection, cycle_id: int, settings: ScopeSettings, position: int | None = None
) -> Scope:
    try:
        row = await conn.fetchrow(INSERT_SCOPE, cycle_id, *_scope_args(settings), position)
    except asyncpg.UniqueViolationError:
        raise _duplicate_scope() from None
    assert row is not None
    return scope_from_row(row)


async def update_scope(
    conn: Connection, cycle_id: int, scope_id: int, settings: ScopeSettings
) -> Scope:
    try:
        row = await conn.fetchrow(UPDATE_SCOPE, scope_id, cycle_id, *_scope_args(settings))
    except asyncpg.UniqueViolationError:
        raise _duplicate_scope() from None
    if row is None:
        raise NotFound(_("There is no such scope in this cycle."))
    return scope_from_row(row)


def _duplicate_scope() -> InvalidSettings:
    return InvalidSettings(
        [Problem("name", _("Another scope of this cycle already has this name or short name."))]
    )


# --- proposals ----------------------------------------------------------------------------

INSERT_PROPOSAL = """
INSERT INTO proposals (cycle_id, author_key, scope_id, area_id, title, description, location,
                       estimated_cost_cents)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
"""
UPDATE_PROPOSAL_CONTENT = """
UPDATE proposals
   SET scope_id = $3, area_id = $4, title = $5, description = $6, location = $7,
       estimated_cost_cents = $8, updated_at = now()
 WHERE id = $1 AND author_key = $2 AND status = 'submitted'
RETURNING
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
"""
UPDATE_PROPOSAL_STATUS = """
UPDATE proposals SET status = $3, project_id = $4, updated_at = now()
 WHERE id = $1 AND status = $2
RETURNING
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
"""
SELECT_PROPOSAL = """
SELECT
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
 FROM proposals WHERE cycle_id = $1 AND id = $2
"""
SELECT_CYCLE_PROPOSALS = """
SELECT
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
 FROM proposals WHERE cycle_id = $1 ORDER BY id
"""
SELECT_PROPOSALS_BY_IDS = """
SELECT
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
 FROM proposals WHERE cycle_id = $1 AND id = ANY($2::bigint[])
 ORDER BY id
"""
SELECT_PROJECT_PROPOSALS = """
SELECT
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
 FROM proposals WHERE project_id = $1 ORDER BY id
"""
SELECT_AUTHOR_PROPOSALS = """
SELECT
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
 FROM proposals WHERE cycle_id = $1 AND author_key = $2 ORDER BY id DESC
"""

SEARCH_PROPOSALS = """
SELECT
id, cycle_id, scope_id, area_id, author_key, title, description, location,
estimated_cost_cents, status, project_id, created_at, updated_at
 FROM proposals
 WHERE cycle_id = $1
   AND ($2::bigint IS NULL OR scope_id = $2)
   AND ($3::bigint IS NULL OR area_id = $3)
   AND ($4::text IS NULL OR status = $4)
   AND ($5::text IS NULL OR title ILIKE $5 ESCAPE '\\' OR description ILIKE $5 ESCAPE '\\')
 ORDER BY id DESC LIMIT $6 OFFSET $7
"""
COUNT_PROPOSALS = """
SELECT count(*) FROM proposals
 WHERE cycle_id = $1
   AND ($2::bigint IS NULL OR scope_id = $2)
   AND ($3::bigint IS NULL OR area_id = $3)
   AND ($4::text IS NULL OR status = $4)
   AND ($5::text IS NULL OR title ILIKE $5 ESCAPE '\\' OR description ILIKE $5 ESCAPE '\\')
"""


def proposal_from_row(row: asyncpg.Record) -> Proposal:
    values = dict(row)
    return Proposal(**{**values, "status": ProposalStatus(values["status"])})


def _proposal_content(draft: ProposalDraft) -> tuple[Any, ...]:
    return (
        draft.scope_id,
        draft.area_id,
        draft.title,
        draft.description,
        draft.location,
        draft.estimated_cost_cents,
    )


async def insert_proposal(
    conn: Connection, cycle_id: int, author_key: str, draft: ProposalDraft
) -> Proposal:
    try:
        row = await conn.fetchrow(INSERT_PROPOSAL, cycle_id, author_key, *_proposal_content(draft))
    except asyncpg.ForeignKeyViolationError:
        raise InvalidSettings([Problem("scope", _("Choose a scope of this cycle."))]) from None
    assert row is not None
    return proposal_from_row(row)


async def update_proposal_content(
    conn: Connection, proposal_id: int, author_key: str, draft: ProposalDraft
) -> Proposal:
    """An author's edit; ConcurrentChange if review started meanwhile."""
    try:
        row = await conn.fetchrow(
            UPDATE_PROPOSAL_CONTENT, proposal_id, author_key, *_proposal_content(draft)
        )
    except asyncpg.ForeignKeyViolationError:
        raise InvalidSettings([Problem("scope", _("Choose a scope of this cycle."))]) from None
    if row is None:
        raise ConcurrentChange(_("This proposal can no longer be changed."))
    return proposal_from_row(row)


async def update_proposal_status(conn: Connection, before: Proposal, after: Proposal) -> Proposal:
    """Store a transition, provided nobody changed the status meanwhile."""
    row = await conn.fetchrow(
        UPDATE_PROPOSAL_STATUS, before.id, before.status.value, after.status.value, after.project_id
    )
    if row is None:
        raise ConcurrentChange(_("Someone changed this proposal meanwhile; reload and try again."))
    return proposal_from_row(row)


async def fetch_proposal(conn: Executor, cycle_id: int, proposal_id: int) -> Proposal:
    row = await conn.fetchrow(SELECT_PROPOSAL, cycle_id, proposal_id)
    if row is None:
        raise NotFound(_("There is no such proposal in this cycle."))
    return proposal_from_row(row)


async def fetch_cycle_proposals(conn: Executor, cycle_id: int) -> list[Proposal]:
    return [proposal_from_row(r) for r in await conn.fetch(SELECT_CYCLE_PROPOSALS, cycle_id)]


async def fetch_proposals_by_ids(
    conn: Connection, cycle_id: int, ids: Sequence[int]
) -> list[Proposal]:
    rows = await conn.fetch(SELECT_PROPOSALS_BY_IDS, cycle_id, list(ids))
    if len(rows) != len(set(ids)):
        raise NotFound(_("One of the chosen proposals does not exist in this cycle."))
    return [proposal_from_row(r) for r in rows]


async def fetch_project_proposals(conn: Executor, project_id: int) -> list[Proposal]:
    return [proposal_from_row(r) for r in await conn.fetch(SELECT_PROJECT_PROPOSALS, project_id)]


async def fetch_author_proposals(conn: Executor, cycle_id: int, author_key: str) -> list[Proposal]:
    rows = await conn.fetch(SELECT_AUTHOR_PROPOSALS, cycle_id, author_key)
    return [proposal_from_row(r) for r in rows]


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so the text matches literally (ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _query_args(query: ItemQuery, cycle_id: int) -> tuple[Any, ...]:
    pattern = None if not query.text else f"%{escape_like(query.text)}%"
    return (cycle_id, query.scope_id, query.area_id, query.status, pattern)


async def search_proposals(
    conn: Executor, cycle_id: int, query: ItemQuery
) -> tuple[list[Proposal], int]:
    """A page of matching proposals, newest first, and the number of matches."""
    args = _query_args(query, cycle_id)
    total: int = await conn.fetchval(COUNT_PROPOSALS, *args)
    rows = await conn.fetch(
        SEARCH_PROPOSALS, *args, query.per_page, (query.page - 1) * query.per_page
    )
    return [proposal_from_row(r) for r in rows], total


# --- projects -----------------------------------------------------------------------------

INSERT_PROJECT = """
INSERT INTO projects (cycle_id, scope_id, area_id, title, description, location, cost_cents,
                      status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING
id, cycle_id, scope_id, area_id, title, description, location, cost_cents, status,
created_at, updated_at
"""
UPDATE_PROJECT_CONTENT = """
UPDATE projects
   SET area_id = $3, title = $4, description = $5, location = $6, cost_cents = $7,
       updated_at = now()
 WHERE id = $1 AND cycle_id = $2 AND status IN ('draft', 'provisional')
RETURNING
id, cycle_id, scope_id, area_id, title, description, location, cost_cents, status,
created_at, updated_at
"""
UPDATE_PROJECT_STATUS = """
UPDATE projects SET status = $3, updated_at = now()
 WHERE id = $1 AND status = $2
RETURNING
id, cycle_id, scope_id, area_id, title, description, location, cost_cents, status,
created_at, updated_at
"""
SELECT_PROJECT = """
SELECT
id, cycle_id, scope_id, area_id, title, description, location, cost_cents, status,
created_at, updated_at
 FROM projects WHERE cycle_id = $1 AND id = $2
"""
SELECT_CYCLE_PROJECTS = """
SELECT
id, cycle_id, scope_id, area_id, title, description, location, cost_cents, status,
created_at, updated_at
 FROM projects WHERE cycle_id = $1 ORDER BY id
"""
SEARCH_PROJECTS = """
SELECT
id, cycle_id, scope_id, area_id, title, description, location, cost_cents, status,
created_at, updated_at
 FROM projects
 WHERE cycle_id = $1
   AND ($2::bigint IS NULL OR scope_id = $2)
   AND ($3::bigint IS NULL OR area_id = $3)
   AND ($4::text IS NULL OR status = $4)
   AND ($5::text IS NULL OR title ILIKE $5 ESCAPE '\\' OR description ILIKE $5 ESCAPE '\\')
   AND ($8::boolean OR status <> 'draft')
 ORDER BY id DESC LIMIT $6 OFFSET $7
"""
COUNT_PROJECTS = """
SELECT count(*) FROM projects
 WHERE cycle_id = $1
   AND ($2::bigint IS NULL OR scope_id = $2)
   AND ($3::bigint IS NULL OR area_id = $3)
   AND ($4::text IS NULL OR status = $4)
   AND ($5::text IS NULL OR title ILIKE $5 ESCAPE '\\' OR description ILIKE $5 ESCAPE '\\')
   AND ($6::boolean OR status <> 'draft')
"""
SCOPE_TOTALS = """
SELECT s.id AS scope_id,
       (SELECT count(*) FROM proposals p WHERE p.scope_id = s.id) AS proposals,
       (SELECT count(*) FROM projects j
         WHERE j.scope_id = s.id AND j.status IN ('provisional', 'final')) AS projects,
       (SELECT coalesce(sum(j.cost_cents), 0)::bigint FROM projects j
         WHERE j.scope_id = s.id AND j.status IN ('provisional', 'final')) AS projects_cost_cents
  FROM scopes s WHERE s.cycle_id = $1
"""


def project_from_row(row: asyncpg.Record) -> Project:
    values = dict(row)
    return Project(**{**values, "status": ProjectStatus(values["status"])})


async def insert_project(
    conn: Connection, cycle_id: int, draft: ProjectDraft, status: ProjectStatus
) -> Project:
    content = (draft.area_id, draft.title, draft.description, draft.location, draft.cost_cents)
    row = await conn.fetchrow(INSERT_PROJECT, cycle_id, draft.scope_id, *content, status.value)
    assert row is not None
    return project_from_row(row)


async def update_project_content(
    conn: Connection, cycle_id: int, project_id: int, draft: ProjectDraft
) -> Project:
    row = await conn.fetchrow(
        UPDATE_PROJECT_CONTENT,
        project_id,
        cycle_id,
        draft.area_id,
        draft.title,
        draft.description,
        draft.location,
        draft.cost_cents,
    )
    if row is None:
        raise ConcurrentChange(_("This project can no longer be changed."))
    return project_from_row(row)


async def update_project_status(conn: Connection, before: Project, after: Project) -> Project:
    row = await conn.fetchrow(
        UPDATE_PROJECT_STATUS, before.id, before.status.value, after.status.value
    )
    if row is None:
        raise ConcurrentChange(_("Someone changed this project meanwhile; reload and try again."))
    return project_from_row(row)


async def fetch_project(conn: Executor, cycle_id: int, project_id: int) -> Project:
    row = await conn.fetchrow(SELECT_PROJECT, cycle_id, project_id)
    if row is None:
        raise NotFound(_("There is no such project in this cycle."))
    return project_from_row(row)


async def fetch_cycle_projects(conn: Executor, cycle_id: int) -> list[Project]:
    return [project_from_row(r) for r in await conn.fetch(SELECT_CYCLE_PROJECTS, cycle_id)]


async def search_projects(
    conn: Executor, cycle_id: int, query: ItemQuery, *, include_drafts: bool
) -> tuple[list[Project], int]:
    """A page of matching projects, newest first, and the number of matches."""
    args = _query_args(query, cycle_id)
    total: int = await conn.fetchval(COUNT_PROJECTS, *args, include_drafts)
    rows = await conn.fetch(
        SEARCH_PROJECTS,
        *args,
        query.per_page,
        (query.page - 1) * query.per_page,
        include_drafts,
    )
    return [project_from_row(r) for r in rows], total


async def fetch_scope_totals(conn: Executor, cycle_id: int) -> dict[int, ScopeTotals]:
    """Per scope: proposals received, listed projects and their total cost."""
    rows = await conn.fetch(SCOPE_TOTALS, cycle_id)
    return {
        r["scope_id"]: ScopeTotals(r["proposals"], r["projects"], r["projects_cost_cents"])
        for r in rows
    }


# --- review events ------------------------------------------------------------------------

INSERT_EVENT = """
INSERT INTO review_events (cycle_id, proposal_id, project_id, kind, status, reason, staff_id,
                           created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""
SELECT_PROPOSAL_EVENTS = """
SELECT id, proposal_id, project_id, kind, status, reason, created_at
  FROM review_events WHERE proposal_id = $1 ORDER BY created_at, id
"""
SELECT_PROJECT_EVENTS = """
SELECT id, proposal_id, project_id, kind, status, reason, created_at
  FROM review_events WHERE project_id = $1 ORDER BY created_at, id
"""


def event_from_row(row: asyncpg.Record) -> ReviewEvent:
    values = dict(row)
    return ReviewEvent(**{**values, "kind": EventKind(values["kind"])})


async def insert_event(
    conn: Connection,
    cycle_id: int,
    *,
    kind: EventKind,
    status: str,
    at: datetime,
    proposal_id: int | None = None,
    project_id: int | None = None,
    reason: str = "",
    staff_id: int | None = None,
) -> None:
    await conn.execute(
        INSERT_EVENT, cycle_id, proposal_id, project_id, kind.value, status, reason, staff_id, at
    )


async def fetch_proposal_events(conn: Executor, proposal_id: int) -> list[ReviewEvent]:
    return [event_from_row(r) for r in await conn.fetch(SELECT_PROPOSAL_EVENTS, proposal_id)]


async def fetch_project_events(conn: Executor, project_id: int) -> list[ReviewEvent]:
    return [event_from_row(r) for r in await conn.fetch(SELECT_PROJECT_EVENTS, project_id)]


# --- complaints ---------------------------------------------------------------------------

INSERT_COMPLAINT = """
INSERT INTO complaints (cycle_id, proposal_id, project_id, author_key, body, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING
id, cycle_id, proposal_id, project_id, author_key, body, status, answer, outcome, answered_at,
created_at
"""
ANSWER_COMPLAINT = """
UPDATE complaints
   SET status = 'answered', answer = $2, outcome = $3, answered_by = $4, answered_at = $5
 WHERE id = $1 AND status = 'open'
RETURNING
id, cycle_id, proposal_id, project_id, author_key, body, status, answer, outcome, answered_at,
created_at
"""
SELECT_COMPLAINT = """
SELECT
id, cycle_id, proposal_id, project_id, author_key, body, status, answer, outcome, answered_at,
created_at
 FROM complaints WHERE cycle_id = $1 AND id = $2
"""
SELECT_COMPLAINTS = """
SELECT
id, cycle_id, proposal_id, project_id, author_key, body, status, answer, outcome, answered_at,
created_at
 FROM complaints
 WHERE cycle_id = $1
   AND ($2::text IS NULL OR status = $2)
   AND ($3::bigint IS NULL OR proposal_id = $3)
   AND ($4::bigint IS NULL OR project_id = $4)
 ORDER BY id
"""


def complaint_from_row(row: asyncpg.Record) -> Complaint:
    values = dict(row)
    outcome = values["outcome"]
    return Complaint(
        **{
            **values,
            "status": ComplaintStatus(values["status"]),
            "outcome": ComplaintOutcome(outcome) if outcome else None,
        }
    )


async def insert_complaint(
    conn: Connection,
    cycle_id: int,
    author_key: str,
    body: str,
    at: datetime,
    *,
    proposal_id: int | None,
    project_id: int | None,
) -> Complaint:
    row = await conn.fetchrow(
        INSERT_COMPLAINT, cycle_id, proposal_id, project_id, author_key, body, at
    )
    assert row is not None
    return complaint_from_row(row)


async def store_complaint_answer(
    conn: Connection, answered: Complaint, staff_id: int | None
) -> Complaint:
    assert answered.answer is not None
    assert answered.outcome is not None
    row = await conn.fetchrow(
        ANSWER_COMPLAINT,
        answered.id,
        answered.answer,
        answered.outcome.value,
        staff_id,
        answered.answered_at,
    )
    if row is None:
        raise ConcurrentChange(_("This complaint was answered meanwhile."))
    return complaint_from_row(row)


async def fetch_complaint(conn: Executor, cycle_id: int, complaint_id: int) -> Complaint:
    row = await conn.fetchrow(SELECT_COMPLAINT, cycle_id, complaint_id)
    if row is None:
        raise NotFound(_("There is no such complaint in this cycle."))
    return complaint_from_row(row)


async def fetch_complaints(
    conn: Executor,
    cycle_id: int,
    *,
    status: ComplaintStatus | None = None,
    proposal_id: int | None = None,
    project_id: int | None = None,
) -> list[Complaint]:
    rows = await conn.fetch(
        SELECT_COMPLAINTS,
        cycle_id,
        status.value if status else None,
        proposal_id,
        project_id,
    )
    return [complaint_from_row(r) for r in rows]


# --- pabulib imports ----------------------------------------------------------------------

INSERT_PABULIB_IMPORT = """
INSERT INTO pabulib_imports (cycle_id, source_name, source_sha256, meta) VALUES ($1, $2, $3, $4)
"""
INSERT_PABULIB_IMPORT_PROJECTS = """
INSERT INTO pabulib_import_projects (cycle_id, source_id, project_id)
SELECT $1, source_id, project_id
  FROM unnest($2::text[], $3::bigint[]) AS t (source_id, project_id)
"""
SELECT_PABULIB_IMPORT = """
SELECT cycle_id, source_name, source_sha256, meta, imported_at,
       ARRAY(SELECT p.source_id FROM pabulib_import_projects p
              WHERE p.cycle_id = i.cycle_id ORDER BY p.project_id) AS source_ids,
       ARRAY(SELECT p.project_id FROM pabulib_import_projects p
              WHERE p.cycle_id = i.cycle_id ORDER BY p.project_id) AS project_ids
  FROM pabulib_imports i WHERE cycle_id = $1
"""


def pabulib_import_from_row(row: asyncpg.Record) -> PabulibImport:
    return PabulibImport(
        cycle_id=row["cycle_id"],
        source_name=row["source_name"],
        source_sha256=bytes(row["source_sha256"]),
        meta=dict(row["meta"]),
        imported_at=row["imported_at"],
        project_ids=dict(zip(row["source_ids"], row["project_ids"], strict=True)),
    )


async def insert_pabulib_import(
    conn: Connection,
    cycle_id: int,
    source_name: str,
    source_sha256: bytes,
    meta: dict[str, str],
    project_ids: dict[str, int],
) -> None:
    """Record where an imported cycle came from and which project is which of the file's."""
    await conn.execute(INSERT_PABULIB_IMPORT, cycle_id, source_name, source_sha256, meta)
    await conn.execute(
        INSERT_PABULIB_IMPORT_PROJECTS, cycle_id, list(project_ids), list(project_ids.values())
    )


async def fetch_pabulib_import(conn: Executor, cycle_id: int) -> PabulibImport | None:
    """The import a cycle was made by, or None for a cycle made otherwise."""
    row = await conn.fetchrow(SELECT_PABULIB_IMPORT, cycle_id)
    return None if row is None else pabulib_import_from_row(row)
