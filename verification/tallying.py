"""The one place the record code meets the tally rules of `ballots.tally`.

The election record names projects by integer id and money in cents; `ballots.tally` takes
string ids (so that pabulib files keep theirs). This adapter converts both ways, so the close
and the verifier apply exactly the same rules to exactly the same ballots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ballots.tally import Project, TallyError, TallyRule, tally


class TallyRuleError(ValueError):
    """A scope's `tally` object is not a rule civica implements, in its one published form."""


@dataclass(frozen=True)
class ScopeOutcome:
    """What a scope's rule selected from its counted ballots."""

    winners: tuple[int, ...]
    """Project ids in order of selection."""
    votes: Mapping[int, int]
    points: Mapping[int, int]
    total_cost_cents: int


def check_tally_rule(data: Mapping[str, Any]) -> None:
    """Raise `TallyRuleError` unless `data` is a valid rule written exactly as published."""
    try:
        rule = TallyRule.from_dict(data)
    except (TallyError, TypeError, ValueError) as error:
        raise TallyRuleError(str(error)) from None
    if rule.as_dict() != dict(data):
        raise TallyRuleError(f"rule is not in its published form {rule.as_dict()}")


def tally_scope(
    rule: Mapping[str, Any],
    projects: Sequence[tuple[int, int]],
    budget_cents: int,
    ballots: Sequence[Sequence[tuple[int, int]]],
) -> ScopeOutcome:
    """Apply a scope's rule to its counted ballots, each a sequence of (project id, points).

    `projects` are (id, cost in cents) pairs. Equal ballots share one converted mapping (the
    rules only read them), which keeps large single-choice scopes cheap.
    """
    converted: dict[Sequence[tuple[int, int]], dict[str, int]] = {}
    as_tally: list[dict[str, int]] = []
    for ballot in ballots:
        mapping = converted.get(ballot)
        if mapping is None:
            mapping = converted[ballot] = {str(project): points for project, points in ballot}
        as_tally.append(mapping)
    outcome = tally(
        [Project(str(project_id), cost) for project_id, cost in projects],
        budget_cents,
        as_tally,
        TallyRule.from_dict(rule),
    )
    return ScopeOutcome(
        winners=tuple(int(project_id) for project_id in outcome.winners),
        votes={int(project_id): count for project_id, count in outcome.votes.items()},
        points={int(project_id): score for project_id, score in outcome.scores.items()},
        total_cost_cents=outcome.total_cost,
    )
