"""The pabutools 1.2.3 calls that match civica's rules (tests and benchmarks only).

Matching choices: tie-breaking is pabutools' lexicographic default, which civica calls `lexico`;
ordinal ballots become approval ballots; greedy ranks by votes (cumulative: points), which is
pabutools' greedy welfare with cost satisfaction (cumulative: points x cost); MES cost utilities
are cost satisfaction (cumulative: points x cost), cardinality utilities are cardinality
satisfaction (cumulative: points). `mes-add1` is MES with `voter_budget_increment=1`;
`mes-add1-nostop` is `exhaustion_by_budget_increase` with a step of one unit per voter and no
exhaustive stop; `-greedy` is `completion_by_rule_combination` with greedy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pabutools.election import (
    AbstractCardinalProfile,
    Additive_Cardinal_Sat,
    AdditiveSatisfaction,
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    OrdinalProfile,
    parse_pabulib,
)
from pabutools.rules import (
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

Rule = Callable[[Any, Any], Callable[[], Any]]


class PointsTimesCostSat(AdditiveSatisfaction):  # type: ignore[misc]
    """Cumulative ballots with cost utilities: points given x project cost."""

    def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
        super().__init__(instance, profile, ballot, _points_times_cost)


def _points_times_cost(instance: Any, profile: Any, ballot: Any, project: Any, values: Any) -> Any:
    return ballot.get(project, 0) * project.cost


def load(path: str) -> tuple[Any, Any]:
    """Parse with pabutools; ordinal profiles become approval profiles."""
    instance, profile = parse_pabulib(path)
    if isinstance(profile, OrdinalProfile):
        profile = ApprovalProfile([ApprovalBallot(ballot) for ballot in profile], instance=instance)
    return instance, profile


def satisfaction(profile: Any, utilities: str) -> Any:
    """The pabutools satisfaction class for civica's `utilities` on this profile."""
    cardinal = isinstance(profile, AbstractCardinalProfile)
    if utilities == "cost":
        return PointsTimesCostSat if cardinal else Cost_Sat
    return Additive_Cardinal_Sat if cardinal else Cardinality_Sat


def greedy(instance: Any, profile: Any) -> Callable[[], Any]:
    return lambda: greedy_utilitarian_welfare(
        instance, profile, sat_class=satisfaction(profile, "cost")
    )


def mes(completion: str, utilities: str = "cost") -> Rule:
    """A rule builder for MES with a civica completion name."""

    def build(instance: Any, profile: Any) -> Callable[[], Any]:
        sat = satisfaction(profile, utilities)
        votes_sat = satisfaction(profile, "cost")
        if completion == "none":
            return lambda: method_of_equal_shares(instance, profile, sat_class=sat)
        if completion == "add1":
            return lambda: method_of_equal_shares(
                instance, profile, sat_class=sat, voter_budget_increment=1
            )
        if completion == "add1-greedy":
            return lambda: completion_by_rule_combination(
                instance,
                profile,
                [method_of_equal_shares, greedy_utilitarian_welfare],
                [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": votes_sat}],
            )
        if completion == "add1-nostop":
            return lambda: exhaustion_by_budget_increase(
                instance,
                profile,
                method_of_equal_shares,
                {"sat_class": sat},
                budget_step=profile.num_ballots(),
                exhaustive_stop=False,
            )
        raise ValueError(completion)

    return build


RULES: dict[str, Rule] = {
    "greedy": greedy,
    "mes-none": mes("none"),
    "mes-add1": mes("add1"),
    "mes-add1-greedy": mes("add1-greedy"),
    "mes-add1-nostop": mes("add1-nostop"),
    "mes-card-none": mes("none", "cardinality"),
    "mes-card-add1": mes("add1", "cardinality"),
    "mes-card-add1-nostop": mes("add1-nostop", "cardinality"),
}
