"""The review workflow as pure functions: each takes the current values and returns the new
ones, or raises a typed error and changes nothing.

Proposals: submitted → in review → rejected (reason required) | feasible → merged into a
project. A rejected proposal may be reconsidered after an upheld complaint.
Projects: draft → provisional (provisional list) → final (final list); withdrawn with a reason
before the final list. Complaints: open → answered (upheld or dismissed) with a public answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from proposals.errors import (
    ComplaintAlreadyAnswered,
    ComplaintTargetInvalid,
    ListAlreadyPublished,
    ListNotReady,
    ProjectNotEditable,
    ProposalNotEditable,
    ProposalNotFeasible,
    ProposalNotInReview,
    ProposalNotRejected,
    ProposalNotSubmitted,
    ReasonRequired,
    ScopeMismatch,
)
from proposals.i18n import _
from proposals.model import (
    Complaint,
    ComplaintOutcome,
    ComplaintStatus,
    Cycle,
    Project,
    ProjectStatus,
    Proposal,
    ProposalStatus,
)
from proposals.validation import LIMITS, clean_text, text_problem

EDITABLE_PROJECT = frozenset({ProjectStatus.DRAFT, ProjectStatus.PROVISIONAL})
UNDECIDED = frozenset({ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW})


def require_reason(reason: str, *, limit: int = LIMITS["reason"]) -> str:
    """The cleaned reason; raise ReasonRequired when empty, too long or malformed."""
    text = clean_text(reason, multiline=True)
    problem = text_problem("reason", text, limit, label=_("The reason"))
    if problem is not None:
        raise ReasonRequired(problem.message)
    return text


def check_author_can_edit(proposal: Proposal) -> None:
    """Authors may change a proposal only until review starts."""
    if proposal.status is not ProposalStatus.SUBMITTED:
        raise ProposalNotEditable(
            _("This proposal is already being reviewed, so it can no longer be changed.")
        )


def start_review(proposal: Proposal) -> Proposal:
    """submitted → in review."""
    if proposal.status is not ProposalStatus.SUBMITTED:
        raise ProposalNotSubmitted(
            _(
                "Only a submitted proposal can be taken into review (it is {status}).",
                status=proposal.status.value,
            )
        )
    return replace(proposal, status=ProposalStatus.IN_REVIEW)


def reject(proposal: Proposal, reason: str) -> tuple[Proposal, str]:
    """in review → rejected; the public reason is required."""
    if proposal.status is not ProposalStatus.IN_REVIEW:
        raise ProposalNotInReview(
            _(
                "Only a proposal in review can be found not feasible (it is {status}).",
                status=proposal.status.value,
            )
        )
    return replace(proposal, status=ProposalStatus.REJECTED), require_reason(reason)


def mark_feasible(proposal: Proposal, note: str = "") -> tuple[Proposal, str]:
    """in review → feasible; the note is optional."""
    if proposal.status is not ProposalStatus.IN_REVIEW:
        raise ProposalNotInReview(
            _(
                "Only a proposal in review can be found feasible (it is {status}).",
                status=proposal.status.value,
            )
        )
    text = clean_text(note, multiline=True)
    if text:
        text = require_reason(text)
    return replace(proposal, status=ProposalStatus.FEASIBLE), text


def reconsider(proposal: Proposal, reason: str) -> tuple[Proposal, str]:
    """rejected → in review again (after an upheld complaint); the reason is required."""
    if proposal.status is not ProposalStatus.REJECTED:
        raise ProposalNotRejected(
            _(
                "Only a proposal found not feasible can be reconsidered (it is {status}).",
                status=proposal.status.value,
            )
        )
    return replace(proposal, status=ProposalStatus.IN_REVIEW), require_reason(reason)


def check_project_editable(project: Project) -> None:
    if project.status not in EDITABLE_PROJECT:
        raise ProjectNotEditable(
            _("This project is {status} and can no longer be changed.", status=project.status.value)
        )


def check_mergeable(proposals: Sequence[Proposal], scope_id: int) -> None:
    """Every proposal must be feasible, unmerged and in the project's scope."""
    if not proposals:
        raise ProposalNotFeasible(_("Choose at least one feasible proposal."))
    for proposal in proposals:
        if proposal.status is not ProposalStatus.FEASIBLE:
            raise ProposalNotFeasible(
                _(
                    "Proposal {id} is not feasible and unmerged, so it cannot join a project.",
                    id=proposal.id,
                )
            )
        if proposal.scope_id != scope_id:
            raise ScopeMismatch(
                _("Proposal {id} belongs to another scope than the project.", id=proposal.id)
            )


def merge(proposals: Sequence[Proposal], project: Project) -> list[Proposal]:
    """feasible → merged into `project` (which must still be editable)."""
    check_project_editable(project)
    check_mergeable(proposals, project.scope_id)
    return [replace(p, status=ProposalStatus.MERGED, project_id=project.id) for p in proposals]


def withdraw_project(project: Project, reason: str) -> tuple[Project, str]:
    """draft/provisional → withdrawn, with a public reason."""
    check_project_editable(project)
    return replace(project, status=ProjectStatus.WITHDRAWN), require_reason(reason)


def provisional_list_blockers(
    proposals: Sequence[Proposal], projects: Sequence[Project]
) -> list[str]:
    """Why the provisional list cannot be published yet (empty: it can)."""
    reasons = []
    undecided = [p for p in proposals if p.status in UNDECIDED]
    if undecided:
        reasons.append(_("{n} proposal(s) still await a decision.", n=len(undecided)))
    unmerged = [p for p in proposals if p.status is ProposalStatus.FEASIBLE]
    if unmerged:
        reasons.append(
            _("{n} feasible proposal(s) are not part of a project yet.", n=len(unmerged))
        )
    if not any(p.status is ProjectStatus.DRAFT for p in projects):
        reasons.append(_("There is no project to put on the list."))
    return reasons


def publish_provisional_list(
    cycle: Cycle, proposals: Sequence[Proposal], projects: Sequence[Project]
) -> list[Project]:
    """Every draft project goes on the provisional list."""
    if cycle.provisional_list_published_at is not None:
        raise ListAlreadyPublished(_("The provisional list is already published."))
    reasons = provisional_list_blockers(proposals, projects)
    if reasons:
        raise ListNotReady(_("The provisional list cannot be published yet."), reasons)
    return [
        replace(p, status=ProjectStatus.PROVISIONAL)
        for p in projects
        if p.status is ProjectStatus.DRAFT
    ]


def final_list_blockers(
    proposals: Sequence[Proposal], projects: Sequence[Project], complaints: Sequence[Complaint]
) -> list[str]:
    """Why the final list cannot be published yet (empty: it can)."""
    reasons = []
    open_complaints = [c for c in complaints if c.status is ComplaintStatus.OPEN]
    if open_complaints:
        reasons.append(_("{n} complaint(s) have no answer yet.", n=len(open_complaints)))
    undecided = [p for p in proposals if p.status in UNDECIDED]
    if undecided:
        reasons.append(_("{n} proposal(s) still await a decision.", n=len(undecided)))
    unmerged = [p for p in proposals if p.status is ProposalStatus.FEASIBLE]
    if unmerged:
        reasons.append(
            _("{n} feasible proposal(s) are not part of a project yet.", n=len(unmerged))
        )
    if not any(p.status in EDITABLE_PROJECT for p in projects):
        reasons.append(_("There is no project to put on the list."))
    return reasons


def publish_final_list(
    cycle: Cycle,
    proposals: Sequence[Proposal],
    projects: Sequence[Project],
    complaints: Sequence[Complaint],
) -> list[Project]:
    """Every draft or provisional project goes on the final list, frozen for voting."""
    if cycle.provisional_list_published_at is None:
        raise ListNotReady(
            _("The final list cannot be published yet."),
            [_("The provisional list has not been published.")],
        )
    if cycle.final_list_published_at is not None:
        raise ListAlreadyPublished(_("The final list is already published."))
    reasons = final_list_blockers(proposals, projects, complaints)
    if reasons:
        raise ListNotReady(_("The final list cannot be published yet."), reasons)
    return [
        replace(p, status=ProjectStatus.FINAL) for p in projects if p.status in EDITABLE_PROJECT
    ]


def check_complaint_target(proposal: Proposal | None, project: Project | None) -> None:
    """A complaint is against a decision: a decided proposal or a listed/withdrawn project."""
    if proposal is not None and proposal.status in UNDECIDED:
        raise ComplaintTargetInvalid(
            _("This proposal has no review decision yet, so there is nothing to complain about.")
        )
    if project is not None and project.status not in (
        ProjectStatus.PROVISIONAL,
        ProjectStatus.WITHDRAWN,
    ):
        raise ComplaintTargetInvalid(
            _("Complaints concern projects on the provisional list or withdrawn from it.")
        )
    if proposal is None and project is None:
        raise ComplaintTargetInvalid(_("Choose the proposal or project the complaint is about."))


def answer_complaint(
    complaint: Complaint, answer: str, outcome: ComplaintOutcome, at: datetime
) -> Complaint:
    """open → answered, with the public answer and whether the complaint was upheld."""
    if complaint.status is not ComplaintStatus.OPEN:
        raise ComplaintAlreadyAnswered(_("This complaint has already been answered."))
    text = require_reason(answer, limit=LIMITS["answer"])
    return replace(
        complaint, status=ComplaintStatus.ANSWERED, answer=text, outcome=outcome, answered_at=at
    )
