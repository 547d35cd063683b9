"""The review state machine: every legal step, and every illegal one refused unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from proposals import review
from proposals.errors import (
    ComplaintAlreadyAnswered,
    ComplaintTargetInvalid,
    IllegalTransition,
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
from tests.support.proposals import cycle_settings

NOW = datetime(2018, 5, 1, tzinfo=UTC)


def proposal(status: ProposalStatus, scope_id: int = 1, pid: int = 1) -> Proposal:
    return Proposal(
        pid,
        1,
        scope_id,
        None,
        "a" * 64,
        "Title",
        "Text",
        "",
        100,
        status,
        7 if status is ProposalStatus.MERGED else None,
        NOW,
        NOW,
    )


def project(status: ProjectStatus, scope_id: int = 1) -> Project:
    return Project(7, 1, scope_id, None, "Project", "Text", "", 100, status, NOW, NOW)


def complaint(status: ComplaintStatus = ComplaintStatus.OPEN) -> Complaint:
    return Complaint(1, 1, 1, None, "b" * 64, "Unfair", status, None, None, None, NOW)


def cycle(provisional: bool = False, final: bool = False) -> Cycle:
    return Cycle(1, cycle_settings(), NOW if provisional else None, NOW if final else None, NOW)


ALL = list(ProposalStatus)


def test_the_happy_path() -> None:
    p = review.start_review(proposal(ProposalStatus.SUBMITTED))
    assert p.status is ProposalStatus.IN_REVIEW
    p, note = review.mark_feasible(p, "  Costed. ")
    assert (p.status, note) == (ProposalStatus.FEASIBLE, "Costed.")
    (merged,) = review.merge([p], project(ProjectStatus.DRAFT))
    assert merged.status is ProposalStatus.MERGED
    assert merged.project_id == 7


@pytest.mark.parametrize("status", [s for s in ALL if s is not ProposalStatus.SUBMITTED])
def test_only_submitted_proposals_enter_review(status: ProposalStatus) -> None:
    with pytest.raises(ProposalNotSubmitted):
        review.start_review(proposal(status))


@pytest.mark.parametrize("status", [s for s in ALL if s is not ProposalStatus.IN_REVIEW])
def test_only_proposals_in_review_are_decided(status: ProposalStatus) -> None:
    with pytest.raises(ProposalNotInReview):
        review.reject(proposal(status), "reason")
    with pytest.raises(ProposalNotInReview):
        review.mark_feasible(proposal(status))


@pytest.mark.parametrize("reason", ["", "   ", "\n", "x" * 2001, "bad\x00byte"])
def test_rejection_needs_a_real_reason(reason: str) -> None:
    with pytest.raises(ReasonRequired):
        review.reject(proposal(ProposalStatus.IN_REVIEW), reason)


@pytest.mark.parametrize("status", [s for s in ALL if s is not ProposalStatus.REJECTED])
def test_only_rejected_proposals_are_reconsidered(status: ProposalStatus) -> None:
    with pytest.raises(ProposalNotRejected):
        review.reconsider(proposal(status), "complaint upheld")


def test_reconsidering_needs_a_reason() -> None:
    with pytest.raises(ReasonRequired):
        review.reconsider(proposal(ProposalStatus.REJECTED), "")
    p, _ = review.reconsider(proposal(ProposalStatus.REJECTED), "Complaint 3 upheld")
    assert p.status is ProposalStatus.IN_REVIEW


@pytest.mark.parametrize("status", [s for s in ALL if s is not ProposalStatus.FEASIBLE])
def test_only_feasible_proposals_merge(status: ProposalStatus) -> None:
    with pytest.raises(ProposalNotFeasible):
        review.merge([proposal(status)], project(ProjectStatus.DRAFT))


def test_merging_needs_proposals_of_the_projects_scope() -> None:
    with pytest.raises(ScopeMismatch):
        review.merge([proposal(ProposalStatus.FEASIBLE, scope_id=2)], project(ProjectStatus.DRAFT))
    with pytest.raises(ProposalNotFeasible):
        review.merge([], project(ProjectStatus.DRAFT))


@pytest.mark.parametrize("status", [ProjectStatus.FINAL, ProjectStatus.WITHDRAWN])
def test_frozen_projects_take_no_changes(status: ProjectStatus) -> None:
    with pytest.raises(ProjectNotEditable):
        review.merge([proposal(ProposalStatus.FEASIBLE)], project(status))
    with pytest.raises(ProjectNotEditable):
        review.withdraw_project(project(status), "reason")
    with pytest.raises(ProjectNotEditable):
        review.check_project_editable(project(status))


def test_withdrawing_needs_a_reason() -> None:
    with pytest.raises(ReasonRequired):
        review.withdraw_project(project(ProjectStatus.PROVISIONAL), " ")
    withdrawn, _ = review.withdraw_project(project(ProjectStatus.PROVISIONAL), "Not feasible")
    assert withdrawn.status is ProjectStatus.WITHDRAWN


@pytest.mark.parametrize("status", [s for s in ALL if s is not ProposalStatus.SUBMITTED])
def test_authors_edit_only_before_review(status: ProposalStatus) -> None:
    with pytest.raises(ProposalNotEditable):
        review.check_author_can_edit(proposal(status))
    review.check_author_can_edit(proposal(ProposalStatus.SUBMITTED))


def test_the_provisional_list_waits_for_every_decision() -> None:
    pending = [proposal(ProposalStatus.IN_REVIEW), proposal(ProposalStatus.FEASIBLE, pid=2)]
    with pytest.raises(ListNotReady) as caught:
        review.publish_provisional_list(cycle(), pending, [project(ProjectStatus.DRAFT)])
    assert len(caught.value.reasons) == 2
    with pytest.raises(ListNotReady):
        review.publish_provisional_list(cycle(), [], [])
    listed = review.publish_provisional_list(
        cycle(), [proposal(ProposalStatus.MERGED)], [project(ProjectStatus.DRAFT)]
    )
    assert [p.status for p in listed] == [ProjectStatus.PROVISIONAL]
    with pytest.raises(ListAlreadyPublished):
        review.publish_provisional_list(cycle(provisional=True), [], [project(ProjectStatus.DRAFT)])


def test_the_final_list_waits_for_the_provisional_list_and_every_answer() -> None:
    merged = [proposal(ProposalStatus.MERGED)]
    listed = [project(ProjectStatus.PROVISIONAL), replace(project(ProjectStatus.WITHDRAWN), id=8)]
    with pytest.raises(ListNotReady):
        review.publish_final_list(cycle(), merged, listed, [])
    with pytest.raises(ListNotReady) as caught:
        review.publish_final_list(cycle(provisional=True), merged, listed, [complaint()])
    assert "complaint" in caught.value.reasons[0]
    final = review.publish_final_list(
        cycle(provisional=True), merged, listed, [complaint(ComplaintStatus.ANSWERED)]
    )
    assert [(p.id, p.status) for p in final] == [(7, ProjectStatus.FINAL)]
    with pytest.raises(ListAlreadyPublished):
        review.publish_final_list(cycle(provisional=True, final=True), merged, listed, [])


def test_complaints_concern_decisions() -> None:
    for status in (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW):
        with pytest.raises(ComplaintTargetInvalid):
            review.check_complaint_target(proposal(status), None)
    with pytest.raises(ComplaintTargetInvalid):
        review.check_complaint_target(None, project(ProjectStatus.DRAFT))
    with pytest.raises(ComplaintTargetInvalid):
        review.check_complaint_target(None, None)
    review.check_complaint_target(proposal(ProposalStatus.REJECTED), None)
    review.check_complaint_target(None, project(ProjectStatus.PROVISIONAL))


def test_a_complaint_is_answered_once_with_a_text() -> None:
    with pytest.raises(ReasonRequired):
        review.answer_complaint(complaint(), "", ComplaintOutcome.DISMISSED, NOW)
    answered = review.answer_complaint(complaint(), "It stands.", ComplaintOutcome.DISMISSED, NOW)
    assert answered.status is ComplaintStatus.ANSWERED
    with pytest.raises(ComplaintAlreadyAnswered):
        review.answer_complaint(answered, "Again", ComplaintOutcome.UPHELD, NOW)


def test_every_illegal_step_is_a_typed_illegal_transition() -> None:
    for error in (
        ProposalNotSubmitted,
        ProposalNotInReview,
        ProposalNotFeasible,
        ProposalNotRejected,
        ProposalNotEditable,
        ProjectNotEditable,
        ComplaintAlreadyAnswered,
        ComplaintTargetInvalid,
    ):
        assert issubclass(error, IllegalTransition)
