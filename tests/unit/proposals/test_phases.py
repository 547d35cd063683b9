"""Which phase runs, what it allows, and advancing or extending it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from proposals.errors import FinalListNotPublished, PhaseChangeInvalid, PhaseForbids
from proposals.phases import (
    ALLOWED,
    DATED_PHASES,
    Action,
    Phase,
    Schedule,
    advance,
    allows,
    extend,
    require,
    schedule_problems,
)

T0 = datetime(2018, 1, 23, tzinfo=UTC)
SCHEDULE = Schedule(
    T0,
    T0 + timedelta(days=92),
    T0 + timedelta(days=118),
    T0 + timedelta(days=139),
    T0 + timedelta(days=251),
)


def test_the_phase_is_read_off_the_dates() -> None:
    assert SCHEDULE.phase_at(T0 - timedelta(seconds=1)) is Phase.UPCOMING
    assert SCHEDULE.phase_at(T0) is Phase.PROPOSALS
    assert SCHEDULE.phase_at(SCHEDULE.review_at - timedelta(microseconds=1)) is Phase.PROPOSALS
    assert SCHEDULE.phase_at(SCHEDULE.review_at) is Phase.REVIEW
    assert SCHEDULE.phase_at(SCHEDULE.voting_at + timedelta(days=1)) is Phase.VOTING
    assert SCHEDULE.phase_at(datetime(2030, 1, 1, tzinfo=UTC)) is Phase.RESULTS
    assert SCHEDULE.end_of(Phase.REVIEW) == SCHEDULE.complaints_at
    assert SCHEDULE.end_of(Phase.RESULTS) is None


def test_out_of_order_dates_are_reported_per_phase() -> None:
    bad = SCHEDULE.with_start(Phase.COMPLAINTS, SCHEDULE.review_at)
    assert [phase for phase, _ in schedule_problems(bad)] == [Phase.COMPLAINTS]
    assert schedule_problems(SCHEDULE) == []


def test_what_each_phase_allows() -> None:
    assert allows(Phase.PROPOSALS, Action.SUBMIT_PROPOSAL)
    for phase in (Phase.UPCOMING, Phase.REVIEW, Phase.COMPLAINTS, Phase.VOTING, Phase.RESULTS):
        assert not allows(phase, Action.SUBMIT_PROPOSAL)
        with pytest.raises(PhaseForbids):
            require(phase, Action.SUBMIT_PROPOSAL)
    for action in (Action.EDIT_PROJECTS, Action.CONFIGURE_CYCLE, Action.REVIEW_PROPOSAL):
        assert not allows(Phase.VOTING, action)
        assert not allows(Phase.RESULTS, action)
    assert ALLOWED[Action.FILE_COMPLAINT] == {Phase.COMPLAINTS}
    assert ALLOWED[Action.EDIT_SCHEDULE] == {Phase.UPCOMING}
    assert set(ALLOWED) == set(Action)


def test_advance_starts_the_next_phase_now() -> None:
    now = SCHEDULE.proposals_at + timedelta(days=10)
    changed, change = advance(SCHEDULE, now, final_list_published=False)
    assert changed.phase_at(now) is Phase.REVIEW
    assert changed.review_at == now
    assert change.previous_boundary_at == SCHEDULE.review_at
    assert changed.complaints_at == SCHEDULE.complaints_at


def test_voting_cannot_open_early_without_the_final_list() -> None:
    now = SCHEDULE.complaints_at + timedelta(days=1)
    with pytest.raises(FinalListNotPublished):
        advance(SCHEDULE, now, final_list_published=False)
    changed, _ = advance(SCHEDULE, now, final_list_published=True)
    assert changed.phase_at(now) is Phase.VOTING


def test_nothing_follows_results() -> None:
    with pytest.raises(PhaseChangeInvalid):
        advance(SCHEDULE, SCHEDULE.results_at + timedelta(days=1), final_list_published=True)


def test_extend_moves_the_end_but_never_past_the_phase_after_next() -> None:
    now = SCHEDULE.proposals_at + timedelta(days=1)
    later = SCHEDULE.review_at + timedelta(days=7)
    changed, change = extend(SCHEDULE, now, later)
    assert changed.review_at == later
    assert change.kind == "extend"
    assert changed.phase_at(SCHEDULE.review_at) is Phase.PROPOSALS
    with pytest.raises(PhaseChangeInvalid):
        extend(SCHEDULE, now, SCHEDULE.review_at - timedelta(days=1))
    with pytest.raises(PhaseChangeInvalid):
        extend(SCHEDULE, now, SCHEDULE.complaints_at)
    with pytest.raises(PhaseChangeInvalid):
        extend(SCHEDULE, SCHEDULE.proposals_at - timedelta(days=1), later)
    voting = SCHEDULE.voting_at + timedelta(days=1)
    assert extend(SCHEDULE, voting, SCHEDULE.results_at + timedelta(days=30))[0].results_at > (
        SCHEDULE.results_at
    )


def test_dated_phases_are_in_order() -> None:
    assert [p.value for p in DATED_PHASES] == [
        "proposals",
        "review",
        "complaints",
        "voting",
        "results",
    ]
