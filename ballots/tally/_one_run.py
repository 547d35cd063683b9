"""One Method of Equal Shares run at a fixed voter budget, without the Add1 machinery.

`_equal_shares.Engine` prepares ballots once for the hundreds of runs of an Add1 search (distinct
ballots, per-project gatherers, neighbours, float approximations, certificates); for the single
run of `completion="none"` that preparation costs more than the run on a small file. This
module makes the same run directly: voters with the same money form a budget class (one class
at first; a purchase splits its payers off into new classes, and a dead class holds those left
with nothing); money is integer numerators over one common denominator, multiplied by the
denominator of each purchase's share so that charging stays exact (dividing them by their
greatest common divisor after each purchase was tried: on Warszawa 2020 with cardinality
utilities that made the run 0.20 s instead of 0.13 s); prices are exact fractions.

A project's price per unit of utility only rises during a run (money only falls), so a price
computed earlier in the run is a lower bound of its current price: projects wait in a heap
keyed by (price, tie-break rank) and are priced again only when they reach the top while some
supporter of theirs has paid since (lazy evaluation, as in lazy greedy). A project at the top
whose price is current is the cheapest, ties going to the lower rank, which is the rule.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction

from ballots.tally.model import BallotIndex, Project

_DEAD = 0
"""The class of voters with no money left (it holds 0 in every denominator)."""
_FIRST = 1
"""The class every voter starts in."""


def select_once(
    projects: Sequence[Project],
    ballots: BallotIndex,
    ranks: Mapping[str, int],
    voter_budget: Fraction,
    *,
    utilities_are_costs: bool,
) -> tuple[str, ...]:
    """Winners of one MES run in selection order: free supported projects first, by rank.

    `ballots` is turned around by project (`model.index_ballots`); projects that ballots name
    but `projects` leaves out (not eligible) are ignored.
    """
    run = _Run(projects, ballots, voter_budget)
    supported = run.voters_of
    free = sorted(
        (p.id for p, voters in zip(projects, supported, strict=True) if voters and not p.cost),
        key=ranks.__getitem__,
    )
    unit = [p.cost if utilities_are_costs else 1 for p in projects]
    # (price as a float, price, rank, project): floats are correctly rounded, so unequal floats
    # order like the prices; only equal floats compare the exact prices.
    heap: list[tuple[float, _Ratio, int, int]] = []
    for j, project in enumerate(projects):
        if project.cost and supported[j] and run.price(j, unit[j]):
            heap.append((*run.key[j], ranks[project.id], j))
    heapq.heapify(heap)
    bought: list[str] = []
    while heap:
        _, _, rank, j = heapq.heappop(heap)
        if run.current[j]:
            run.buy(j)
            bought.append(projects[j].id)
        elif run.price(j, unit[j]):
            heapq.heappush(heap, (*run.key[j], rank, j))
    return (*free, *bought)


class _Ratio(tuple[int, int]):
    """A positive fraction (numerator, denominator) compared exactly; a `Fraction` would reduce
    it, needlessly here, and a tuple is built in C."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Ratio):
            return NotImplemented
        return self[0] * other[1] == other[0] * self[1]

    def __lt__(self, other: tuple[int, ...]) -> bool:
        return self[0] * other[1] < other[0] * self[1]

    __hash__ = None  # type: ignore[assignment]


class _Run:
    """Voters in budget classes, and what each project's supporters would pay."""

    def __init__(self, projects: Sequence[Project], ballots: BallotIndex, voter_budget: Fraction):
        approvals_only = ballots.summary.approvals_only
        self.voters_of = [ballots.supporters.get(p.id, []) for p in projects]
        """Per project: the positions of the ballots that support it."""
        self.weights: list[list[int]] = []
        """Per project, weighted ballots only: the weight each of its supporters gives it."""
        if not approvals_only:
            self.weights = [ballots.weights.get(p.id, []) for p in projects]
        self.approvals_only = approvals_only
        self.cost = [p.cost for p in projects]
        self.denominator = voter_budget.denominator
        self.money = [0, voter_budget.numerator]
        """Per class: its voters' money, as a numerator over `denominator`."""
        self.class_of = [_FIRST] * ballots.ballots
        self.total_weight = list(
            map(len, self.voters_of) if approvals_only else map(sum, self.weights)
        )
        self.sort_factor = math.lcm(*ballots.summary.weights - {0})
        """A multiple of every weight: money·(factor // weight) orders money / weight exactly."""
        self.pristine = True
        """Whether nothing has been bought yet (every voter is in the first class)."""
        self.current = [False] * len(projects)
        """Per project: whether its last computed price is its price now."""
        self.key: list[tuple[float, _Ratio]] = [(0.0, _Ratio((0, 1)))] * len(projects)
        """Per project, as last priced: its price per unit of utility, as a float and exactly."""
        self.paid = [(0, 1)] * len(projects)
        """Per project, as last priced: what is left to pay once the poor have paid all they
        have (a numerator over `denominator`), and the weight of those who pay it."""

    def price(self, j: int, unit: int) -> bool:
        """Price j (its `key` and `paid`), or return False if its supporters cannot pay for it.

        The price per unit of weight is the smallest π with Σ min(money, π·weight) >= cost(j)
        over j's supporters; per unit of utility, π / `unit`.
        """
        need = self.cost[j] * self.denominator
        weight = self.total_weight[j]
        money = self.money
        if self.approvals_only:
            if self.pristine:
                return money[_FIRST] * weight >= need and self.priced(j, need, weight, unit)
            counts = Counter(map(self.class_of.__getitem__, self.voters_of[j]))
            for c in sorted(counts, key=money.__getitem__):
                if money[c] * weight >= need:
                    return self.priced(j, need, weight, unit)
                need -= money[c] * counts[c]
                weight -= counts[c]
            return False
        if self.pristine:
            # Everyone holds m: who gives the most points runs dry first. Rows by weight,
            # counted only until the price is found (often at the first).
            m, weights = money[_FIRST], self.weights[j]
            for w in sorted(set(weights), reverse=True):
                if m * weight >= need * w:
                    return self.priced(j, need, weight, unit)
                n = weights.count(w)
                need -= m * n
                weight -= w * n
            return False
        for _, m, w, n in self.rows(j):
            if m * weight >= need * w:
                return self.priced(j, need, weight, unit)
            need -= m * n
            weight -= w * n
        return False

    def priced(self, j: int, need: int, weight: int, unit: int) -> bool:
        """Record j's price: `need` is left to pay by supporters of total `weight`."""
        self.current[j] = True
        self.paid[j] = (need, weight)
        denominator = weight * self.denominator * unit
        self.key[j] = (need / denominator, _Ratio((need, denominator)))
        return True

    def rows(self, j: int) -> list[tuple[int, int, int, int]]:
        """Weighted ballots, once a purchase is made: (order, money, weight, voters) of j's
        supporters by class and weight, ascending; `order` is money·(sort_factor // weight),
        which orders money / weight.
        """
        factor = self.sort_factor
        money = self.money
        classes = map(self.class_of.__getitem__, self.voters_of[j])
        pairs = Counter(zip(classes, self.weights[j], strict=True))
        return sorted([(money[c] * (factor // w), money[c], w, n) for (c, w), n in pairs.items()])

    def buy(self, j: int) -> None:
        """Charge j's supporters its price, which must be current."""
        self.pristine = False
        need, weight = self.paid[j]
        divisor = math.gcd(need, weight)
        per_weight, scale = need // divisor, weight // divisor
        if scale != 1:
            self.money = [m * scale for m in self.money]
            self.denominator *= scale
        money = self.money
        class_of = self.class_of
        voters = self.voters_of[j]
        # Supporters move by (class, weight): those left with money to a new class, the others
        # to the dead class.
        keys: list[int] | list[tuple[int, int]]
        moved: dict[object, int] = {}
        if self.approvals_only:
            keys = list(map(class_of.__getitem__, voters))
            for c in set(keys):
                left = money[c] - per_weight
                moved[c] = len(money) if left > 0 else _DEAD
                if left > 0:
                    money.append(left)
        else:
            keys = list(zip(map(class_of.__getitem__, voters), self.weights[j], strict=True))
            for c, w in set(keys):
                left = money[c] - per_weight * w
                moved[c, w] = len(money) if left > 0 else _DEAD
                if left > 0:
                    money.append(left)
        for voter, key in zip(voters, keys, strict=True):
            class_of[voter] = moved[key]
        # Every project is marked stale, not only those that share a supporter with j: on the
        # shared files, marking exactly took longer than it saved (no fewer projects repriced).
        self.current = [False] * len(self.current)
