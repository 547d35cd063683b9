"""The exact engine behind `mes.py`: fixed-budget runs of the Method of Equal Shares.

Voters with the same ballot are one distinct ballot with a multiplicity; distinct ballots with
the same money left form a budget class. Money is kept as integer numerators over one common
denominator per run (rescaled when a price needs it), so that sorting and comparing never
builds a `Fraction`; prices are exact `Fraction`s.

A run may carry a `Tracker` that certifies the following Add1 steps (voter budget b + s, b + 2s,
... up to a horizon b + Hs, s being the step) which give the same sequence of winners. Along a
fixed sequence of winners, money left only grows and prices only fall as b grows. Each budget
class also carries the slopes of an affine upper and lower bound of its money on [b, b + Hs]
(per step): exact for voters who
pay a share (their payment is bounded with the project's price bounds), the chord of
max(0, x) for voters who paid all they had (they may keep money at a larger b), zero for the
lower bound of those. A price is the maximum, over sets of "poor" supporters, of an affine
function of the money, so the affine function for the poor set found at b, applied to the
upper money bounds, is a lower bound of the price on the whole interval; the winner's price is
bounded above by the chord of its price under the lower money bounds. Every decision of the run
(the winner is the cheapest, a dropped project stays unaffordable) then holds up to the first
step where these bounds allow it to fail. Bounds are rounded outward, never inward. The
`Certificate` keeps, per round, the last step at which the purchases up to that round are
certain; a later run resumes from it by buying those projects again at its own voter budget
(exact prices, no race against the other projects).
"""

from __future__ import annotations

import heapq
import math
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat
from typing import Final

from ballots.tally.model import Ballot, Project, only_approvals

_DEAD: Final = -1


@dataclass(frozen=True)
class Certificate:
    """What a tracked run proves about later steps (step numbers are absolute)."""

    winners: tuple[int, ...]
    """The run's purchases in order (projects of cost 0 excluded)."""
    rounds: tuple[int, ...]
    """rounds[i]: the last step at which the first i + 1 purchases are certainly the same."""
    dropped: Mapping[int, int]
    """Project -> the round (1-based) in which it was found unaffordable."""
    last: int
    """The last step at which the whole outcome is certainly the same."""

    def prefix(self, step: int) -> int:
        """How many leading purchases are certain at `step`."""
        return sum(1 for last in self.rounds if last >= step)


class Tracker:
    """Collects, round by round, the last step at which the run's decisions certainly hold."""

    __slots__ = ("cap", "dropped", "next_step", "reach", "rounds", "step", "winners")

    def __init__(self, step: int, reach: int, cap: int | None = None) -> None:
        self.step = step
        self.reach = reach
        self.cap = step + reach if cap is None else min(cap, step + reach)
        self.next_step: int | None = None
        self.winners: list[int] = []
        self.rounds: list[int] = []
        self.dropped: dict[int, int] = {}

    def require(self, value: int | Fraction, slope: int | Fraction, *, strict: bool) -> None:
        """Record that `value + slope·Δb` must stay > 0 (`strict`) or >= 0 (same denominator)."""
        assert value > 0 if strict else value >= 0, "a recorded decision does not hold"
        if slope >= 0:
            return
        distance = Fraction(value) / -slope
        if strict:
            flip = self.step + max(1, math.ceil(distance))
        else:
            flip = self.step + math.floor(distance) + 1
        if self.next_step is None or flip < self.next_step:
            self.next_step = flip

    def last(self) -> int:
        """The last step at which everything recorded so far certainly holds."""
        return self.cap if self.next_step is None else min(self.cap, self.next_step - 1)

    def bought(self, j: int, inherited: int | None = None) -> None:
        """Close a round; a replayed round keeps the certificate of the run it came from."""
        self.winners.append(j)
        self.rounds.append(self.last() if inherited is None else min(inherited, self.cap))

    def drop(self, j: int, round_number: int | None = None) -> None:
        self.dropped[j] = len(self.winners) + 1 if round_number is None else round_number

    def certificate(self) -> Certificate:
        return Certificate(tuple(self.winners), tuple(self.rounds), self.dropped, self.last())


class Engine:
    """Projects and distinct ballots prepared once, for many runs at different voter budgets."""

    def __init__(
        self,
        projects: Sequence[Project],
        ballots: Sequence[Ballot],
        ranks: Mapping[str, int],
        utilities_are_costs: bool,
    ) -> None:
        known = {p.id for p in projects}
        distinct: dict[tuple[tuple[str, int], ...], int] = {}
        if only_approvals(ballots):
            for approved, count in Counter(map(frozenset, ballots)).items():
                items = tuple(zip(sorted(approved & known), repeat(1)))
                distinct[items] = distinct.get(items, 0) + count
        else:
            for shape, count in Counter(frozenset(b.items()) for b in ballots).items():
                items = tuple(sorted((pid, w) for pid, w in shape if w > 0 and pid in known))
                distinct[items] = distinct.get(items, 0) + count
        supported = {pid for items in distinct for pid, _ in items}
        funded = [p for p in projects if p.cost > 0 and p.id in supported]
        free = sorted(
            (p for p in projects if p.cost == 0 and p.id in supported), key=lambda p: ranks[p.id]
        )
        self.voters = len(ballots)
        self.ids = [p.id for p in funded] + [p.id for p in free]
        self.free = tuple(range(len(funded), len(funded) + len(free)))
        self.cost = [p.cost for p in funded] + [0] * len(free)
        self.unit = [p.cost if utilities_are_costs else 1 for p in funded]
        self.rank = [ranks[p.id] for p in funded]
        index = {p.id: j for j, p in enumerate(funded)}
        weights = {w for items in distinct for _, w in items} or {1}
        self.scale = 1 + max(weights)
        common = math.lcm(*weights)
        self.sort_factor = {w: common // w for w in weights}
        self.ballot_items: list[tuple[tuple[int, int], ...]] = []
        self.multiplicity: list[int] = []
        self.supporters: list[list[tuple[int, int]]] = [[] for _ in funded]
        for items, count in distinct.items():
            mapped = tuple((index[pid], w) for pid, w in items if pid in index)
            if not mapped:
                continue
            k = len(self.ballot_items)
            self.ballot_items.append(mapped)
            self.multiplicity.append(count)
            for j, w in mapped:
                self.supporters[j].append((k, w))
        self.approvals_only = weights == {1}
        self.gatherers = [
            operator.itemgetter(*[k for k, _ in sup for _ in range(self.multiplicity[k])], -1)
            for sup in (self.supporters if self.approvals_only else ())
        ]
        neighbours: list[set[int]] = [set() for _ in funded]
        for mapped in self.ballot_items:
            named = [j for j, _ in mapped]
            for j in named:
                neighbours[j].update(named)
        self.neighbours = [sorted(n - {j}) for j, n in enumerate(neighbours)]

    @property
    def funded_count(self) -> int:
        """Projects MES can buy: supported and with a positive cost."""
        return len(self.unit)

    def names(self, outcome: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(self.ids[j] for j in outcome)

    def cost_of(self, outcome: tuple[int, ...]) -> int:
        return sum(self.cost[j] for j in outcome)

    def is_exhaustive(self, outcome: tuple[int, ...], budget: int) -> bool:
        """No supported project outside the outcome fits in what is left (pabutools' test)."""
        left = budget - self.cost_of(outcome)
        chosen = set(outcome)
        return all(self.cost[j] > left for j in range(self.funded_count) if j not in chosen)

    def run(
        self,
        voter_budget: Fraction,
        tracker: Tracker | None = None,
        resume: Certificate | None = None,
        step_size: int = 1,
    ) -> tuple[int, ...]:
        """Winners (indices) of one MES run where every voter starts with `voter_budget`.

        With `resume`, the purchases it certifies at the tracker's step are replayed (priced,
        not raced) and the projects it dropped by then stay dropped. A tracker's steps raise the
        voter budget by `step_size` money units each.
        """
        run = _Run(self, voter_budget, tracker, step_size)
        if resume is not None and tracker is not None:
            run.replay(resume)
        return run.select()


class _Run:
    """The mutable state of one run.

    Budget class c holds numerators over the common denominator of the round it was created in
    (`epoch[c]`); `lift[e]` turns epoch e's numerators into the current denominator's.
    """

    def __init__(
        self, engine: Engine, voter_budget: Fraction, tracker: Tracker | None, step_size: int = 1
    ) -> None:
        self.engine = engine
        self.tracker = tracker
        self.denominator = voter_budget.denominator
        # Every voter's money grows by `step_size` per step: the slope every bound starts from.
        start_slope = step_size * self.denominator if tracker else 0
        self.value = [voter_budget.numerator]
        self.upper = [start_slope]
        self.lower = [start_slope]
        self.epoch = [0]
        self.lift = [1]
        self.class_of = [0] * len(engine.ballot_items)
        self.members: list[dict[int, int]] = [{} for _ in range(engine.funded_count)]
        self.price_value: list[Fraction] = [Fraction(0)] * engine.funded_count
        self.price_slope: list[Fraction] = [Fraction(0)] * engine.funded_count
        self.dirty = [True] * engine.funded_count
        self.open = [True] * engine.funded_count
        self.bought: list[int] = []

    def replay(self, resume: Certificate) -> None:
        """Buy the purchases `resume` certifies at this step, in order, without a race."""
        tracker = self.tracker
        assert tracker is not None
        certain = resume.prefix(tracker.step)
        for j, round_number in resume.dropped.items():
            if round_number <= certain:
                self.open[j] = False
                tracker.drop(j, round_number)
        for j, inherited in zip(resume.winners[:certain], resume.rounds, strict=False):
            affordable = self.price(j)
            assert affordable, "a certified purchase is unaffordable"
            self.buy(j, self.ceiling_slope(j))
            self.bought.append(j)
            tracker.bought(j, inherited)
        if certain:
            tracker.cap = min(tracker.cap, resume.rounds[certain - 1])

    def select(self) -> tuple[int, ...]:
        engine, tracker = self.engine, self.tracker
        heap = [
            (Fraction(0), engine.rank[j], j) for j in range(engine.funded_count) if self.open[j]
        ]
        heapq.heapify(heap)
        while heap:
            _, rank, j = heapq.heappop(heap)
            if self.dirty[j]:
                if self.price(j):
                    self.dirty[j] = False
                    heapq.heappush(heap, (self.price_value[j], rank, j))
                else:
                    self.open[j] = False
                    if tracker is not None:
                        tracker.drop(j)
                continue
            ceiling = Fraction(0)
            if tracker is not None:
                ceiling = self.ceiling_slope(j)
                self.require_cheapest(j, ceiling, heap)
            self.buy(j, ceiling)
            self.bought.append(j)
            if tracker is not None:
                tracker.bought(j)
        return (*self.engine.free, *self.bought)

    def gather(self, j: int) -> dict[int, int]:
        """Count j's supporters per (class, weight), keyed class·scale + weight."""
        scale = self.engine.scale
        class_of = self.class_of
        if self.engine.approvals_only:
            counts = Counter(self.engine.gatherers[j](class_of))
            counts[class_of[-1]] -= 1
            self.members[j] = {c * scale + 1: n for c, n in counts.items() if c != _DEAD and n}
            return self.members[j]
        multiplicity = self.engine.multiplicity
        members: dict[int, int] = {}
        for k, w in self.engine.supporters[j]:
            c = class_of[k]
            if c != _DEAD:
                key = c * scale + w
                members[key] = members.get(key, 0) + multiplicity[k]
        self.members[j] = members
        return members

    def classes(self, j: int, horizon: int = 0) -> list[tuple[int, int, int, int, int]]:
        """(sort key, money, class, weight, count) for j's supporters, sorted by money/weight.

        Money is in the current denominator; with a horizon, the lower bound at b + horizon.
        """
        scale, factor = self.engine.scale, self.engine.sort_factor
        value, lower, epoch, lift = self.value, self.lower, self.epoch, self.lift
        if self.engine.approvals_only and not horizon:
            rows = [
                (money, money, c, 1, count)
                for key, count in self.members[j].items()
                for c in (key >> 1,)
                for money in (value[c] * lift[epoch[c]],)
            ]
            rows.sort()
            return rows
        rows = []
        for key, count in self.members[j].items():
            c, w = divmod(key, scale)
            money = (value[c] + lower[c] * horizon if horizon else value[c]) * lift[epoch[c]]
            rows.append((money * factor[w], money, c, w, count))
        rows.sort()
        return rows

    def price(self, j: int) -> bool:
        """Price j per unit of utility, with a lower bound's slope; False if unaffordable."""
        engine, tracker = self.engine, self.tracker
        need = engine.cost[j] * self.denominator
        self.gather(j)
        rows = self.classes(j)
        money = sum(count * money_c for _, money_c, _, _, count in rows)
        upper, epoch, lift = self.upper, self.epoch, self.lift
        if money < need:
            if tracker:
                rise = sum(count * upper[c] * lift[epoch[c]] for _, _, c, _, count in rows)
                tracker.require(need - money, -rise, strict=True)
            return False
        paid, weight, poor = _split(rows, need, engine.unit[j])
        self.price_value[j] = Fraction(need - paid, self.denominator * weight)
        if tracker:
            rise = sum(count * upper[c] * lift[epoch[c]] for _, _, c, _, count in rows[:poor])
            self.price_slope[j] = Fraction(-rise, self.denominator * weight)
        return True

    def ceiling_slope(self, j: int) -> Fraction:
        """Slope of the chord, over the horizon, of j's price under the lower money bounds."""
        assert self.tracker is not None
        horizon = self.tracker.reach
        need = self.engine.cost[j] * self.denominator
        paid, weight, _ = _split(self.classes(j, horizon), need, self.engine.unit[j])
        at_horizon = Fraction(need - paid, self.denominator * weight)
        return (at_horizon - self.price_value[j]) / horizon

    def require_cheapest(
        self, j: int, ceiling: Fraction, heap: list[tuple[Fraction, int, int]]
    ) -> None:
        """Record that j stays cheaper than every other open project (stale prices: bounds)."""
        assert self.tracker is not None
        rank = self.engine.rank
        price = self.price_value[j]
        for _, _, q in heap:
            self.tracker.require(
                self.price_value[q] - price,
                self.price_slope[q] - ceiling,
                strict=rank[q] < rank[j],
            )

    def buy(self, j: int, ceiling: Fraction) -> None:
        """Charge j's supporters, move them to new budget classes, mark neighbours stale."""
        engine, tracker = self.engine, self.tracker
        unit = engine.unit[j]
        price = self.price_value[j]
        self.rescale(
            price.denominator
            // math.gcd(price.denominator, price.numerator * unit * self.denominator)
        )
        denominator = self.denominator
        share = price.numerator * unit * denominator // price.denominator
        slope_num, slope_den = self.price_slope[j].as_integer_ratio()
        ceiling_num, ceiling_den = ceiling.as_integer_ratio()
        value, upper_of, lower_of, epoch, lift = (
            self.value,
            self.upper,
            self.lower,
            self.epoch,
            self.lift,
        )
        moved: dict[int, int] = {}
        for key in self.members[j]:
            c, w = divmod(key, engine.scale)
            raise_to_now = lift[epoch[c]]
            left = value[c] * raise_to_now - share * w
            if tracker is None:
                moved[key] = self.new_class(left, 0, 0) if left > 0 else _DEAD
                continue
            utility = w * unit * denominator
            upper = upper_of[c] * raise_to_now - (slope_num * utility) // slope_den
            if left < 0:
                at_horizon = left + upper * tracker.reach
                chord = -(-at_horizon // tracker.reach) if at_horizon > 0 else 0
                moved[key] = self.new_class(0, chord, 0)
            else:
                lower = lower_of[c] * raise_to_now + (-ceiling_num * utility) // ceiling_den
                moved[key] = self.new_class(left, upper, lower)
        self.open[j] = False
        scale = engine.scale
        class_of = self.class_of
        for k, w in engine.supporters[j]:
            c = class_of[k]
            if c != _DEAD:
                class_of[k] = moved[c * scale + w]
        dirty = self.dirty
        for q in engine.neighbours[j]:
            dirty[q] = True

    def new_class(self, value: int, upper: int, lower: int) -> int:
        if not value and not upper:
            return _DEAD
        self.value.append(value)
        self.upper.append(upper)
        self.lower.append(lower)
        self.epoch.append(len(self.lift) - 1)
        return len(self.value) - 1

    def rescale(self, factor: int) -> None:
        """Multiply the common denominator by `factor`, opening a new epoch."""
        if factor == 1:
            return
        self.denominator *= factor
        self.lift = [lift * factor for lift in self.lift]
        self.lift.append(1)


def _split(
    rows: list[tuple[int, int, int, int, int]], need: int, unit: int
) -> tuple[int, int, int]:
    """For sorted classes: (money of the poor, utility of the rest, number of poor classes).

    The price per unit of utility is (need - poor money) / (denominator · rest utility); a class
    is poor when its money is below what it would pay at that price.
    """
    weight = sum(w * count for _, _, _, w, count in rows) * unit
    paid = 0
    for position, (_, money, _, w, count) in enumerate(rows):
        if (need - paid) * unit * w <= money * weight:
            return paid, weight, position
        paid += count * money
        weight -= count * w * unit
    raise AssertionError("priced a project its supporters cannot pay for")
