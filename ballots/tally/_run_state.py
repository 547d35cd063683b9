"""The state of one fixed-budget run of the Method of Equal Shares (`_equal_shares._Run`).

Budget classes with their money (exact numerators, and floats for approval ballots) and the
slopes of its bounds, each voter's class, and per project its supporters counted per class
(`RunState.gather`). Budget class c holds numerators over the common denominator of the round
it was created in (`epoch[c]`); `lift[e]` turns epoch e's numerators into the current
denominator's. `_run_pricing` prices projects from this state, `_run_charging` charges a
purchase to it, and `_equal_shares._Run` selects the winners with both.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from itertools import repeat
from typing import TYPE_CHECKING, Final

from ballots.tally._certificates import Hints, Slack, Tracker
from ballots.tally._pricing import approximate, at_least_tiny
from ballots.tally._trail import Trail

if TYPE_CHECKING:
    from ballots.tally._equal_shares import Engine

DEAD: Final = -1
"""The class of voters with no money left."""


class RunState:
    """The mutable state of one run (see the module's docstring)."""

    def __init__(
        self,
        engine: Engine,
        voter_budget: Fraction,
        tracker: Tracker | None,
        step_size: int = 1,
        slack: Slack | None = None,
        record: Hints | None = None,
    ) -> None:
        self.engine = engine
        self.tracker = tracker
        self.voter_budget = voter_budget
        self.denominator = voter_budget.denominator
        # Every voter's money grows by `step_size` per step: the slope every bound starts from.
        start_slope = step_size * self.denominator if tracker else 0
        self.value = [voter_budget.numerator]
        self.approx = [approximate(voter_budget.numerator, self.denominator)]
        self.floats = engine.approvals_only and self.approx[0] < math.inf
        """Whether prices are found with float approximations (then checked exactly)."""
        self.budget_bits = (voter_budget.numerator // voter_budget.denominator).bit_length() + 1
        """Money numerators have at most this many bits more than the denominator."""
        self.upper = [start_slope]
        self.lower = [start_slope]
        self.epoch = [0]
        self.lift = [1]
        self.class_of = [0] * len(engine.ballot_items) + [DEAD]  # the sentinel's class last
        self.population = [sum(engine.multiplicity)]
        """Per class, untracked approval runs: how many voters it holds."""
        self.members: list[dict[int, int]] = [{} for _ in range(engine.funded_count)]
        self.alive = [0] * engine.funded_count
        """Per project, approval ballots: how many of its supporters had money, as last gathered."""
        self.exact = [False] * engine.funded_count
        """Per project, untracked approval runs: whether its key is its exact price."""
        self.guesses: list[tuple[list[int], int, int]] = [([], 0, 0)] * engine.funded_count
        """Per estimated project: its classes by approximate money, poor classes, able voters."""
        self.price_value: list[Fraction] = [Fraction(0)] * engine.funded_count
        self.price_slope: list[Fraction] = [Fraction(0)] * engine.funded_count
        self.dirty = [True] * engine.funded_count
        self.open = [True] * engine.funded_count
        self.bought: list[int] = []
        self.pristine = True
        """Whether no purchase has moved a voter yet (all are in class 0)."""
        self.slack = slack if self.floats else None
        self.record = record if self.floats else None
        self.trail: Trail | None = None
        """This untracked approval run's classes, recorded for the next run (`_trail`)."""
        self.follow: Trail | None = None
        """The hinting run's trail while every purchase so far moved classes as it did there."""
        self.prior: list[list[int] | None] = [None] * engine.funded_count
        """Per project, as last gathered from `follow`: its classes there by approximate money."""
        if tracker is None and self.record is not None:
            self.trail = self.record.trail = Trail()
        if tracker is None and self.slack is not None:
            self.follow = self.slack.hints.trail
        self.behind = None if self.follow is None else self.follow.classes
        """While `class_of` is not kept up to date: the followed trail's `classes`."""
        self.dry_hint = None if self.follow is None else self.follow.dry
        """How many purchases the followed run made before a voter ran dry, if one did."""

    def gather(self, j: int) -> dict[int, int]:
        """Count j's living supporters per budget class (approvals) or per (class, weight).

        Approval ballots are keyed by class; weighted ballots by class·scale + weight.
        """
        self.prior[j] = None
        if self.pristine:
            self.members[j] = self.engine.initial_members[j]
            self.alive[j] = self.engine.voters_of[j]
            return self.members[j]
        if self.follow is not None:
            found = self.follow.gathers.get((len(self.bought), j))
            if found is not None:
                counts, self.alive[j], self.prior[j] = found
                self.members[j] = counts
                return counts
        if self.behind is not None:
            self.catch_up(len(self.bought))
        class_of = self.class_of
        if self.engine.approvals_only:
            counts = Counter(self.engine.gatherers[j](class_of))
            dead = counts.pop(DEAD) - 1  # the sentinel is always there
            self.members[j] = counts
            self.alive[j] = self.engine.voters_of[j] - dead
            return counts
        scale = self.engine.scale
        multiplicity = self.engine.multiplicity
        members: dict[int, int] = {}
        for k, w in self.engine.supporters[j]:
            c = class_of[k]
            if c != DEAD:
                key = c * scale + w
                members[key] = members.get(key, 0) + multiplicity[k]
        self.members[j] = members
        return members

    def entries(self, j: int) -> list[tuple[int, int, int]]:
        """(class, weight, count) for j's living supporters, as last gathered."""
        if self.engine.approvals_only:
            return list(zip(self.members[j], repeat(1), self.members[j].values()))
        scale = self.engine.scale
        return [(*divmod(key, scale), n) for key, n in self.members[j].items()]

    def money(self, c: int) -> int:
        """Class c's money, as a numerator over the current denominator."""
        return self.value[c] * self.lift[self.epoch[c]]

    def catch_up(self, made: int) -> None:
        """Bring `class_of` up to date after `made` purchases, from the followed trail's."""
        assert self.behind is not None
        if made:
            self.class_of = self.behind[made - 1].copy()
        self.behind = None

    def float_denominator(self) -> float:
        """The denominator as a float to divide money numerators by, or 0.0 if it is too big.

        Money is below the voter budget: the numerators' floats do not overflow while the
        denominator has fewer than 1000 - `budget_bits` bits; then int / float is within a
        relative 3·2^-53 (three roundings) and much cheaper than int / int.
        """
        denominator = self.denominator
        return float(denominator) if denominator.bit_length() < 1000 - self.budget_bits else 0.0

    def add_classes(
        self, values: list[int], uppers: list[int], lowers: list[int], divisor: float = 0.0
    ) -> None:
        """New budget classes in the current epoch: money and the slopes of its bounds.

        Their floats are money / `divisor` (`float_denominator`) unless it is 0.0.
        """
        denominator = self.denominator
        self.value.extend(values)
        if divisor:
            approximations = at_least_tiny([money / divisor for money in values], values)
        else:
            approximations = [approximate(money, denominator) for money in values]
        self.approx.extend(approximations)
        self.upper.extend(uppers)
        self.lower.extend(lowers)
        self.epoch.extend(repeat(len(self.lift) - 1, len(values)))

    def rescale(self, factor: int) -> None:
        """Multiply the common denominator by `factor`, opening a new epoch."""
        if factor == 1:
            return
        self.denominator *= factor
        self.lift = [lift * factor for lift in self.lift]
        self.lift.append(1)
