"""Reviewers review proposals, make costed projects, publish the lists and answer complaints."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg

from proposals import repository as store
from proposals import review
from proposals.errors import InvalidSettings, ListAlreadyPublished, Problem
from proposals.i18n import _
from proposals.model import (
    Complaint,
    ComplaintOutcome,
    Cycle,
    EventKind,
    Project,
    ProjectDraft,
    ProjectStatus,
    Proposal,
)
from proposals.phases import Action, require
from proposals.validation import project_problems
from service.accounts import StaffAccount
from service.audit import record_audit, staff_actor

REVIEW_STEPS = {
    "start": EventKind.REVIEW_STARTED,
    "reject": EventKind.REJECTED,
    "feasible": EventKind.FEASIBLE,
    "reconsider": EventKind.RECONSIDERED,
}


def _apply_step(proposal: Proposal, step: str, reason: str) -> tuple[Proposal, str]:
    if step == "start":
        return review.start_review(proposal), ""
    if step == "reject":
        return review.reject(proposal, reason)
    if step == "feasible":
        return review.mark_feasible(proposal, reason)
    return review.reconsider(proposal, reason)


def _check_open(cycle: Cycle, now: datetime, action: Action) -> None:
    require(cycle.phase_at(now), action)
    if cycle.final_list_published_at is not None:
        raise ListAlreadyPublished(
            _("The final list is published: proposals and projects are frozen for voting.")
        )


@asynccontextmanager
async def _open_cycle(
    pool: asyncpg.Pool, slug: str, action: Action, now: datetime | None
) -> AsyncIterator[tuple[store.Connection, Cycle, datetime]]:
    """One transaction on the cycle, shared-locked, after checking that `action` is open now."""
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=False)
        moment = now or datetime.now(UTC)
        _check_open(cycle, moment, action)
        yield conn, cycle, moment


def _project_snapshot(project: Project) -> dict[str, object]:
    return {
        "title": project.title,
        "scope_id": project.scope_id,
        "area_id": project.area_id,
        "cost_cents": project.cost_cents,
        "status": project.status.value,
        "location": project.location,
    }


async def review_proposal(
    pool: asyncpg.Pool,
    staff: StaffAccount,
    slug: str,
    proposal_id: int,
    step: str,
    reason: str = "",
    now: datetime | None = None,
) -> Proposal:
    """Apply one review step ("start", "reject", "feasible", "reconsider") to a proposal."""
    if step not in REVIEW_STEPS:
        raise InvalidSettings([Problem("step", _("Choose a review step."))])
    kind = REVIEW_STEPS[step]
    async with _open_cycle(pool, slug, Action.REVIEW_PROPOSAL, now) as (conn, cycle, moment):
        before = await store.fetch_proposal(conn, cycle.id, proposal_id)
        after, text = _apply_step(before, step, reason)
        stored = await store.update_proposal_status(conn, before, after)
        await store.insert_event(
            conn,
            cycle.id,
            kind=kind,
            status=stored.status.value,
            at=moment,
            proposal_id=stored.id,
            reason=text,
            staff_id=staff.id,
        )
        await record_audit(
            conn,
            staff_actor(staff),
            f"proposal.{step}",
            f"cycle/{slug}/proposal/{proposal_id}",
            {"status": before.status.value},
            {"status": stored.status.value, "reason": text},
        )
        return stored


async def create_project(
    pool: asyncpg.Pool,
    staff: StaffAccount,
    slug: str,
    draft: ProjectDraft,
    proposal_ids: Sequence[int],
    now: datetime | None = None,
) -> Project:
    """Make a costed project of one or more feasible proposals of the same scope."""
    async with _open_cycle(pool, slug, Action.EDIT_PROJECTS, now) as (conn, cycle, moment):
        await _validate_project(conn, cycle, draft)
        proposals = await store.fetch_proposals_by_ids(conn, cycle.id, proposal_ids)
        review.check_mergeable(proposals, draft.scope_id)
        listed = cycle.provisional_list_published_at is not None
        status = ProjectStatus.PROVISIONAL if listed else ProjectStatus.DRAFT
        project = await store.insert_project(conn, cycle.id, draft, status)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.PROJECT_CREATED,
            status=status.value,
            at=moment,
            project_id=project.id,
            staff_id=staff.id,
        )
        await _merge(conn, cycle, staff, proposals, project, moment)
        await record_audit(
            conn,
            staff_actor(staff),
            "project.create",
            f"cycle/{slug}/project/{project.id}",
            None,
            {**_project_snapshot(project), "proposals": [p.id for p in proposals]},
        )
        return project


async def _validate_project(conn: store.Connection, cycle: Cycle, draft: ProjectDraft) -> None:
    scopes = await store.fetch_scopes(conn, cycle.id)
    areas = await store.fetch_areas(conn, cycle.id)
    problems = project_problems(draft, cycle.settings.project_cost_cap_cents, scopes, areas)
    if problems:
        raise InvalidSettings(problems)


async def _merge(
    conn: store.Connection,
    cycle: Cycle,
    staff: StaffAccount,
    proposals: Sequence[Proposal],
    project: Project,
    moment: datetime,
) -> None:
    for before, after in zip(proposals, review.merge(proposals, project), strict=True):
        await store.update_proposal_status(conn, before, after)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.MERGED,
            status=after.status.value,
            at=moment,
            proposal_id=after.id,
            reason=_("Merged into project {id}: {title}", id=project.id, title=project.title),
            staff_id=staff.id,
        )


async def update_project(
    pool: asyncpg.Pool,
    staff: StaffAccount,
    slug: str,
    project_id: int,
    draft: ProjectDraft,
    now: datetime | None = None,
) -> Project:
    """Change a project's text, area or cost (its scope stays) until the final list."""
    async with _open_cycle(pool, slug, Action.EDIT_PROJECTS, now) as (conn, cycle, moment):
        before = await store.fetch_project(conn, cycle.id, project_id)
        review.check_project_editable(before)
        draft = ProjectDraft(
            before.scope_id,
            draft.area_id,
            draft.title,
            draft.description,
            draft.location,
            draft.cost_cents,
        )
        await _validate_project(conn, cycle, draft)
        after = await store.update_project_content(conn, cycle.id, project_id, draft)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.PROJECT_EDITED,
            status=after.status.value,
            at=moment,
            project_id=after.id,
            staff_id=staff.id,
        )
        await record_audit(
            conn,
            staff_actor(staff),
            "project.update",
            f"cycle/{slug}/project/{project_id}",
            _project_snapshot(before),
            _project_snapshot(after),
        )
        return after


async def add_proposals(
    pool: asyncpg.Pool,
    staff: StaffAccount,
    slug: str,
    project_id: int,
    proposal_ids: Sequence[int],
    now: datetime | None = None,
) -> Project:
    """Merge more feasible proposals into an existing project."""
    async with _open_cycle(pool, slug, Action.EDIT_PROJECTS, now) as (conn, cycle, moment):
        project = await store.fetch_project(conn, cycle.id, project_id)
        proposals = await store.fetch_proposals_by_ids(conn, cycle.id, proposal_ids)
        await _merge(conn, cycle, staff, proposals, project, moment)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.PROPOSALS_ADDED,
            status=project.status.value,
            at=moment,
            project_id=project.id,
            reason=", ".join(f"#{p.id}" for p in proposals),
            staff_id=staff.id,
        )
        await record_audit(
            conn,
            staff_actor(staff),
            "project.add_proposals",
            f"cycle/{slug}/project/{project_id}",
            None,
            {"proposals": [p.id for p in proposals]},
        )
        return project


async def withdraw_project(
    pool: asyncpg.Pool,
    staff: StaffAccount,
    slug: str,
    project_id: int,
    reason: str,
    now: datetime | None = None,
) -> Project:
    """Take a project off the list, with a public reason."""
    async with _open_cycle(pool, slug, Action.EDIT_PROJECTS, now) as (conn, cycle, moment):
        before = await store.fetch_project(conn, cycle.id, project_id)
        after, text = review.withdraw_project(before, reason)
        stored = await store.update_project_status(conn, before, after)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.WITHDRAWN,
            status=stored.status.value,
            at=moment,
            project_id=stored.id,
            reason=text,
            staff_id=staff.id,
        )
        await record_audit(
            conn,
            staff_actor(staff),
            "project.withdraw",
            f"cycle/{slug}/project/{project_id}",
            {"status": before.status.value},
            {"status": stored.status.value, "reason": text},
        )
        return stored


async def publish_list(
    pool: asyncpg.Pool, staff: StaffAccount, slug: str, which: str, now: datetime | None = None
) -> list[Project]:
    """Publish the provisional or the final list ("provisional" | "final")."""
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=True)
        moment = now or datetime.now(UTC)
        proposals = await store.fetch_cycle_proposals(conn, cycle.id)
        projects = await store.fetch_cycle_projects(conn, cycle.id)
        if which == "provisional":
            require(cycle.phase_at(moment), Action.PUBLISH_PROVISIONAL_LIST)
            listed = review.publish_provisional_list(cycle, proposals, projects)
            await store.mark_provisional_list_published(conn, cycle.id, moment)
            kind = EventKind.PROVISIONAL_LIST
        else:
            require(cycle.phase_at(moment), Action.PUBLISH_FINAL_LIST)
            complaints = await store.fetch_complaints(conn, cycle.id)
            listed = review.publish_final_list(cycle, proposals, projects, complaints)
            await store.mark_final_list_published(conn, cycle.id, moment)
            kind = EventKind.FINAL_LIST
        by_id = {p.id: p for p in projects}
        for after in listed:
            await store.update_project_status(conn, by_id[after.id], after)
            await store.insert_event(
                conn,
                cycle.id,
                kind=kind,
                status=after.status.value,
                at=moment,
                project_id=after.id,
                staff_id=staff.id,
            )
        await record_audit(
            conn,
            staff_actor(staff),
            f"list.{which}",
            f"cycle/{slug}",
            None,
            {"projects": [p.id for p in listed], "published_at": moment},
        )
        return listed


async def answer_complaint(
    pool: asyncpg.Pool,
    staff: StaffAccount,
    slug: str,
    complaint_id: int,
    answer: str,
    outcome: ComplaintOutcome,
    now: datetime | None = None,
) -> Complaint:
    """Answer a complaint publicly; the answer joins the history of what it was about."""
    async with _open_cycle(pool, slug, Action.ANSWER_COMPLAINT, now) as (conn, cycle, moment):
        before = await store.fetch_complaint(conn, cycle.id, complaint_id)
        answered = review.answer_complaint(before, answer, outcome, moment)
        stored = await store.store_complaint_answer(conn, answered, staff.id)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.COMPLAINT_ANSWERED,
            status=outcome.value,
            at=moment,
            proposal_id=stored.proposal_id,
            project_id=stored.project_id,
            reason=stored.answer or "",
            staff_id=staff.id,
        )
        await record_audit(
            conn,
            staff_actor(staff),
            "complaint.answer",
            f"cycle/{slug}/complaint/{complaint_id}",
            {"status": before.status.value},
            {"status": stored.status.value, "outcome": outcome.value, "answer": stored.answer},
        )
        return stored
