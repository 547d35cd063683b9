"""Purchases of one run of the Method of Equal Shares (`_equal_shares._Run`): each supporter
pays its share or all it has, and moves to a new budget class (`_run_state`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import repeat

from ballots.tally._pricing import TINY, approximate, at_least_tiny
from ballots.tally._run_state import DEAD, RunState
from ballots.tally._trail import SNAPSHOT_EVERY, Snapshot


class RunCharging(RunState):
    """A run's purchases: charging the supporters, with the bounds' slopes and the trail."""

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
                    moved[c] = DEAD
            elif money > 0:
                value[c] = money
                epoch[c] = now
                approximation = money / scale if scale else money / denominator
                approx[c] = approximation if approximation > TINY else TINY
            else:
                moved[c] = DEAD
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

    def keeps(self, made: int) -> bool:
        """Whether to keep the state after `made` purchases in which no voter ran dry: every
        `SNAPSHOT_EVERY` purchases, and each one from just before the hinting run's first voter
        ran dry (the next run can usually start about there)."""
        dry = self.dry_hint
        return made % SNAPSHOT_EVERY == 0 or (dry is not None and dry - 2 <= made <= dry + 4)

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
                moved[key] = DEAD
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
            if c != DEAD:
                class_of[k] = moved[c * scale + w]
