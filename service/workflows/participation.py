"""Citizens submit and edit proposals and file complaints, each checked against the phase."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from proposals import repository as store
from proposals import review
from proposals.errors import InvalidSettings, ListAlreadyPublished, NotFound, PhaseForbids, Problem
from proposals.i18n import _
from proposals.model import Complaint, Cycle, EventKind, Proposal, ProposalDraft
from proposals.phases import Action, require
from proposals.validation import LIMITS, clean_text, proposal_problems, text_problem
from verification.eligibility import check_eligibility
from verification.identity.model import CitizenSession


class NotEligible(PhaseForbids):
    """The citizen does not meet the cycle's rules for proposing; `reasons` says why."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def eligibility_reasons(cycle: Cycle, citizen: CitizenSession) -> list[str]:
    """Why `citizen` may not propose in `cycle` (empty: they may)."""
    reasons = check_eligibility(
        cycle.settings.propose_eligibility, citizen, cycle.settings.reference_date
    )
    return [reason.explanation for reason in reasons]


async def _validate(conn: store.Connection, cycle: Cycle, draft: ProposalDraft) -> None:
    scopes = await store.fetch_scopes(conn, cycle.id)
    areas = await store.fetch_areas(conn, cycle.id)
    problems = proposal_problems(draft, cycle.settings.project_cost_cap_cents, scopes, areas)
    if problems:
        raise InvalidSettings(problems)


async def submit_proposal(
    pool: asyncpg.Pool,
    citizen: CitizenSession,
    slug: str,
    draft: ProposalDraft,
    now: datetime | None = None,
) -> Proposal:
    """Store a new proposal from an eligible citizen during the proposal phase."""
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=False)
        moment = now or datetime.now(UTC)
        require(cycle.phase_at(moment), Action.SUBMIT_PROPOSAL)
        reasons = eligibility_reasons(cycle, citizen)
        if reasons:
            raise NotEligible(reasons)
        await _validate(conn, cycle, draft)
        proposal = await store.insert_proposal(conn, cycle.id, citizen.person_key, draft)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.SUBMITTED,
            status=proposal.status.value,
            at=moment,
            proposal_id=proposal.id,
        )
        return proposal


async def edit_proposal(
    pool: asyncpg.Pool,
    citizen: CitizenSession,
    slug: str,
    proposal_id: int,
    draft: ProposalDraft,
    now: datetime | None = None,
) -> Proposal:
    """The author changes their proposal, until the phase ends or review starts."""
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=False)
        moment = now or datetime.now(UTC)
        require(cycle.phase_at(moment), Action.EDIT_PROPOSAL)
        proposal = await fetch_own_proposal(conn, cycle, citizen, proposal_id)
        review.check_author_can_edit(proposal)
        await _validate(conn, cycle, draft)
        updated = await store.update_proposal_content(conn, proposal.id, citizen.person_key, draft)
        await store.insert_event(
            conn,
            cycle.id,
            kind=EventKind.EDITED,
            status=updated.status.value,
            at=moment,
            proposal_id=updated.id,
        )
        return updated


async def fetch_own_proposal(
    conn: store.Executor,
    cycle: Cycle,
    citizen: CitizenSession,
    proposal_id: int,
) -> Proposal:
    """The citizen's own proposal; NotFound for anyone else's."""
    proposal = await store.fetch_proposal(conn, cycle.id, proposal_id)
    if proposal.author_key != citizen.person_key:
        raise NotFound(_("You can only change your own proposals."))
    return proposal


async def file_complaint(
    pool: asyncpg.Pool,
    citizen: CitizenSession,
    slug: str,
    body: str,
    *,
    proposal_id: int | None = None,
    project_id: int | None = None,
    now: datetime | None = None,
) -> Complaint:
    """A citizen's complaint against a review decision, during the complaints phase."""
    text = clean_text(body, multiline=True)
    problem = text_problem("body", text, LIMITS["complaint"], label=_("Your complaint"))
    async with pool.acquire() as conn, conn.transaction():
        cycle = await store.lock_cycle(conn, slug, exclusive=False)
        moment = now or datetime.now(UTC)
        require(cycle.phase_at(moment), Action.FILE_COMPLAINT)
        if cycle.final_list_published_at is not None:
            raise ListAlreadyPublished(
                _("The final list is published; the complaints window has closed.")
            )
        proposal = await store.fetch_proposal(conn, cycle.id, proposal_id) if proposal_id else None
        project = await store.fetch_project(conn, cycle.id, project_id) if project_id else None
        review.check_complaint_target(proposal, project)
        if problem is not None:
            raise InvalidSettings([problem])
        if proposal is not None and project is not None:
            raise InvalidSettings([Problem("body", _("A complaint concerns one decision."))])
        return await store.insert_complaint(
            conn,
            cycle.id,
            citizen.person_key,
            text,
            moment,
            proposal_id=proposal.id if proposal else None,
            project_id=project.id if project else None,
        )
