"""What a run of the Add1 search proves or suggests about later steps: the `Certificate` a
tracked run gives (collected by a `Tracker`) and the price bounds (`Hints`) a run leaves for the
next, which that run follows with a `Slack`. See `_equal_shares` for the proofs' outline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from ballots.tally._pricing import MARGIN, lowered, round_up
from ballots.tally._trail import Trail


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


class Hints:
    """Lower bounds of prices that one run leaves for a later run at a larger voter budget.

    Approval ballots only. Every supporter of a project q pays the same share s' (price times
    utility) or all their money m', so for any set S of q's voters and the R others,
    cost <= Σ_S m' + R·s': s' >= (cost - Σ_S m') / R, with equality when S holds exactly
    those who cannot pay s' (the dead included). Say a run at voter budget b found that bound,
    s >= (cost - Σ_S m) / R, for some S after its first r purchases. A run at b' > b that made
    the same first r purchases gives every voter at most δ more money at that point, where
    δ = (b' - b) + the sum over those purchases of max(0, share at b - share at b') (a voter's
    money after a purchase is max(0, money - share), and max(0, x + d) <= max(0, x) + d), so
    there s' >= (cost - Σ_S m) / R - δ·|S| / R. Within a run prices only rise, so that bound
    holds for the rest of the run at b'.

    A later run uses it for a stale project that reaches the top of its heap: it pushes the
    project back at the bound, rounded down by a margin far above the rounding error, when
    that is higher than its key, instead of pricing it now. Such keys only spare pricings of
    projects that are certainly not the cheapest: every purchase is still priced exactly.
    """

    __slots__ = ("bounds", "dropped", "shares", "trail", "voter_budget", "winners")

    def __init__(self, voter_budget: Fraction, projects: int) -> None:
        self.voter_budget = voter_budget
        self.winners: list[int] = []
        self.shares: list[float] = []
        """Per purchase: its share per supporter, as a float (money units)."""
        self.bounds: list[list[tuple[int, float, float]]] = [[] for _ in range(projects)]
        """Per project: (purchases made before, a float below (cost - Σ_S m) / (R · utility),
        |S| / (R · utility))."""
        self.dropped: dict[int, int] = {}
        """Project -> purchases made before it was found unaffordable (a guess for later runs)."""
        self.trail: Trail | None = None
        """An untracked run's budget classes (`_trail`)."""


class Slack:
    """A run's use of `Hints`: how many purchases agree with the hinting run's, δ after each."""

    __slots__ = ("agreeing", "deltas", "hints")

    def __init__(self, hints: Hints, voter_budget: Fraction) -> None:
        self.hints = hints
        self.agreeing = True
        self.deltas = [round_up(float(voter_budget - hints.voter_budget))]
        """deltas[r]: δ (rounded up) after the first r purchases, which agree."""

    def bought(self, j: int, share: float) -> None:
        """Extend δ while the purchases agree with the hinting run's; `share` as a float."""
        if not self.agreeing:
            return
        agreed = len(self.deltas) - 1
        hints = self.hints
        if agreed < len(hints.winners) and hints.winners[agreed] == j:
            earlier = hints.shares[agreed]
            fall = max(0.0, earlier - share) + (earlier + share) * MARGIN
            self.deltas.append(round_up(self.deltas[agreed] + fall))
        else:
            self.agreeing = False

    def bound(self, j: int) -> float:
        """The best lower bound of j's price that the hints give now (-inf if none)."""
        agreed = len(self.deltas) - 1
        for made, price, slack in reversed(self.hints.bounds[j]):
            if made <= agreed:
                return lowered(price, slack, self.deltas[made])
        return -math.inf
