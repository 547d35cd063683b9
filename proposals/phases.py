"""The phases of a cycle: which one is running, what each allows, advancing and extending.

A cycle's schedule gives the moment each phase begins; a phase ends when the next begins and
results never end. Before proposals begin the cycle is upcoming. An administrator's advance or
extension moves one boundary (recorded with a public reason), so the phase is always read off
the dates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Any

from proposals.errors import FinalListNotPublished, PhaseChangeInvalid, PhaseForbids
from proposals.i18n import _


class Phase(StrEnum):
    UPCOMING = "upcoming"
    PROPOSALS = "proposals"
    REVIEW = "review"
    COMPLAINTS = "complaints"
    VOTING = "voting"
    RESULTS = "results"


DATED_PHASES: tuple[Phase, ...] = (
    Phase.PROPOSALS,
    Phase.REVIEW,
    Phase.COMPLAINTS,
    Phase.VOTING,
    Phase.RESULTS,
)

PHASE_NAMES = {
    Phase.UPCOMING: _("Not started"),
    Phase.PROPOSALS: _("Proposals"),
    Phase.REVIEW: _("Technical review"),
    Phase.COMPLAINTS: _("Complaints"),
    Phase.VOTING: _("Voting"),
    Phase.RESULTS: _("Results"),
}
# the names as they read inside a sentence ("The review phase must begin after ...")
PHASE_NAMES_IN_TEXT = {
    Phase.UPCOMING: _("not started"),
    Phase.PROPOSALS: _("proposals"),
    Phase.REVIEW: _("technical review"),
    Phase.COMPLAINTS: _("complaints"),
    Phase.VOTING: _("voting"),
    Phase.RESULTS: _("results"),
}


class Action(StrEnum):
    SUBMIT_PROPOSAL = "submit_proposal"
    EDIT_PROPOSAL = "edit_proposal"
    REVIEW_PROPOSAL = "review_proposal"
    EDIT_PROJECTS = "edit_projects"
    PUBLISH_PROVISIONAL_LIST = "publish_provisional_list"
    FILE_COMPLAINT = "file_complaint"
    ANSWER_COMPLAINT = "answer_complaint"
    PUBLISH_FINAL_LIST = "publish_final_list"
    CONFIGURE_CYCLE = "configure_cycle"
    EDIT_SCHEDULE = "edit_schedule"
    CHANGE_PHASE = "change_phase"


_BEFORE_VOTING = frozenset({Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW, Phase.COMPLAINTS})

ALLOWED: dict[Action, frozenset[Phase]] = {
    Action.SUBMIT_PROPOSAL: frozenset({Phase.PROPOSALS}),
    Action.EDIT_PROPOSAL: frozenset({Phase.PROPOSALS}),
    # reviewers may start during the proposal phase; in the complaints phase they reconsider
    Action.REVIEW_PROPOSAL: frozenset({Phase.PROPOSALS, Phase.REVIEW, Phase.COMPLAINTS}),
    Action.EDIT_PROJECTS: frozenset({Phase.PROPOSALS, Phase.REVIEW, Phase.COMPLAINTS}),
    Action.PUBLISH_PROVISIONAL_LIST: frozenset({Phase.REVIEW, Phase.COMPLAINTS}),
    Action.FILE_COMPLAINT: frozenset({Phase.COMPLAINTS}),
    Action.ANSWER_COMPLAINT: frozenset({Phase.COMPLAINTS}),
    Action.PUBLISH_FINAL_LIST: frozenset({Phase.COMPLAINTS}),
    # budgets, ballots, tally rules and eligibility freeze when voting opens (the manifest)
    Action.CONFIGURE_CYCLE: _BEFORE_VOTING,
    # planned dates are set before the cycle opens; afterwards only recorded changes move them
    Action.EDIT_SCHEDULE: frozenset({Phase.UPCOMING}),
    Action.CHANGE_PHASE: _BEFORE_VOTING | {Phase.VOTING},
}

REFUSALS: dict[Action, str] = {
    Action.SUBMIT_PROPOSAL: _("Proposals can only be submitted during the proposal phase."),
    Action.EDIT_PROPOSAL: _("Proposals can only be changed during the proposal phase."),
    Action.REVIEW_PROPOSAL: _("Proposals can only be reviewed before voting opens."),
    Action.EDIT_PROJECTS: _("Projects can only be changed before voting opens."),
    Action.PUBLISH_PROVISIONAL_LIST: _(
        "The provisional list is published in the technical review or complaints phase."
    ),
    Action.FILE_COMPLAINT: _("Complaints can only be filed during the complaints phase."),
    Action.ANSWER_COMPLAINT: _("Complaints are answered during the complaints phase."),
    Action.PUBLISH_FINAL_LIST: _("The final list is published during the complaints phase."),
    Action.CONFIGURE_CYCLE: _(
        "Budgets, ballots, tally rules and eligibility are frozen once voting opens."
    ),
    Action.EDIT_SCHEDULE: _(
        "Phase dates are set before the cycle opens; afterwards an administrator advances or "
        "extends a phase with a reason."
    ),
    Action.CHANGE_PHASE: _("The cycle has ended; its phases can no longer change."),
}


def allows(phase: Phase, action: Action) -> bool:
    """Whether `phase` allows `action`."""
    return phase in ALLOWED[action]


def require(phase: Phase, action: Action) -> None:
    """Raise PhaseForbids unless `phase` allows `action`."""
    if not allows(phase, action):
        raise PhaseForbids(REFUSALS[action])


@dataclass(frozen=True)
class Schedule:
    """When each phase begins (timezone-aware datetimes, in phase order)."""

    proposals_at: datetime
    review_at: datetime
    complaints_at: datetime
    voting_at: datetime
    results_at: datetime

    def start_of(self, phase: Phase) -> datetime:
        """When `phase` begins (not defined for UPCOMING)."""
        return getattr(self, f"{phase.value}_at")  # type: ignore[no-any-return]

    def end_of(self, phase: Phase) -> datetime | None:
        """When `phase` ends: the next phase's start; None for results."""
        following = next_phase(phase)
        return None if following is None else self.start_of(following)

    def with_start(self, phase: Phase, at: datetime) -> Schedule:
        return replace(self, **{f"{phase.value}_at": at})

    def starts(self) -> list[tuple[Phase, datetime]]:
        return [(phase, self.start_of(phase)) for phase in DATED_PHASES]

    def phase_at(self, now: datetime) -> Phase:
        """The phase running at `now`."""
        current = Phase.UPCOMING
        for phase, start in self.starts():
            if start <= now:
                current = phase
        return current

    def to_dict(self) -> dict[str, Any]:
        return {phase.value: start.isoformat() for phase, start in self.starts()}


def next_phase(phase: Phase) -> Phase | None:
    """The phase after `phase` (UPCOMING is followed by PROPOSALS), or None after results."""
    if phase is Phase.UPCOMING:
        return Phase.PROPOSALS
    index = DATED_PHASES.index(phase)
    return DATED_PHASES[index + 1] if index + 1 < len(DATED_PHASES) else None


def schedule_problems(schedule: Schedule) -> list[tuple[Phase, str]]:
    """Each phase that does not begin strictly after the one before it."""
    problems = []
    starts = schedule.starts()
    for (before, start_before), (phase, start) in pairwise(starts):
        if start <= start_before:
            problems.append(
                (
                    phase,
                    _(
                        "The {phase} phase must begin after the {before} phase begins.",
                        phase=PHASE_NAMES_IN_TEXT[phase],
                        before=PHASE_NAMES_IN_TEXT[before],
                    ),
                )
            )
    return problems


@dataclass(frozen=True)
class PhaseChange:
    """An advance or extension: the phase running then, and the boundary it moved."""

    kind: str  # "advance" | "extend"
    phase: Phase
    moved_phase: Phase  # whose start moved
    previous_boundary_at: datetime
    new_boundary_at: datetime


def advance(
    schedule: Schedule, now: datetime, *, final_list_published: bool
) -> tuple[Schedule, PhaseChange]:
    """End the running phase now: the next phase begins at `now`."""
    current = schedule.phase_at(now)
    following = next_phase(current)
    if current is Phase.RESULTS or following is None:
        raise PhaseChangeInvalid(_("The results phase is the last one; there is nothing after it."))
    if following is Phase.VOTING and not final_list_published:
        raise FinalListNotPublished(
            _("Voting cannot open before the final list of projects is published.")
        )
    previous = schedule.start_of(following)
    change = PhaseChange("advance", current, following, previous, now)
    return schedule.with_start(following, now), change


def extend(schedule: Schedule, now: datetime, new_end: datetime) -> tuple[Schedule, PhaseChange]:
    """Make the running phase end later, at `new_end`, before the phase after next begins."""
    current = schedule.phase_at(now)
    following = next_phase(current)
    if current is Phase.UPCOMING or following is None:
        raise PhaseChangeInvalid(_("Only a running phase that has an end can be extended."))
    end = schedule.start_of(following)
    if new_end <= end:
        raise PhaseChangeInvalid(_("The new end must be later than the current end of the phase."))
    after = next_phase(following)
    if after is not None and new_end >= schedule.start_of(after):
        raise PhaseChangeInvalid(
            _(
                "The new end must be before the {phase} phase begins.",
                phase=PHASE_NAMES_IN_TEXT[after],
            )
        )
    change = PhaseChange("extend", current, following, end, new_end)
    return schedule.with_start(following, new_end), change
