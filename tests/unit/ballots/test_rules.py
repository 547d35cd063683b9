"""Ballot validity per ballot type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots.model import BallotKind, BallotSpec, BallotSpecError
from ballots.rules import (
    BadPoints,
    BudgetExceeded,
    InvalidBallot,
    MinimumSpendNotReached,
    NoSelection,
    ScopeRules,
    TooManyChoices,
    TooManyPoints,
    UnknownProject,
    validate_ballot,
)

COSTS = {1: 300, 2: 500, 3: 200, 4: 100}


def scope(spec: BallotSpec, budget: int = 800) -> ScopeRules:
    return ScopeRules(spec=spec, budget_cents=budget, project_costs=COSTS)


SINGLE = scope(BallotSpec(BallotKind.SINGLE_CHOICE))
TWO_APPROVAL = scope(BallotSpec(BallotKind.K_APPROVAL, max_choices=2))
KNAPSACK = scope(BallotSpec(BallotKind.KNAPSACK, min_spend_percent=50))
CUMULATIVE = scope(BallotSpec(BallotKind.CUMULATIVE, points=5, max_points_per_project=3))


@pytest.mark.parametrize(
    ("rules", "ballot"),
    [
        (SINGLE, {2: 1}),
        (TWO_APPROVAL, {1: 1}),
        (TWO_APPROVAL, {1: 1, 4: 1}),
        (KNAPSACK, {1: 1, 2: 1}),  # 800 of 800
        (KNAPSACK, {2: 1}),  # 500 >= 50% of 800
        (CUMULATIVE, {1: 3, 2: 2}),
        (CUMULATIVE, {4: 1}),
    ],
)
def test_valid_ballots_pass(rules: ScopeRules, ballot: dict[int, int]) -> None:
    validate_ballot(rules, ballot)


@pytest.mark.parametrize(
    ("rules", "ballot", "error"),
    [
        (SINGLE, {}, NoSelection),
        (SINGLE, {1: 1, 2: 1}, TooManyChoices),
        (SINGLE, {9: 1}, UnknownProject),
        (SINGLE, {1: 2}, BadPoints),
        (TWO_APPROVAL, {1: 1, 2: 1, 3: 1}, TooManyChoices),
        (KNAPSACK, {1: 1, 2: 1, 4: 1}, BudgetExceeded),
        (KNAPSACK, {4: 1, 3: 1}, MinimumSpendNotReached),  # 300 < 400
        (CUMULATIVE, {1: 4}, TooManyPoints),
        (CUMULATIVE, {1: 3, 2: 3}, TooManyPoints),
        (CUMULATIVE, {1: 0}, BadPoints),
        (CUMULATIVE, {1: -1, 2: 3}, BadPoints),
    ],
)
def test_invalid_ballots_are_refused_with_a_reason(
    rules: ScopeRules, ballot: dict[int, int], error: type[InvalidBallot]
) -> None:
    with pytest.raises(error) as raised:
        validate_ballot(rules, ballot)
    assert str(raised.value)


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": BallotKind.K_APPROVAL},
        {"kind": BallotKind.K_APPROVAL, "max_choices": 0},
        {"kind": BallotKind.CUMULATIVE},
        {"kind": BallotKind.CUMULATIVE, "points": 3, "max_points_per_project": 4},
        {"kind": BallotKind.KNAPSACK, "min_spend_percent": 101},
    ],
)
def test_inconsistent_specs_are_refused(spec: dict[str, object]) -> None:
    with pytest.raises(BallotSpecError):
        BallotSpec(**spec)  # type: ignore[arg-type]


@given(st.dictionaries(st.sampled_from(sorted(COSTS)), st.integers(1, 3), max_size=4))
def test_knapsack_accepts_exactly_the_sets_within_budget(ballot: dict[int, int]) -> None:
    approvals = dict.fromkeys(ballot, 1)
    spent = sum(COSTS[p] for p in approvals)
    rules = scope(BallotSpec(BallotKind.KNAPSACK))
    expected_ok = bool(approvals) and spent <= rules.budget_cents
    try:
        validate_ballot(rules, approvals)
        ok = True
    except InvalidBallot:
        ok = False
    assert ok == expected_ok


def test_spec_round_trips_through_its_stored_form() -> None:
    for spec in (SINGLE.spec, TWO_APPROVAL.spec, KNAPSACK.spec, CUMULATIVE.spec):
        assert BallotSpec.from_dict(spec.to_dict()) == spec
