"""Ballot validity: what a ballot may contain under its scope's ballot type.

The same checks run when a ballot is cast, when it is tallied at the close, and in the
observer's verifier. A ballot maps project ids to points: 1 for every approval-style ballot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ballots.model import BallotKind, BallotSpec


class InvalidBallot(ValueError):
    """A ballot breaks its scope's rules; the message is fit to show the voter."""

    code = "invalid"


class NoSelection(InvalidBallot):
    code = "no-selection"


class TooManyChoices(InvalidBallot):
    code = "too-many-choices"


class UnknownProject(InvalidBallot):
    code = "unknown-project"


class BadPoints(InvalidBallot):
    code = "bad-points"


class BudgetExceeded(InvalidBallot):
    code = "over-budget"


class MinimumSpendNotReached(InvalidBallot):
    code = "under-minimum-spend"


class TooManyPoints(InvalidBallot):
    code = "too-many-points"


@dataclass(frozen=True)
class ScopeRules:
    """What validation needs to know about a scope: its ballot type, budget and project costs."""

    spec: BallotSpec
    budget_cents: int
    project_costs: Mapping[int, int]


def validate_ballot(rules: ScopeRules, selections: Mapping[int, int]) -> None:
    """Raise an `InvalidBallot` subclass if `selections` is not a valid ballot for the scope."""
    if not selections:
        raise NoSelection("Choose at least one project.")
    unknown = sorted(p for p in selections if p not in rules.project_costs)
    if unknown:
        raise UnknownProject(f"Project {unknown[0]} is not on this ballot.")
    spec = rules.spec
    if spec.kind is BallotKind.CUMULATIVE:
        _check_points(spec, selections)
        return
    if any(points != 1 for points in selections.values()):
        raise BadPoints("Each chosen project counts once on this ballot.")
    count = len(selections)
    if spec.kind is BallotKind.SINGLE_CHOICE and count != 1:
        raise TooManyChoices("Choose exactly one project.")
    if spec.kind is BallotKind.K_APPROVAL and count > (spec.max_choices or 0):
        raise TooManyChoices(f"Choose at most {spec.max_choices} projects; you chose {count}.")
    if spec.kind is BallotKind.KNAPSACK:
        _check_spend(rules, selections)


def ballot_cost(rules: ScopeRules, selections: Mapping[int, int]) -> int:
    """Total cost in cents of the projects a ballot selects."""
    return sum(rules.project_costs[p] for p in selections if p in rules.project_costs)


def _check_spend(rules: ScopeRules, selections: Mapping[int, int]) -> None:
    spent = ballot_cost(rules, selections)
    if spent > rules.budget_cents:
        raise BudgetExceeded(
            f"The projects you chose cost {spent} cents, more than the budget of "
            f"{rules.budget_cents} cents."
        )
    percent = rules.spec.min_spend_percent
    if percent and spent * 100 < rules.budget_cents * percent:
        raise MinimumSpendNotReached(
            f"Choose projects worth at least {percent}% of the budget; yours use {spent} cents "
            f"of {rules.budget_cents}."
        )


def _check_points(spec: BallotSpec, selections: Mapping[int, int]) -> None:
    if any(not isinstance(points, int) or points < 1 for points in selections.values()):
        raise BadPoints("Give each chosen project a whole number of points, at least 1.")
    cap = spec.max_points_per_project
    if cap is not None and any(points > cap for points in selections.values()):
        raise TooManyPoints(f"Give at most {cap} points to one project.")
    total = sum(selections.values())
    if spec.points is not None and total > spec.points:
        raise TooManyPoints(f"You have {spec.points} points to give; you gave {total}.")
