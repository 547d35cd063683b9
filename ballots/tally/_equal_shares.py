"""The exact engine behind `mes.py`: fixed-budget runs of the Method of Equal Shares.

Voters with the same ballot are one distinct ballot with a multiplicity; distinct ballots with
the same money left form a budget class. Money is kept as integer numerators over one common
denominator per run (rescaled when a price needs it), so that sorting and comparing never
builds a `Fraction`; prices are exact `Fraction`s.

With approval ballots, each class also keeps its money as a float within a relative 3·2^-53
(correctly rounded, or three roundings). Floats only propose: they sort a project's classes,
guess which supporters are too poor to pay the share, and rule out projects whose supporters
certainly hold less than the cost (with a relative margin far above the rounding error). Every
price that decides a purchase is then computed and checked exactly (`_Run.split_approvals`), so
floats never decide anything; they spare the exact work for the supporters who can pay the
share, usually most of them. In an
untracked run, a project that is not at the top of the heap is not priced exactly at all:
its key is a float lower bound of its price (`_Run.estimate`), and only when that key reaches
the top is the price computed exactly (`_Run.settle`). Runs of an Add1 search also pass such
bounds on to the next step (`Hints`), with their budget classes (`_trail`).

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
import itertools
import math
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import chain, repeat
from typing import Final

from ballots.tally._certificates import Certificate, Hints, Slack, Tracker
from ballots.tally._pricing import (
    MARGIN,
    TINY,
    Row,
    approximate,
    at_least_tiny,
    certainly_short,
    exact_money,
    lower_share,
    lowered,
    round_up,
    split_rows,
    walk_approximately,
    walk_classes,
)
from ballots.tally._trail import SNAPSHOT_EVERY, Snapshot, Trail, certain_prefix
from ballots.tally.model import Ballot, Project, only_approvals

_DEAD: Final = -1
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
        """Per project, `_Run.gather` before any purchase: every voter is in class 0."""
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


class _Run:
    """The mutable state of one run.

    Budget class c holds numerators over the common denominator of the round it was created in
    (`epoch[c]`); `lift[e]` turns epoch e's numerators into the current denominator's.
    """

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
        self.class_of = [0] * len(engine.ballot_items) + [_DEAD]  # the sentinel's class last
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
            dead = counts.pop(_DEAD) - 1  # the sentinel is always there
            self.members[j] = counts
            self.alive[j] = self.engine.voters_of[j] - dead
            return counts
        scale = self.engine.scale
        multiplicity = self.engine.multiplicity
        members: dict[int, int] = {}
        for k, w in self.engine.supporters[j]:
            c = class_of[k]
            if c != _DEAD:
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

    def classes(self, j: int, horizon: int = 0) -> list[Row]:
        """(sort key, class, weight, count) for j's supporters, sorted by exact money/weight.

        Money is in the current denominator; with a horizon, the lower bound at b + horizon.
        """
        factor = self.engine.sort_factor
        value, lower, epoch, lift = self.value, self.lower, self.epoch, self.lift
        rows: list[Row] = []
        for c, w, count in self.entries(j):
            money = (value[c] + lower[c] * horizon) * lift[epoch[c]]
            rows.append(((money * factor[w], money, c, w), c, w, count))
        rows.sort()
        return rows

    def split(self, j: int, need: int) -> tuple[int, int, list[tuple[int, int]]] | None:
        """`split_rows` of j's supporters: (poor money, rest utility, poor (class, count)) or None.

        The poor classes are listed in tracked runs only (their bounds need them).
        """
        if self.floats:
            return self.split_approvals(j, need)
        rows = self.classes(j)
        found = split_rows(rows, need, self.engine.unit[j], self.money)
        if found is None:
            return None
        paid, weight, poor = found
        return paid, weight, [(c, count) for _, c, _, count in rows[:poor]]

    def split_approvals(self, j: int, need: int) -> tuple[int, int, list[tuple[int, int]]] | None:
        """`split` for approval ballots: found with floats, checked exactly.

        The classes are sorted by their approximations (`approximate`) and `split_rows`'s walk runs
        in floats; that only proposes a set P of poor classes. Exactly: the share
        s = (need - money of P) / (denominator · voters outside P) is j's price per voter if
        every class in P has money < s and every other class money >= s (then the supporters
        pay exactly `need` at s and less below it). Approximations and float(s) are within a
        relative 3·2^-53 of the exact values, so a class whose approximation is more than a
        relative 1e-12 away from float(s) is on the side the floats put it; the few closer
        ones are compared exactly. If a check fails, the classes are sorted exactly and
        walked exactly.
        """
        order, poor, _, able = self.guess(j)
        if poor == len(order) and certainly_short(
            self.members[j], self.approx, self.engine.cost[j]
        ):
            return None
        return self.confirm(j, need, order, poor, able)

    def guess(self, j: int) -> tuple[list[int], int, float, int]:
        """j's classes by approximate money, and the walk in floats: (order, poor, rest, able).

        order[:poor] are the classes the floats find poor, `rest` the cost minus their money
        (float, money units), `able` how many supporters remain.
        """
        prior = self.prior[j]
        order = sorted(self.members[j] if prior is None else prior, key=self.approx.__getitem__)
        poor, rest, able = walk_approximately(
            order, self.members[j], self.approx, self.engine.cost[j], self.alive[j]
        )
        return order, poor, rest, able

    def confirm(
        self, j: int, need: int, order: list[int], poor: int, able: int
    ) -> tuple[int, int, list[tuple[int, int]]] | None:
        """`split_approvals` from a guess: checked exactly, or redone exactly if it is wrong."""
        members = self.members[j]
        value, epoch, lift = self.value, self.epoch, self.lift
        paid = exact_money(order[:poor], members, value, epoch, lift)
        if poor == len(order):
            if paid < need:
                return None
        elif self.consistent(order, poor, need - paid, able):
            return paid, able * self.engine.unit[j], self.poor(order[:poor], members)
        order.sort(key=lambda c: (value[c] * lift[epoch[c]], c))
        found = walk_classes(order, members, need, self.engine.unit[j], self.money)
        if found is None:
            return None
        paid, weight, poor = found
        return paid, weight, self.poor(order[:poor], members)

    def poor(self, classes: list[int], members: Mapping[int, int]) -> list[tuple[int, int]]:
        """(class, count) of the poor classes, which only a tracked run needs."""
        return [(c, members[c]) for c in classes] if self.tracker else []

    def consistent(self, order: list[int], poor: int, rest: int, voters: int) -> bool:
        """Whether order[:poor] hold less money than the share they imply, and the others not.

        The share is rest / (denominator · voters), `rest` being need minus the money of
        order[:poor] and `voters` how many supporters are outside them.
        """
        share = approximate(rest, self.denominator * voters)
        if not TINY < share < math.inf:
            return False
        low, high = share * (1 - MARGIN), share * (1 + MARGIN)
        approx, money = self.approx, self.money
        for c in reversed(order[:poor]):
            if approx[c] < low:
                break
            if money(c) * voters >= rest:
                return False
        for c in itertools.islice(order, poor, None):
            if approx[c] > high:
                break
            if money(c) * voters < rest:
                return False
        return True

    def price(self, j: int) -> bool:
        """Price j per unit of utility, with a lower bound's slope; False if unaffordable."""
        engine, tracker = self.engine, self.tracker
        need = engine.cost[j] * self.denominator
        self.gather(j)
        found = self.split(j, need)
        upper, epoch, lift = self.upper, self.epoch, self.lift
        if found is None:
            if tracker:
                entries = self.entries(j)
                money = sum(count * self.money(c) for c, _, count in entries)
                rise = sum(count * upper[c] * lift[epoch[c]] for c, _, count in entries)
                tracker.require(need - money, -rise, strict=True)
            return False
        paid, weight, poor = found
        self.price_value[j] = Fraction(need - paid, self.denominator * weight)
        if self.record is not None:
            price = self.price_value[j]
            bound = approximate(price.numerator, price.denominator) * (1 - MARGIN)
            self.remember(j, bound, weight // self.engine.unit[j])
        if tracker:
            rise = sum(count * upper[c] * lift[epoch[c]] for c, count in poor)
            self.price_slope[j] = Fraction(-rise, self.denominator * weight)
        return True

    def remember(self, j: int, price: float, able: int) -> None:
        """Record a float lower bound of j's price as a hint (`able` supporters can pay)."""
        assert self.record is not None
        slack = (self.engine.voters_of[j] - able) / (able * self.engine.unit[j])
        self.record.bounds[j].append((len(self.bought), price, slack))

    def ceiling_slope(self, j: int) -> Fraction:
        """Slope of the chord, over the horizon, of j's price under the lower money bounds."""
        assert self.tracker is not None
        horizon = self.tracker.reach
        need = self.engine.cost[j] * self.denominator
        value, lower, epoch, lift = self.value, self.lower, self.epoch, self.lift
        unit = self.engine.unit[j]
        if self.engine.approvals_only:
            members = self.members[j]
            money = {c: (value[c] + lower[c] * horizon) * lift[epoch[c]] for c in members}
            found = walk_classes(
                sorted(members, key=money.__getitem__), members, need, unit, money.__getitem__
            )
        else:
            found = split_rows(
                self.classes(j, horizon),
                need,
                unit,
                lambda c: (value[c] + lower[c] * horizon) * lift[epoch[c]],
            )
        assert found is not None, "the lower money bounds cannot pay for a purchase"
        paid, weight, _ = found
        at_horizon = Fraction(need - paid, self.denominator * weight)
        return (at_horizon - self.price_value[j]) / horizon

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

    def buy(self, j: int, ceiling: Fraction) -> None:
        """Charge j's supporters, move them to new budget classes, mark neighbours stale."""
        self.pristine = False
        engine = self.engine
        unit = engine.unit[j]
        price = self.price_value[j]
        self.rescale(
            price.denominator
            // math.gcd(price.denominator, price.numerator * unit * self.denominator)
        )
        share = price.numerator * unit * self.denominator // price.denominator
        if self.record is not None or self.slack is not None:
            self.hint_purchase(j, approximate(price.numerator * unit, price.denominator))
        if self.tracker is None and self.floats:
            self.charge_approvals(j, share)
        else:
            self.charge(j, share, ceiling)
        self.open[j] = False
        dirty = self.dirty
        for q in engine.neighbours[j]:
            dirty[q] = True

    def hint_purchase(self, j: int, share: float) -> None:
        """Follow a purchase and its share per supporter in `record` and `slack`."""
        if self.record is not None:
            self.record.winners.append(j)
            self.record.shares.append(share)
        if self.slack is not None:
            self.slack.bought(j, share)

    def charge_approvals(self, j: int, share: int) -> None:
        """Untracked run, approval ballots: every class of j's supporters pays `share` or all.

        A class whose voters all support j pays in place. Otherwise its voters who keep money
        move to a new class (its money is known exactly). Those who pay all they have are dead.
        The bounds' slopes (`upper`, `lower`) are not kept: only tracked runs read them.
        """
        value, epoch, lift, approx = self.value, self.epoch, self.lift, self.approx
        population = self.population
        now = len(lift) - 1
        denominator = self.denominator
        scale = self.float_denominator()
        moved: dict[int, int] = {}
        kept: list[int] = []
        first = len(value)
        for c, count in self.members[j].items():
            money = value[c] * lift[epoch[c]] - share
            if count < population[c]:
                population[c] -= count
                if money > 0:
                    moved[c] = first + len(kept)
                    kept.append(money)
                    population.append(count)
                else:
                    moved[c] = _DEAD
            elif money > 0:
                value[c] = money
                epoch[c] = now
                approximation = money / scale if scale else money / denominator
                approx[c] = approximation if approximation > TINY else TINY
            else:
                moved[c] = _DEAD
        value.extend(kept)
        approx.extend(at_least_tiny([money / (scale or denominator) for money in kept], kept))
        epoch.extend(repeat(now, len(kept)))
        made = len(self.bought)
        if self.follow is not None and not self.follow.agrees(made, j, moved):
            self.follow = None
        trail = self.trail
        if trail is not None and not trail.recording(made):
            trail = None
        if trail is not None:
            trail.moves.append((j, moved))
            trail.prices.append(self.price_value[j])
            if len(moved) > len(kept):  # some voters ran dry
                if trail.dry is None:
                    trail.dry = made
            elif trail.dry is None and self.keeps(made + 1):
                trail.snapshots.append(
                    Snapshot(
                        made + 1,
                        self.voter_budget,
                        value.copy(),
                        epoch.copy(),
                        lift.copy(),
                        denominator,
                        population.copy(),
                    )
                )
        if self.behind is not None:
            if self.follow is not None:
                if trail is not None:
                    trail.classes.append(self.behind[made])
                return
            self.catch_up(made)
        class_of = self.class_of
        for k in self.engine.approvers[j]:
            c = class_of[k]
            if c in moved:
                class_of[k] = moved[c]
        if trail is not None:
            trail.classes.append(class_of.copy())

    def catch_up(self, made: int) -> None:
        """Bring `class_of` up to date after `made` purchases, from the followed trail's."""
        assert self.behind is not None
        if made:
            self.class_of = self.behind[made - 1].copy()
        self.behind = None

    def keeps(self, made: int) -> bool:
        """Whether to keep the state after `made` purchases in which no voter ran dry: every
        `SNAPSHOT_EVERY` purchases, and each one from just before the hinting run's first voter
        ran dry (the next run can usually start about there)."""
        dry = self.dry_hint
        return made % SNAPSHOT_EVERY == 0 or (dry is not None and dry - 2 <= made <= dry + 4)

    def float_denominator(self) -> float:
        """The denominator as a float to divide money numerators by, or 0.0 if it is too big.

        Money is below the voter budget: the numerators' floats do not overflow while the
        denominator has fewer than 1000 - `budget_bits` bits; then int / float is within a
        relative 3·2^-53 (three roundings) and much cheaper than int / int.
        """
        denominator = self.denominator
        return float(denominator) if denominator.bit_length() < 1000 - self.budget_bits else 0.0

    def charge(self, j: int, share: int, ceiling: Fraction) -> None:
        """Charge j's supporters `share` per weight (or all they have), with the bounds' slopes.

        Upper bound: its slope falls by the price's slope times the utility (exact for who pays
        a share); for who pays all, the chord of max(0, money) over the horizon. Lower bound:
        the ceiling's slope times the utility, or zero for who pays all. With approval ballots a
        class whose voters all support j pays in place (as in `charge_approvals`).
        """
        engine, tracker = self.engine, self.tracker
        unit = engine.unit[j]
        denominator = self.denominator
        slope_num, slope_den = self.price_slope[j].as_integer_ratio()
        ceiling_num, ceiling_den = ceiling.as_integer_ratio()
        value, upper_of, lower_of, epoch, lift = (
            self.value,
            self.upper,
            self.lower,
            self.epoch,
            self.lift,
        )
        approvals = engine.approvals_only
        scale = engine.scale
        divisor = self.float_denominator() if self.floats else 0.0
        population, now = self.population, len(lift) - 1
        moved: dict[int, int] = {}
        """Entry key (`gather`) -> its supporters' new class."""
        values: list[int] = []
        uppers: list[int] = []
        lowers: list[int] = []
        counts: list[int] = []
        first = len(value)
        # Per weight: how much the upper bound's slope falls, the lower bound's rises.
        falls = {w: (slope_num * w * unit * denominator) // slope_den for w in engine.sort_factor}
        rises = {w: (-ceiling_num * w * unit * denominator) // ceiling_den for w in falls}
        for c, w, count in self.entries(j):
            raise_to_now = lift[epoch[c]]
            left = value[c] * raise_to_now - share * w
            upper = lower = 0
            if tracker is None:
                left = max(left, 0)
            else:
                upper = upper_of[c] * raise_to_now - falls[w]
                if left < 0:
                    at_horizon = left + upper * tracker.reach
                    left, upper = 0, -(-at_horizon // tracker.reach) if at_horizon > 0 else 0
                else:
                    lower = lower_of[c] * raise_to_now + rises[w]
            if approvals and count == population[c] and (left or upper):
                value[c], upper_of[c], lower_of[c], epoch[c] = left, upper, lower, now
                approximation = left / divisor if divisor else approximate(left, denominator)
                self.approx[c] = approximation if approximation > TINY or not left else TINY
                continue
            if approvals:
                population[c] -= count
            key = c if approvals else c * scale + w
            if left or upper:
                moved[key] = first + len(values)
                values.append(left)
                uppers.append(upper)
                lowers.append(lower)
                counts.append(count)
            else:
                moved[key] = _DEAD
        self.add_classes(values, uppers, lowers, divisor)
        class_of = self.class_of
        if approvals:
            population.extend(counts)
            for k in engine.approvers[j]:
                c = class_of[k]
                if c in moved:
                    class_of[k] = moved[c]
            return
        for k, w in engine.supporters[j]:
            c = class_of[k]
            if c != _DEAD:
                class_of[k] = moved[c * scale + w]

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
