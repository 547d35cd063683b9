"""Method of Equal Shares (MES) in exact arithmetic, with a fast Add1 completion.

The procedure is Peters & Skowron's, "Proportionality and the Limits of Welfarism" (EC 2020),
extended to additive utilities by Peters, Pierczyński & Skowron, "Proportional Participatory
Budgeting with Additive Utilities" (NeurIPS 2021). Reference implementations: pabutools
(`method_of_equal_shares`, `voter_budget_increment=1` for Add1, `completion_by_rule_combination`
for the greedy step) and equalshares.net's compute tool (`equalSharesAdd1`,
`utilitarianCompletion`); https://equalshares.net/implementation/ describes both.

One run, for a per-voter budget b: every voter starts with b. In each round, for each remaining
project p, find the smallest price ρ per unit of utility at which p's supporters can pay its cost
when each pays min(money left, ρ·u_i(p)); a project whose supporters hold less than its cost is
dropped. Take the project with the smallest ρ (equal ρ: the declared tie-break), charge its
supporters, repeat until nothing can be paid for. u_i(p) = w_i(p)·cost(p) with cost utilities
and w_i(p) with cardinality utilities, w_i(p) being 1 per approval or the points given.

Add1 (pabutools' `voter_budget_increment=1`) runs MES with b = B/n, B/n + 1, B/n + 2, ... (one
money unit per voter per step); it stops at the first exhaustive outcome, or returns the last
outcome before one that costs more than B. `add1-nostop` ignores exhaustiveness and only stops
before overspending (equalshares.net's Add1 without its "exhaustive" option; Wieliczka 2023).
Either can be followed by greedy by votes (`-greedy`, equalshares.net's default). With no
completion (`none`) the one run at b = B/n is made by `_one_run.select_once`, without the
preparation the engine below makes for the many runs of Add1. A step other
than one money unit (`add1_step`: civica's record counts cents, a city may step whole euros) runs
b = B/n + k·step; with every cost and the budget multiples of the step it is exactly Add1 in
units of the step, since a run's outcome does not change when all money is scaled alike.

Stepping one unit at a time is what makes the reference implementations slow. Here a run at
step k also certifies a range of later steps that must give the same winners, in the same
order (`_certificates.Tracker`: along a fixed sequence of winners money only grows and prices
only fall with b, and each decision of the run is bounded by affine functions of b), and the
search jumps past them. A run also certifies its first purchases for some steps further, so the
next run replays those without pricing their competitors. Where certificates skip nothing (the
outcome changes at almost every step, as in Warszawa 2020), runs go plainly one step at a time
for a while (4 steps, doubling, without a cap, while the certified runs in between skip at most
one step; a tracked run costs several plain ones there). Each run also leaves lower bounds of its
prices for the next (`_certificates.Hints`): while the next run buys the same projects, they
spare it pricing projects that certainly are not the cheapest. It also leaves its budget
classes (`_trail.Trail`): the next run takes over its counts of supporters per class while its
purchases move the classes alike, and starts from its state after the purchases in which no voter
ran dry, plus the rise in budget, when the hints show it makes them too. Every outcome is computed
exactly, and the result is that of stepping one unit at a time (tests check this against plain
stepping). Like pabutools' `exhaustion_by_budget_increase`, the search gives up, keeping the
last outcome, once b would pass B·(n+1)/n.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal, TypeAlias

from ballots.tally._certificates import Certificate, Hints, Tracker
from ballots.tally._equal_shares import Engine
from ballots.tally._one_run import select_once
from ballots.tally.greedy import select_greedy
from ballots.tally.model import Ballot, BallotIndex, InvalidRuleError, Project, index_ballots

Completion: TypeAlias = Literal["none", "add1", "add1-greedy", "add1-nostop", "add1-nostop-greedy"]
COMPLETIONS: Final[tuple[Completion, ...]] = (
    "none",
    "add1",
    "add1-greedy",
    "add1-nostop",
    "add1-nostop-greedy",
)
Utilities: TypeAlias = Literal["cost", "cardinality"]
UTILITIES: Final[tuple[Utilities, ...]] = ("cost", "cardinality")

_ZERO: Final = Fraction(0)
_REACH: Final = 16
"""The horizon, in steps, of a certificate (doubled while runs certify all of it)."""
_MIN_PAYOFF: Final = Fraction(1, 4)
"""Below this running mean of what certified runs skip (`_TRACKING_COST` off), step plainly
for a while."""
_TRACKING_COST: Final = Fraction(3, 4)
"""Steps a certified run must skip to pay for its extra work, as counted in the payoff: a run
that skips one step keeps the payoff at `_MIN_PAYOFF`, one that skips none lowers it. A tracked
run costs 1.4 plain ones where it replays most purchases and several elsewhere; 3/4 was chosen
over 1/2 and 1 by the runs it makes on Warszawa 2020, Kraków 2018, Toulouse 2019, Wieliczka 2023
and Łódź 2022."""
_PLAIN_STEPS: Final = 4
"""The first stretch of plain steps; it doubles while certificates keep skipping nothing."""


@dataclass(frozen=True)
class EqualSharesResult:
    """Winners in selection order, the per-voter budget used, and what the completion added."""

    winners: tuple[str, ...]
    voter_budget: Fraction | None
    added_by_completion: tuple[str, ...]
    runs: int
    """How many fixed-budget MES runs were computed."""


@dataclass(frozen=True)
class Purchase:
    """One round of a run: the project bought, its price per unit of utility, who paid what."""

    project_id: str
    price: Fraction
    payments: tuple[Fraction, ...]
    """Per ballot (input order): the money paid this round."""


def equal_shares(
    projects: Sequence[Project],
    budget: int,
    ballots: Sequence[Ballot],
    ranks: Mapping[str, int],
    *,
    utilities: Utilities = "cost",
    completion: Completion = "add1-greedy",
    scores: Mapping[str, int] | None = None,
    add1_step: int = 1,
    index: BallotIndex | None = None,
) -> EqualSharesResult:
    """Run MES with a completion; `scores` order the greedy completion (default: the weights).

    Add1 raises every voter's budget by `add1_step` money units per step. `index` is the
    ballots turned around (`model.index_ballots`), if the caller has it.
    """
    if isinstance(add1_step, bool) or not isinstance(add1_step, int) or add1_step < 1:
        raise InvalidRuleError(f"add1_step must be a positive integer, got {add1_step!r}")
    if completion == "none":
        # One run: the Engine's preparation for many runs would cost more than the run.
        if not ballots:
            return EqualSharesResult((), None, (), 0)
        if index is None:
            index = index_ballots(ballots)
        share = Fraction(budget, len(ballots))
        once = select_once(projects, index, ranks, share, utilities_are_costs=utilities == "cost")
        return EqualSharesResult(once, share, (), 1)
    engine = Engine(projects, ballots, ranks, utilities == "cost")
    if engine.voters == 0:
        winners: tuple[str, ...] = ()
        voter_budget = None
        runs = 0
    else:
        winners, voter_budget, runs = _add1(
            engine, budget, stop_when_exhaustive="nostop" not in completion, step_size=add1_step
        )
    added: tuple[str, ...] = ()
    if completion.endswith("-greedy"):
        if scores is None:
            scores = _weights(projects, ballots)
        added = select_greedy(projects, budget, scores, ranks, already_selected=winners)
    return EqualSharesResult(winners + added, voter_budget, added, runs)


def equal_shares_fixed(
    projects: Sequence[Project],
    ballots: Sequence[Ballot],
    ranks: Mapping[str, int],
    voter_budget: Fraction,
    *,
    utilities: Utilities = "cost",
) -> tuple[str, ...]:
    """One MES run where every voter starts with `voter_budget`."""
    engine = Engine(projects, ballots, ranks, utilities == "cost")
    return engine.names(engine.run(voter_budget))


def equal_shares_purchases(
    projects: Sequence[Project],
    ballots: Sequence[Ballot],
    ranks: Mapping[str, int],
    voter_budget: Fraction,
    *,
    utilities: Utilities = "cost",
) -> tuple[Purchase, ...]:
    """One MES run, per voter and step: a slow, direct transcription for verifiers and tests."""
    known = {p.id for p in projects}
    weights = [{pid: w for pid, w in b.items() if w > 0 and pid in known} for b in ballots]
    money = [voter_budget] * len(ballots)
    unit = {p.id: p.cost if utilities == "cost" else 1 for p in projects}
    cost = {p.id: p.cost for p in projects}
    purchases: list[Purchase] = []
    remaining = {p.id for p in projects if p.cost > 0 and any(p.id in w for w in weights)}
    for pid in sorted(
        (p.id for p in projects if p.cost == 0 and any(p.id in w for w in weights)),
        key=ranks.__getitem__,
    ):
        purchases.append(Purchase(pid, _ZERO, (_ZERO,) * len(ballots)))
    while True:
        best: tuple[Fraction, int, str] | None = None
        for pid in sorted(remaining):
            supporters = [i for i, w in enumerate(weights) if pid in w]
            if sum(money[i] for i in supporters) < cost[pid]:
                remaining.discard(pid)
                continue
            price = _price_per_voter(
                cost[pid], [(money[i], weights[i][pid] * unit[pid]) for i in supporters]
            )
            if best is None or (price, ranks[pid]) < best[:2]:
                best = (price, ranks[pid], pid)
        if best is None:
            return tuple(purchases)
        price, _, pid = best
        paid = tuple(
            min(money[i], price * w[pid] * unit[pid]) if pid in w else _ZERO
            for i, w in enumerate(weights)
        )
        money = [m - p for m, p in zip(money, paid, strict=True)]
        remaining.discard(pid)
        purchases.append(Purchase(pid, price, paid))


def _price_per_voter(cost: int, holdings: list[tuple[Fraction, int]]) -> Fraction:
    """Smallest ρ with sum(min(money, ρ·u)) >= cost (the caller checked that it exists)."""
    holdings = sorted(holdings, key=lambda mu: mu[0] / mu[1])
    denominator = sum(u for _, u in holdings)
    paid = _ZERO
    for money, utility in holdings:
        price = (cost - paid) / denominator
        if price * utility <= money:
            return price
        paid += money
        denominator -= utility
    raise AssertionError("unaffordable project priced")


def _weights(projects: Sequence[Project], ballots: Sequence[Ballot]) -> dict[str, int]:
    scores = dict.fromkeys((p.id for p in projects), 0)
    for ballot in ballots:
        for pid, weight in ballot.items():
            if pid in scores:
                scores[pid] += weight
    return scores


def _add1(
    engine: Engine, budget: int, *, stop_when_exhaustive: bool, step_size: int = 1
) -> tuple[tuple[str, ...], Fraction | None, int]:
    """Add1 over b = B/n + k·step_size: (winners, b of the returned outcome, number of runs)."""
    start = Fraction(budget, engine.voters)
    last_step = budget // step_size
    previous: tuple[int, ...] = engine.free
    previous_budget: Fraction | None = None
    certificate: Certificate | None = None
    hints: Hints | None = None
    step = 0
    reach = _REACH
    payoff = Fraction(1, 2)  # so that three certified runs that skip nothing are enough
    untracked_left = 0
    stretch = _PLAIN_STEPS
    runs = 0
    while step <= last_step:
        runs += 1
        voter_budget = start + step * step_size
        record = Hints(voter_budget, engine.funded_count)
        cap = None
        if certificate is not None and (certain := certificate.prefix(step)):
            cap = certificate.rounds[certain - 1]
        if untracked_left or (cap == step and engine.approvals_only):
            # A tracked run resuming a prefix certified only up to this step could certify
            # nothing beyond it (its tracker's cap). On approval ballots a plain run is several
            # times cheaper; elsewhere replaying the prefix, not racing it, is worth keeping.
            if untracked_left:
                untracked_left -= 1
            else:
                certificate = None
            outcome = engine.run(voter_budget, hints=hints, record=record)
            certified = step
        else:
            horizon = reach if cap is None else max(1, min(reach, cap - step))
            tracker = Tracker(step, horizon, cap)
            outcome = engine.run(voter_budget, tracker, certificate, step_size, record=record)
            certificate = tracker.certificate()
            certified = certificate.last
        if engine.cost_of(outcome) > budget:
            break
        if stop_when_exhaustive and engine.is_exhaustive(outcome, budget):
            return engine.names(outcome), start + step * step_size, runs
        if certificate is not None:
            payoff = (3 * payoff + max(_ZERO, certified - step - _TRACKING_COST)) / 4
            if certified > step + 1:
                stretch = _PLAIN_STEPS
            if payoff < _MIN_PAYOFF:
                # Certificates that skip (almost) nothing cost extra work for no gain: step
                # plainly for a while (each plain run is exact too), then certify again.
                untracked_left = stretch
                stretch *= 2
                certificate = None
            reach = 2 * reach if certified == step + horizon else max(_REACH, certified - step)
        previous = outcome
        hints = record
        previous_budget = start + min(certified, last_step) * step_size
        step = certified + 1
    return engine.names(previous), previous_budget, runs
