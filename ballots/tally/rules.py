"""The declared tally rule of a scope, and the one entry point that applies it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias, cast

from ballots.tally.counts import count_votes
from ballots.tally.greedy import select_greedy
from ballots.tally.mes import COMPLETIONS, UTILITIES, Completion, Utilities, equal_shares
from ballots.tally.model import (
    Ballot,
    InvalidRuleError,
    Outcome,
    Project,
    check_and_index,
    check_inputs,
)
from ballots.tally.tiebreak import TieBreak

RuleName: TypeAlias = Literal["greedy", "greedy-stop", "mes"]
RULES: Final[tuple[RuleName, ...]] = ("greedy", "greedy-stop", "mes")


@dataclass(frozen=True, slots=True)
class TallyRule:
    """A rule as published in the election record; its names are part of the record format.

    - `greedy`: most votes first, skip a project that does not fit and continue.
    - `greedy-stop`: most votes first, stop at the first project that does not fit.
    - `mes`: Method of Equal Shares with `utilities` and `completion`; an Add1 completion raises
      every voter's budget by `add1_step` money units per step (1 unless declared otherwise).
    Projects with fewer than `min_votes` votes (points, for cumulative ballots) are not eligible.
    """

    rule: RuleName = "mes"
    completion: Completion | None = None
    utilities: Utilities | None = None
    min_votes: int = 0
    tie_break: TieBreak = field(default_factory=TieBreak)
    add1_step: int = 1

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise InvalidRuleError(f"unknown rule {self.rule!r} (use {', '.join(RULES)})")
        if self.rule == "mes":
            if self.completion is None:
                object.__setattr__(self, "completion", "add1-greedy")
            if self.utilities is None:
                object.__setattr__(self, "utilities", "cost")
            if self.completion not in COMPLETIONS:
                raise InvalidRuleError(
                    f"unknown completion {self.completion!r} (use {', '.join(COMPLETIONS)})"
                )
            if self.utilities not in UTILITIES:
                raise InvalidRuleError(
                    f"unknown utilities {self.utilities!r} (use {', '.join(UTILITIES)})"
                )
        elif self.completion is not None or self.utilities is not None:
            raise InvalidRuleError(f"rule {self.rule!r} takes no completion or utilities")
        if isinstance(self.add1_step, bool) or not isinstance(self.add1_step, int):
            raise InvalidRuleError(f"add1_step must be an integer, got {self.add1_step!r}")
        if self.add1_step < 1:
            raise InvalidRuleError("add1_step must be at least 1")
        if self.add1_step != 1 and not (self.completion or "none").startswith("add1"):
            raise InvalidRuleError("add1_step applies only to an Add1 completion of rule 'mes'")
        if isinstance(self.min_votes, bool) or not isinstance(self.min_votes, int):
            raise InvalidRuleError(f"min_votes must be an integer, got {self.min_votes!r}")
        if self.min_votes < 0:
            raise InvalidRuleError("min_votes cannot be negative")

    def as_dict(self) -> dict[str, object]:
        """The stable, JSON-ready form published in the election record."""
        data: dict[str, object] = {"rule": self.rule}
        if self.rule == "mes":
            data["completion"] = self.completion
            data["utilities"] = self.utilities
            if self.add1_step != 1:
                data["add1_step"] = self.add1_step
        data["min_votes"] = self.min_votes
        data["tie_break"] = self.tie_break.name
        if self.tie_break.seed is not None:
            data["seed"] = self.tie_break.seed
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TallyRule:
        """Read back `as_dict` output, raising `InvalidRuleError` on anything else."""
        allowed = {"rule", "completion", "utilities", "min_votes", "tie_break", "seed", "add1_step"}
        unknown = set(data) - allowed
        if unknown:
            raise InvalidRuleError(f"unknown tally rule field(s): {', '.join(sorted(unknown))}")
        seed = data.get("seed")
        tie_break = data.get("tie_break", "cost-then-id")
        if not isinstance(tie_break, str) or not (seed is None or isinstance(seed, str)):
            raise InvalidRuleError("tie_break and seed must be strings")
        return cls(
            rule=cast(RuleName, data.get("rule")),
            completion=cast("Completion | None", data.get("completion")),
            utilities=cast("Utilities | None", data.get("utilities")),
            min_votes=cast(int, data.get("min_votes", 0)),
            tie_break=TieBreak.parse(tie_break, seed),
            add1_step=cast(int, data.get("add1_step", 1)),
        )

    def describe(self) -> str:
        """One stable line, e.g. `mes completion=add1-greedy utilities=cost tie-break=lexico`."""
        return " ".join(
            str(self.rule) if key == "rule" else f"{key.replace('_', '-')}={value}"
            for key, value in self.as_dict().items()
        )


def tally(
    projects: Sequence[Project],
    budget: int,
    ballots: Sequence[Ballot],
    rule: TallyRule,
) -> Outcome:
    """Apply `rule` to the ballots of one scope and return the winners with the counts."""
    index = None
    if rule.rule == "mes" and rule.completion == "none":
        index = check_and_index(projects, budget, ballots)  # the single run needs it
        summary = index.summary
    else:
        summary = check_inputs(projects, budget, ballots)
    counts = count_votes(projects, ballots, summary)
    ranks = rule.tie_break.ranks(projects)
    eligible = [p for p in projects if counts.scores[p.id] >= rule.min_votes]
    voter_budget = None
    added: tuple[str, ...] = ()
    if rule.rule == "mes":
        assert rule.completion is not None
        assert rule.utilities is not None
        result = equal_shares(
            eligible,
            budget,
            ballots,
            ranks,
            utilities=rule.utilities,
            completion=rule.completion,
            scores=counts.scores,
            add1_step=rule.add1_step,
            index=index,
        )
        winners = result.winners
        voter_budget = result.voter_budget
        added = result.added_by_completion
    else:
        winners = select_greedy(
            eligible, budget, counts.scores, ranks, stop_at_misfit=rule.rule == "greedy-stop"
        )
    cost = {p.id: p.cost for p in projects}
    return Outcome(
        winners=winners,
        total_cost=sum(cost[pid] for pid in winners),
        budget=budget,
        votes=counts.votes,
        scores=counts.scores,
        rule=rule,
        voter_budget=voter_budget,
        added_by_completion=added,
    )
