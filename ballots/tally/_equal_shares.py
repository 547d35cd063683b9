"""The exact engine behind `mes.py`: fixed-budget runs of the Method of Equal Shares.

Voters with the same ballot are one distinct ballot with a multiplicity; distinct ballots with
the same money left form a budget class. Money is kept as integer numerators over one common
denominator per run (rescaled when a price needs it), so that sorting and comparing never
builds a `Fraction`; prices are exact `Fraction`s.

With approval ballots, each class also keeps its money as a float within a relative 3·2^-53
(correctly rounded, or three roundings). Floats only propose: they sort a project's classes,
guess which supporters are too poor to pay the share, and rule out projects whose supporters
certainly hold less than the cost (with a relative margin far above the rounding error). Every
price that decides a purchase is then computed and checked exactly
(`RunPricing.split_approvals`), so floats never decide anything; they spare the exact work for
the supporters who can pay the share, usually most of them. In an untracked run, a project that
is not at the top of the heap is not priced exactly at all: its key is a float lower bound of
its price (`_Run.estimate`), and only when that key reaches the top is the price computed
exactly (`_Run.settle`). Runs of an Add1 search also pass such bounds on to the next step
(`Hints`), with their budget classes (`_trail`).

A run's state is `_run_state.RunState`, its pricing `_run_pricing.RunPricing` and its
purchases `_run_charging.RunCharging`; `_Run` below selects the winners with them.

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
from fractions import Fraction
from itertools import chain, repeat
from typing import Final

from ballots.tally._certificates import Certificate, Hints, Slack, Tracker
from ballots.tally._pricing import (
    approximate,
    at_least_tiny,
    certainly_short,
    lower_share,
    lowered,
    round_up,
)
from ballots.tally._run_charging import RunCharging
from ballots.tally._run_pricing import RunPricing
from ballots.tally._trail import Snapshot, certain_prefix
from ballots.tally.model import Ballot, Project, only_approvals

_ZERO: Final = Fraction(0)


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
        # Per project, a getter of its approvers' classes, one per voter (a ballot repeated by
        # its multiplicity), ending with the sentinel so that it always returns a tuple.
        self.sentinel = len(self.ballot_items)
        """A ballot index past the last, whose class is always dead."""
        self.approvers = [[k for k, _ in sup] for sup in self.supporters]
        multiplicity = self.multiplicity.__getitem__
        self.gatherers = [
            operator.itemgetter(
                *chain.from_iterable(map(repeat, ks, map(multiplicity, ks))), self.sentinel
            )
            for ks in (self.approvers if self.approvals_only else ())
        ]
        self.voters_of = [sum(map(multiplicity, ks)) for ks in self.approvers]
        """Per project, how many voters support it."""
        self.initial_members: list[dict[int, int]] = []
        """Per project, `RunState.gather` before any purchase: every voter is in class 0."""
        for sup, voters in zip(self.supporters, self.voters_of, strict=True):
            if self.approvals_only:
                self.initial_members.append({0: voters})
                continue
            initial: dict[int, int] = {}
            for k, w in sup:
                initial[w] = initial.get(w, 0) + self.multiplicity[k]
            self.initial_members.append(initial)
        named = [[j for j, _ in mapped] for mapped in self.ballot_items]
        self.neighbours = [
            sorted(set(chain.from_iterable(map(named.__getitem__, ks))) - {j})
            for j, ks in enumerate(self.approvers)
        ]
        """Per project, the projects that share a supporter with it (their prices change)."""

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
        hints: Hints | None = None,
        record: Hints | None = None,
    ) -> tuple[int, ...]:
        """Winners (indices) of one MES run where every voter starts with `voter_budget`.

        With `resume`, the purchases it certifies at the tracker's step are replayed (priced,
        not raced) and the projects it dropped by then stay dropped. A tracker's steps raise the
        voter budget by `step_size` money units each. An untracked run takes lower bounds of
        prices from the `hints` of a run at a smaller voter budget; `record` (empty, made for
        this voter budget) collects this run's hints for a later run.
        """
        slack = None
        if hints is not None and tracker is None and hints.voter_budget < voter_budget:
            slack = Slack(hints, voter_budget)
        run = _Run(self, voter_budget, tracker, step_size, slack, record)
        if resume is not None and tracker is not None:
            run.replay(resume)
        return run.select()


class _Run(RunPricing, RunCharging):
    """One run: the selection of winners, over the state, pricing and charging of
    `_run_state`, `_run_pricing` and `_run_charging`."""

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
        if self.tracker is None and self.floats:
            return self.select_approvals()
        engine, tracker = self.engine, self.tracker
        # (price as a float, price, rank, project): the float, correctly rounded, orders
        # unequal floats like the prices; only equal floats compare the exact prices. Every
        # open project is stale at first: price them all before the first pop.
        heap: list[tuple[float, Fraction, int, int]] = []
        for j in range(engine.funded_count):
            if self.open[j]:
                self.reprice(j, heap)
        heapq.heapify(heap)
        while heap:
            j = heapq.heappop(heap)[3]
            if self.dirty[j]:
                self.reprice(j, heap)
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

    def select_approvals(self) -> tuple[int, ...]:
        """`select` for an untracked run on approval ballots, exact only where it matters.

        A stale project is estimated first: its key becomes a float lower bound of its price
        (`estimate`). Only when such a key reaches the top is the price computed exactly
        (`settle`) and pushed back, so a project is bought only once its exact price is the
        smallest key. Keys that are lower bounds tie below exact prices with the same float.
        """
        heap: list[tuple[float, Fraction, int, int]] = []
        slack, exact = self.slack, self.exact
        if slack is not None and self.skip_ahead():
            # Every open project is stale: its key is a lower bound of its price from the hints.
            heap = [
                (slack.bound(j), _ZERO, -1, j)
                for j in range(self.engine.funded_count)
                if self.open[j]
            ]
        else:
            for j in range(self.engine.funded_count):
                if self.open[j]:
                    self.estimate(j, heap)
        heapq.heapify(heap)
        while heap:
            key, _, _, j = heapq.heappop(heap)
            if self.dirty[j]:
                if slack is None or not self.raise_key(j, key, slack, heap):
                    self.estimate(j, heap)
            elif not exact[j]:
                self.settle(j, heap)
            else:
                self.buy(j, _ZERO)
                self.bought.append(j)
        return (*self.engine.free, *self.bought)

    def estimate(self, j: int, heap: list[tuple[float, Fraction, int, int]]) -> None:
        """Push a float lower bound of stale j's price, or drop j if it is unaffordable.

        For any set S of j's supporters (the dead among them), the share they pay is at least
        (cost - money of S) / (supporters outside S), with equality when S is the set of those
        who cannot pay the share; the floats' guess of that set gives the bound.
        """
        self.gather(j)
        cost = self.engine.cost[j]
        self.dirty[j] = False
        if self.likely_short(j) and certainly_short(self.members[j], self.approx, cost):
            self.drop(j)
            return
        order, poor, rest, able = self.guess(j)
        if self.trail is not None and self.trail.recording(len(self.bought)):
            self.trail.gathers[len(self.bought), j] = self.members[j], self.alive[j], order
        if poor == len(order):
            if certainly_short(self.members[j], self.approx, cost):
                self.drop(j)
                return
            self.guesses[j] = order, poor, able
            self.settle(j, heap)
            return
        bound = lower_share(rest, poor, cost) / (able * self.engine.unit[j])
        if self.record is not None:
            self.remember(j, bound, able)
        self.guesses[j] = order, poor, able
        self.exact[j] = False
        heapq.heappush(heap, (bound, _ZERO, -1, j))

    def likely_short(self, j: int) -> bool:
        """Whether the last hinting run found j unaffordable by about this point (a guess)."""
        dropped = self.slack.hints.dropped if self.slack is not None else {}
        return len(self.bought) + 1 >= dropped.get(j, len(self.bought) + 2)

    def drop(self, j: int) -> None:
        """Close unaffordable j (money only falls within a run)."""
        self.open[j] = False
        if self.record is not None:
            self.record.dropped[j] = len(self.bought)
        if self.trail is not None:
            members = self.members[j]
            held = math.fsum(
                map(operator.mul, map(self.approx.__getitem__, members), members.values())
            )
            self.trail.short[j] = round_up(held)

    def skip_ahead(self) -> bool:
        """Start from the followed run's state after its first purchases if they are certain.

        See `_trail`: the state is a `Snapshot` plus the rise in voter budget, a whole number
        of money units; the purchases are certain if `certain_prefix` says so.
        """
        follow, slack = self.follow, self.slack
        if follow is None or slack is None or not follow.snapshots:
            return False
        hints = slack.hints
        engine = self.engine
        funded = engine.funded_count
        limit = follow.snapshots[-1].made
        certain = certain_prefix(
            follow, hints, slack.deltas[0], engine.cost[:funded], engine.voters_of, limit
        )
        usable = [
            s
            for s in follow.snapshots
            if s.made <= certain
            and (self.voter_budget - s.voter_budget).denominator == 1
            and s.voter_budget <= self.voter_budget
        ]
        if not usable:
            return False
        self.restore(usable[-1])
        return True

    def restore(self, snapshot: Snapshot) -> None:
        """Take the followed run's purchases up to `snapshot` and its classes, plus the rise."""
        assert self.slack is not None
        assert self.follow is not None
        hints, follow = self.slack.hints, self.follow
        made = snapshot.made
        rise = int(self.voter_budget - snapshot.voter_budget)
        lift, denominator = snapshot.lift, snapshot.denominator
        own = [denominator // factor for factor in lift]
        """Per epoch, its denominator."""
        epoch = snapshot.epoch
        added = [rise * d for d in own]
        self.value = list(map(operator.add, snapshot.value, map(added.__getitem__, epoch)))
        self.epoch = epoch.copy()
        self.lift = lift.copy()
        self.denominator = denominator
        self.population = snapshot.population.copy()
        limit = 1 << (1000 - self.budget_bits)
        if all(d < limit for d in own):
            divisors = [float(d) for d in own]
            self.approx = list(map(operator.truediv, self.value, map(divisors.__getitem__, epoch)))
        else:
            self.approx = list(map(approximate, self.value, map(own.__getitem__, epoch)))
        self.approx = at_least_tiny(self.approx, self.value)
        self.pristine = False
        for j, share in zip(hints.winners[:made], hints.shares[:made], strict=True):
            self.open[j] = False
            self.bought.append(j)
            self.hint_purchase(j, share)
        deltas = self.slack.deltas
        for j, when in hints.dropped.items():
            if when < made:
                self.open[j] = False
                if self.record is not None:
                    self.record.dropped[j] = when
                if self.trail is not None:
                    held = follow.short[j] + self.engine.voters_of[j] * deltas[when]
                    self.trail.short[j] = round_up(held)
        if self.record is not None:
            for j, bounds in enumerate(hints.bounds):
                self.record.bounds[j] = [
                    (when, lowered(price, slack, deltas[when]), slack)
                    for when, price, slack in bounds
                    if when < made
                ]
        trail = self.trail
        if trail is not None:
            trail.moves = follow.moves[:made]
            trail.classes = follow.classes[:made]
            trail.prices = follow.prices[:made]
            trail.gathers = {key: g for key, g in follow.gathers.items() if key[0] <= made}
            trail.snapshots = [s for s in follow.snapshots if s.made <= made]

    def settle(self, j: int, heap: list[tuple[float, Fraction, int, int]]) -> None:
        """Price estimated j exactly from its guess and push it back, or drop it."""
        need = self.engine.cost[j] * self.denominator
        found = self.confirm(j, need, *self.guesses[j])
        if found is None:
            self.drop(j)
            return
        paid, weight, _ = found
        price = Fraction(need - paid, self.denominator * weight)
        self.price_value[j] = price
        self.exact[j] = True
        key = approximate(price.numerator, price.denominator)
        heapq.heappush(heap, (key, price, self.engine.rank[j], j))

    def raise_key(
        self, j: int, key: float, slack: Slack, heap: list[tuple[float, Fraction, int, int]]
    ) -> bool:
        """Push stale j back at a higher lower bound of its price from `slack`, if it has one.

        The entry stays stale: it ties below every exact price with the same float.
        """
        bound = slack.bound(j)
        if bound <= key:
            return False
        heapq.heappush(heap, (bound, _ZERO, -1, j))
        return True

    def reprice(self, j: int, heap: list[tuple[float, Fraction, int, int]]) -> None:
        """Price a stale project and push it back, or drop it if it is unaffordable."""
        if self.price(j):
            self.dirty[j] = False
            price = self.price_value[j]
            key = approximate(price.numerator, price.denominator)
            heapq.heappush(heap, (key, price, self.engine.rank[j], j))
        else:
            self.drop(j)
            if self.tracker is not None:
                self.tracker.drop(j)

    def require_cheapest(
        self, j: int, ceiling: Fraction, heap: list[tuple[float, Fraction, int, int]]
    ) -> None:
        """Record that j stays cheaper than every other open project (stale prices: bounds).

        A project whose price bound rises at least as fast as j's ceiling stays dearer.
        """
        tracker = self.tracker
        assert tracker is not None
        rank = self.engine.rank
        price = self.price_value[j]
        for _, _, _, q in heap:
            slope = self.price_slope[q]
            if slope < ceiling:
                tracker.require(
                    self.price_value[q] - price, slope - ceiling, strict=rank[q] < rank[j]
                )
