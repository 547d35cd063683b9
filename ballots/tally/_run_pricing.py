"""Exact prices of one run of the Method of Equal Shares (`_equal_shares._Run`), from the
run's state (`_run_state`): with approval ballots, found with floats and checked exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from fractions import Fraction

from ballots.tally._pricing import (
    MARGIN,
    TINY,
    Row,
    approximate,
    certainly_short,
    exact_money,
    split_rows,
    walk_approximately,
    walk_classes,
)
from ballots.tally._run_state import RunState


class RunPricing(RunState):
    """A run's pricing: each project's price per unit of utility, with its bounds' slopes."""

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
