"""What one untracked run leaves for the next run of the Add1 search about its budget classes
(`Trail`), and how far the next run may start from them (`certain_prefix`).

In an untracked run on approval ballots, which voters share a budget class depends only on the
purchases and, per purchase, which of the buyer's classes moved to a new class or ran dry
(`RunCharging.charge_approvals`'s map of moves), not on how much money the classes hold. A run
at another voter budget that makes the same first r purchases with the same moves has the same
classes after them, numbered alike, so counting a project's supporters per class
(`RunState.gather`) gives what the earlier run counted after its first r purchases. The later
run takes those counts instead of recounting, and the earlier run's order of the classes by
approximate money as the start of its own sort (nearly sorted already). Counts and orders only
feed the float guesses and the exact checks that follow them.

A run can also skip its first purchases. While no voter has run dry, no voter was too poor to
pay a share, so every price was the cost over the supporters (per unit of utility), whatever the
voter budget. A run at b' = b + d (d a whole number of money units) that makes the same first r
purchases therefore pays the same prices, and each of its classes holds exactly d more than at b:
its state after r purchases is the earlier run's (`Snapshot`) plus d. It does make them if at
every round i < r every other project is certainly dearer at b' than the purchase of round i
(the earlier run's `Hints` bound every price at b' from below, and the prices of a run's
purchases never fall from one round to the next) and every project the earlier run found
unaffordable by round i still is at b' (its supporters held less than the cost, plus d each).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from ballots.tally._pricing import MARGIN, approximate, lowered, round_up

if TYPE_CHECKING:
    from ballots.tally._certificates import Hints

SNAPSHOT_EVERY = 8
"""A run keeps its state after every this many purchases while no voter has run dry (and
around where the hinting run's first voter ran dry)."""


RECORDED_BEYOND_DRY = 8
"""How many purchases after the first in which a voter ran dry a trail still records."""


@dataclass(frozen=True)
class Snapshot:
    """A run's budget classes after `made` purchases in which no voter ran dry (not to change)."""

    made: int
    voter_budget: Fraction
    value: list[int]
    epoch: list[int]
    lift: list[int]
    denominator: int
    population: list[int]


class Trail:
    """What an untracked approval run counted, and the moves that shaped its classes."""

    __slots__ = ("classes", "dry", "gathers", "moves", "prices", "short", "snapshots")

    def __init__(self) -> None:
        self.moves: list[tuple[int, dict[int, int]]] = []
        """Per purchase: the project and its map of moves (class -> new class or dead)."""
        self.gathers: dict[tuple[int, int], tuple[dict[int, int], int, list[int]]] = {}
        """(purchases made, project) -> its supporters per class, how many have money, and its
        classes by approximate money (a permutation of the counts' keys)."""
        self.classes: list[list[int]] = []
        """classes[r]: each ballot's class after r + 1 purchases (`RunState.class_of`), not to be
        changed: a run that follows this one shares them instead of updating its own."""
        self.prices: list[Fraction] = []
        """Per purchase: its price per unit of utility."""
        self.dry: int | None = None
        """How many purchases were made before the first in which a voter ran dry, if any."""
        self.snapshots: list[Snapshot] = []
        """The states kept while no voter had run dry, by number of purchases."""
        self.short: dict[int, float] = {}
        """Per project found unaffordable: a float above its supporters' money then."""

    def recording(self, made: int) -> bool:
        """Whether to record the classes after `made` purchases: a run at the next step moves
        its classes differently soon after its voters start running dry, and a longer trail
        only costs memory and garbage collections."""
        return self.dry is None or made < self.dry + RECORDED_BEYOND_DRY

    def agrees(self, made: int, j: int, moves: dict[int, int]) -> bool:
        """Whether purchase number `made` (0-based) bought j with the same moves here."""
        if made >= len(self.moves):
            return False
        project, recorded = self.moves[made]
        return project == j and recorded == moves


def certain_prefix(
    trail: Trail,
    hints: Hints,
    rise: float,
    cost: Sequence[int],
    voters: Sequence[int],
    limit: int,
) -> int:
    """How many of the hinting run's first purchases (at most `limit`, all of them made while
    no voter ran dry) a run `rise` (rounded up) above its voter budget certainly makes too.

    `hints` and `trail` come from the same run; `cost` and `voters` are per funded project.
    """
    top = [approximate(p.numerator, p.denominator) * (1 + MARGIN) for p in trail.prices[:limit]]
    deltas = [rise]
    for share in hints.shares[:limit]:
        deltas.append(round_up(deltas[-1] + 2 * share * MARGIN))  # as `Slack.bought` does
    bought = {j: made for made, j in enumerate(hints.winners[:limit])}
    certain = limit
    for q in range(len(cost)):
        dropped = hints.dropped.get(q, limit)
        end = min(bought.get(q, limit), dropped, certain)
        until = _dearer_until(hints.bounds[q], end, top, deltas)
        if until < end:
            certain = until
        if dropped < certain:
            short = trail.short.get(q)
            if short is None or not (short + voters[q] * deltas[dropped]) * (1 + MARGIN) < cost[q]:
                certain = dropped
    return certain


def _dearer_until(
    bounds: list[tuple[int, float, float]], end: int, top: list[float], deltas: list[float]
) -> int:
    """The first round before `end` at which the bounds do not show a project dearer than the
    purchase (`top`), or `end`; each bound counts from its round until the next one's."""
    covered = 0
    for i, (made, price, slack) in enumerate(bounds):
        if made >= end or made > covered:
            break
        stop = min(bounds[i + 1][0], end) if i + 1 < len(bounds) else end
        if stop <= made:
            continue
        bound = lowered(price, slack, deltas[made])
        covered = bisect_left(top, bound, made, stop)
        if covered < stop:
            return covered
    return min(covered, end)
