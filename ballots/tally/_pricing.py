"""Walks over a project's budget classes that find its price: exactly (`split_rows`,
`walk_classes`) and in floats that only guide the exact work (`walk_approximately`,
`certainly_short`, `lower_share`), with the float bounds' rounding rules (`MARGIN`, `round_up`).
See `_equal_shares` for how a run uses them.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeAlias

TINY: Final = 1e-290
"""Approximations are compared by relative error only above this (normal floats, < 2^-53)."""
MARGIN: Final = 1e-12
"""Relative distance beyond which approximate money is certainly on the same side."""

Row: TypeAlias = tuple[Any, int, int, int]
"""A budget class among a project's supporters: (sort key, class, weight, count)."""


def split_rows(
    rows: list[Row], need: int, unit: int, money: Callable[[int], int]
) -> tuple[int, int, int] | None:
    """For sorted classes: (money of the poor, utility of the rest, number of poor classes).

    The price per unit of utility is (need - poor money) / (denominator · rest utility); a class
    is poor when its money is below what it would pay at that price. None when the supporters
    cannot pay `need` at all: only then does the walk pass every class (if it stopped at a class
    that can pay the price, every later class could too, and they would pay `need` in total).
    Only the poor classes and the first class that can pay are asked for their exact money.
    """
    weight = sum(w * count for _, _, w, count in rows) * unit
    paid = 0
    for position, (_, c, w, count) in enumerate(rows):
        money_c = money(c)
        if (need - paid) * unit * w <= money_c * weight:
            return paid, weight, position
        paid += count * money_c
        weight -= count * w * unit
    return None


def lower_share(rest: float, poor: int, cost: int) -> float:
    """A float below the exact `rest` of a float walk that stopped after `poor` classes.

    Each approximation is within a relative 3·2^-53 of the exact money (or above it), each
    float operation adds a rounding error of at most 2^-53 of its result, and both the money of
    the poor classes and |rest| stay within the cost: the error is below (poor + 2)·2^-52·cost.
    The result is rounded down once more before it is divided.
    """
    return max(0.0, (rest - cost * (poor + 4) * 2.0**-50) * (1 - 2.0**-50))


def approximate(numerator: int, denominator: int) -> float:
    """numerator / denominator (>= 0) as a float: a non-decreasing function of the fraction.

    int / int is correctly rounded; a positive fraction is never 0.0, a huge one is inf.
    """
    if numerator <= 0:
        return 0.0
    try:
        return max(numerator / denominator, TINY)
    except OverflowError:
        return math.inf


def at_least_tiny(floats: list[float], values: Sequence[int]) -> list[float]:
    """`floats` of the money numerators `values`, each positive one raised to at least TINY
    (as `approximate` keeps it): a class with money never looks empty."""
    if not floats or min(floats) >= TINY:
        return floats
    return [f if f > TINY or not v else TINY for f, v in zip(floats, values, strict=True)]


def lowered(price: float, slack: float, delta: float) -> float:
    """A hinted lower bound of a price (`Hints`) at a voter budget up to `delta` higher: less
    the float margin and `slack` times how much more money a voter may hold, rounded outward."""
    return price * (1 - MARGIN) - round_up(delta * slack)


def certainly_short(counts: Mapping[int, int], approx: Sequence[float], cost: int) -> bool:
    """Whether the classes certainly hold less than `cost` (approximate money, money units).

    fsum is correctly rounded, so the float total is within a few 2^-53 of the exact total
    (approximations of less than TINY are rounded up, which only overstates it).
    """
    holdings = map(operator.mul, map(approx.__getitem__, counts), counts.values())
    return math.fsum(holdings) < cost * (1 - MARGIN)


def walk_approximately(
    order: list[int], counts: Mapping[int, int], approx: Sequence[float], cost: int, voters: int
) -> tuple[int, float, int]:
    """`walk_classes` in floats, on approximate money (in money units) of `voters` supporters.

    (how many classes are poor, cost minus their money, how many supporters are not poor).
    """
    rest = float(cost)
    for position, c in enumerate(order):
        money = approx[c]
        if rest <= money * voters:
            return position, rest, voters
        count = counts[c]
        rest -= count * money
        voters -= count
    return len(order), rest, voters


def exact_money(
    classes: list[int],
    counts: Mapping[int, int],
    value: Sequence[int],
    epoch: Sequence[int],
    lift: Sequence[int],
) -> int:
    """The money of `classes` (each times its count), over the current denominator."""
    numbers = map(operator.mul, map(counts.__getitem__, classes), map(value.__getitem__, classes))
    lifts = map(lift.__getitem__, map(epoch.__getitem__, classes))
    return sum(map(operator.mul, numbers, lifts))


def walk_classes(
    order: list[int], counts: Mapping[int, int], need: int, unit: int, money: Callable[[int], int]
) -> tuple[int, int, int] | None:
    """`split_rows` for approval ballots (weight 1): classes in `order`, counts apart."""
    weight = sum(counts.values()) * unit
    paid = 0
    for position, c in enumerate(order):
        money_c = money(c)
        if (need - paid) * unit <= money_c * weight:
            return paid, weight, position
        count = counts[c]
        paid += count * money_c
        weight -= count * unit
    return None


def round_up(x: float) -> float:
    """A float above x >= 0 by more than the rounding error of a few float operations."""
    return x * (1 + MARGIN)
