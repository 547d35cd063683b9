"""Inputs and outcome of a tally: projects, a budget, ballots, and what a rule selected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain, repeat
from operator import getitem, itemgetter, methodcaller
from typing import TYPE_CHECKING, NoReturn, TypeAlias, cast

if TYPE_CHECKING:
    from ballots.tally.rules import TallyRule

Ballot: TypeAlias = Mapping[str, int]
"""Project id -> weight: 1 for each approval, the points given on a cumulative ballot."""

_VALUES = methodcaller("values")
_ITEMS = methodcaller("items")
_FIRST = itemgetter(0)
_SECOND = itemgetter(1)


class TallyError(ValueError):
    """The inputs of a tally or its rule are invalid."""


class UnknownProjectError(TallyError):
    """A ballot names a project that is not on the list."""


class InvalidRuleError(TallyError):
    """A tally rule is malformed or names something civica does not implement."""


@dataclass(frozen=True, slots=True)
class Project:
    """A costed project; `cost` is in the scope's money unit (civica: cents)."""

    id: str
    cost: int


@dataclass(frozen=True)
class Outcome:
    """What a rule selected, with the counts and the rule that produced it."""

    winners: tuple[str, ...]
    """Project ids in selection order."""
    total_cost: int
    budget: int
    votes: Mapping[str, int]
    """Per project: how many ballots name it (with a positive weight)."""
    scores: Mapping[str, int]
    """Per project: the sum of weights (votes for approvals, points for cumulative ballots)."""
    rule: TallyRule
    voter_budget: Fraction | None = None
    """Method of Equal Shares: the per-voter budget of the run that gave the outcome."""
    added_by_completion: tuple[str, ...] = field(default=())
    """Method of Equal Shares: winners added by the greedy completion, in order."""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (ids as given, money as integers, the voter budget as 'p/q')."""
        return {
            "rule": self.rule.as_dict(),
            "winners": list(self.winners),
            "total_cost": self.total_cost,
            "budget": self.budget,
            "votes": dict(self.votes),
            "scores": dict(self.scores),
            "voter_budget": None if self.voter_budget is None else str(self.voter_budget),
            "added_by_completion": list(self.added_by_completion),
        }


@dataclass(frozen=True, slots=True)
class BallotSummary:
    """What one look over the ballots tells: the projects they name, votes, points, weights."""

    named: AbstractSet[str]
    """Every project id some ballot names (with any weight, even 0)."""
    votes: Mapping[str, int]
    """Per project id named with a positive weight: how many ballots do."""
    scores: Mapping[str, int]
    """Per project id named with a positive weight: the sum of its weights."""
    weights: frozenset[int]
    """The distinct weights given."""

    @property
    def approvals_only(self) -> bool:
        """Whether every weight is 1 (approval, choose-1 and ordinal ballots)."""
        return self.weights <= {1}


@dataclass(frozen=True, slots=True)
class BallotIndex:
    """The ballots turned around: per project id, which ballots give it a positive weight."""

    supporters: Mapping[str, list[int]]
    """Per project id: the positions of the ballots that give it a positive weight, ascending."""
    weights: Mapping[str, list[int]]
    """Per project id: the weight each of those ballots gives it."""
    ballots: int
    """How many ballots there are."""
    summary: BallotSummary


def summarise(ballots: Sequence[Ballot]) -> BallotSummary:
    """Count the ballots, whose weights must be non-negative integers (this is not checked)."""
    return _summary(_pairs(ballots))


def index_ballots(ballots: Sequence[Ballot]) -> BallotIndex:
    """Turn the ballots around and count them (weights are not checked, see `check_and_index`).

    One pass in Python, where `summarise` counts in C: worth it only where the supporters of
    each project are needed anyway (a single run of the Method of Equal Shares).
    """
    supporters, weights, given = _turn_around(ballots, set(chain.from_iterable(ballots)))
    return _index(ballots, supporters, weights, frozenset(cast("list[int]", given)))


def _turn_around(
    ballots: Sequence[Ballot], named: Iterable[str]
) -> tuple[dict[str, list[int]], dict[str, list[object]] | None, list[object]]:
    """Per project id of `named`: the positions of the ballots naming it (with any weight), and
    their weights unless the first ballot gives only weights of 1 (then None: approval ballots
    need none); and every weight given. A ballot naming a project not in `named` raises KeyError.
    """
    supporters: dict[str, list[int]] = {project_id: [] for project_id in named}
    if ballots and set(ballots[0].values()) <= {1}:
        given: list[object] = []
        extend = given.extend
        for position, ballot in enumerate(ballots):
            extend(ballot.values())
            for project_id in ballot:
                supporters[project_id].append(position)
        return supporters, None, given
    weights: dict[str, list[object]] = {project_id: [] for project_id in supporters}
    for position, ballot in enumerate(ballots):
        for project_id, weight in ballot.items():
            supporters[project_id].append(position)
            weights[project_id].append(weight)
    return supporters, weights, list(chain.from_iterable(weights.values()))


def _index(
    ballots: Sequence[Ballot],
    supporters: dict[str, list[int]],
    weights_given: dict[str, list[object]] | None,
    given: frozenset[int],
) -> BallotIndex:
    """The index of `_turn_around`'s lists, whose weights are `given` (0 meaning none)."""
    named = {project_id for project_id, positions in supporters.items() if positions}
    weights: dict[str, list[int]]
    if given <= {1}:
        supporters = {project_id: supporters[project_id] for project_id in named}
        weights = {project_id: [1] * len(positions) for project_id, positions in supporters.items()}
    else:
        if weights_given is None:  # the first ballot looked like an approval ballot
            weights = {
                pid: list(map(getitem, map(ballots.__getitem__, positions), repeat(pid)))
                for pid, positions in supporters.items()
            }
        else:
            weights = cast("dict[str, list[int]]", weights_given)
        if 0 in given:
            for project_id, ws in weights.items():
                kept = [(k, w) for k, w in zip(supporters[project_id], ws, strict=True) if w]
                supporters[project_id] = [k for k, _ in kept]
                weights[project_id] = [w for _, w in kept]
        supporters = {project_id: ks for project_id, ks in supporters.items() if ks}
        weights = {project_id: weights[project_id] for project_id in supporters}
    votes = dict(zip(supporters, map(len, supporters.values()), strict=True))
    scores = votes if given <= {1} else dict(zip(weights, map(sum, weights.values()), strict=True))
    summary = BallotSummary(named, votes, scores, given)
    return BallotIndex(supporters, weights, len(ballots), summary)


def _pairs(ballots: Sequence[Ballot]) -> Counter[tuple[str, int]]:
    """How many ballots give each (project id, weight)."""
    return Counter(chain.from_iterable(map(_ITEMS, ballots)))


def _summary(pairs: Counter[tuple[str, int]]) -> BallotSummary:
    votes: dict[str, int] = {}
    scores: dict[str, int] = {}
    for (project_id, weight), count in pairs.items():
        if weight > 0:
            votes[project_id] = votes.get(project_id, 0) + count
            scores[project_id] = scores.get(project_id, 0) + weight * count
    named = set(map(_FIRST, pairs))
    return BallotSummary(named, votes, scores, frozenset(map(_SECOND, pairs)))


def check_inputs(
    projects: Sequence[Project], budget: int, ballots: Sequence[Ballot]
) -> BallotSummary:
    """Raise `TallyError` unless ids are unique, money non-negative and ballots name projects.

    Returns the ballots' summary, counted on the way.
    """
    known = _check_projects(projects, budget)
    # Every weight's type, not only the distinct pairs': True and 1.0 equal 1 and would hide.
    if set(map(type, chain.from_iterable(map(_VALUES, ballots)))) <= {int}:
        summary = _summary(_pairs(ballots))
        if min(summary.weights, default=0) >= 0 and summary.named <= known:
            return summary
    _explain_ballots(ballots, known)


def check_and_index(
    projects: Sequence[Project], budget: int, ballots: Sequence[Ballot]
) -> BallotIndex:
    """`check_inputs` (every weight is checked), returning the ballots turned around."""
    known = _check_projects(projects, budget)
    try:
        supporters, weights, given = _turn_around(ballots, known)
    except KeyError:
        _explain_ballots(ballots, known)
    if set(map(type, given)) <= {int}:
        distinct = frozenset(cast("list[int]", given))
        if min(distinct, default=0) >= 0:
            return _index(ballots, supporters, weights, distinct)
    _explain_ballots(ballots, known)


def _check_projects(projects: Sequence[Project], budget: int) -> set[str]:
    """The project ids, once the budget, the ids and the costs are checked."""
    if _not_count(budget):
        raise TallyError(f"budget must be a non-negative integer, got {budget!r}")
    known = {project.id for project in projects}
    costs = [project.cost for project in projects]
    if len(known) < len(projects) or "" in known or not _all_counts(costs):
        _explain_projects(projects)
    return known


def _explain_ballots(ballots: Sequence[Ballot], known: AbstractSet[str]) -> NoReturn:
    for index, ballot in enumerate(ballots):
        for project_id, weight in ballot.items():
            if project_id not in known:
                raise UnknownProjectError(f"ballot {index} names unknown project {project_id!r}")
            if _not_count(weight):
                raise TallyError(f"ballot {index} gives {project_id!r} a weight of {weight!r}")
    raise AssertionError("unreachable")  # pragma: no cover


def _explain_projects(projects: Sequence[Project]) -> NoReturn:
    known: set[str] = set()
    for project in projects:
        if not project.id:
            raise TallyError("a project has an empty id")
        if project.id in known:
            raise TallyError(f"project id {project.id!r} appears twice")
        if _not_count(project.cost):
            raise TallyError(f"cost of project {project.id!r} must be a non-negative integer")
        known.add(project.id)
    raise AssertionError("unreachable")  # pragma: no cover


def only_approvals(ballots: Sequence[Ballot]) -> bool:
    """Whether every weight on every ballot is 1 (approval, choose-1 and ordinal ballots)."""
    return set(chain.from_iterable(map(_VALUES, ballots))) <= {1}


def _all_counts(values: Sequence[object]) -> bool:
    """Whether every value is a non-negative int (not a bool)."""
    return set(map(type, values)) <= {int} and min(cast("list[int]", values), default=0) >= 0


def _not_count(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int) or value < 0
