"""Hypothesis properties of the tally rules on small random instances."""

from fractions import Fraction
from random import Random

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ballots.tally import (
    COMPLETIONS,
    Ballot,
    Project,
    TallyRule,
    TieBreak,
    Utilities,
    equal_shares,
    equal_shares_fixed,
    equal_shares_purchases,
    tally,
)
from ballots.tally._trail import Snapshot

tie_breaks = st.sampled_from(
    [TieBreak("lexico"), TieBreak("cost-then-id"), TieBreak("seeded", "s")]
)


@st.composite
def elections(
    draw: st.DrawFn, cumulative: bool | None = None
) -> tuple[list[Project], int, list[Ballot]]:
    ids = draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=6, unique=True))
    projects = [Project(pid, draw(st.integers(0, 60) | st.integers(1, 60))) for pid in ids]
    points = draw(st.booleans()) if cumulative is None else cumulative
    weight = st.integers(1, 4) if points else st.just(1)
    ballots: list[Ballot] = [
        {pid: draw(weight) for pid in draw(st.lists(st.sampled_from(ids), max_size=4, unique=True))}
        for _ in range(draw(st.integers(0, 9)))
    ]
    return projects, draw(st.integers(0, 150)), ballots


rules = st.one_of(
    st.builds(
        TallyRule,
        st.sampled_from(["greedy", "greedy-stop"]),
        min_votes=st.integers(0, 3),
        tie_break=tie_breaks,
    ),
    st.builds(
        TallyRule,
        st.just("mes"),
        completion=st.sampled_from(COMPLETIONS),
        utilities=st.sampled_from(["cost", "cardinality"]),
        tie_break=tie_breaks,
    ),
)


@given(elections(), rules)
def test_no_outcome_exceeds_the_budget(
    election: tuple[list[Project], int, list[Ballot]], rule: TallyRule
) -> None:
    projects, budget, ballots = election
    outcome = tally(projects, budget, ballots, rule)
    assert outcome.total_cost <= budget
    assert len(set(outcome.winners)) == len(outcome.winners)
    assert set(outcome.winners) <= {p.id for p in projects}


@given(elections(), rules, st.randoms(use_true_random=False))
def test_outcome_does_not_depend_on_the_order_of_ballots_or_projects(
    election: tuple[list[Project], int, list[Ballot]], rule: TallyRule, random: Random
) -> None:
    projects, budget, ballots = election
    shuffled_ballots = random.sample(ballots, len(ballots))
    shuffled_projects = random.sample(projects, len(projects))
    expected = tally(projects, budget, ballots, rule)
    assert tally(shuffled_projects, budget, shuffled_ballots, rule).winners == expected.winners


@given(elections(), st.integers(0, 3), tie_breaks)
def test_greedy_with_skip_is_exhaustive(
    election: tuple[list[Project], int, list[Ballot]], min_votes: int, tie_break: TieBreak
) -> None:
    projects, budget, ballots = election
    outcome = tally(
        projects, budget, ballots, TallyRule("greedy", min_votes=min_votes, tie_break=tie_break)
    )
    left = budget - outcome.total_cost
    eligible = [p for p in projects if outcome.scores[p.id] >= min_votes]
    assert all(p.cost > left for p in eligible if p.id not in outcome.winners)


@given(elections(), st.sampled_from(["cost", "cardinality"]), tie_breaks, st.integers(0, 40))
def test_mes_respects_equal_shares_at_every_step(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    tie_break: TieBreak,
    extra: int,
) -> None:
    projects, budget, ballots = election
    if not ballots:
        return
    voter_budget = Fraction(budget, len(ballots)) + extra
    ranks = tie_break.ranks(projects)
    purchases = equal_shares_purchases(projects, ballots, ranks, voter_budget, utilities=utilities)
    assert tuple(p.project_id for p in purchases) == equal_shares_fixed(
        projects, ballots, ranks, voter_budget, utilities=utilities
    )
    cost = {p.id: p.cost for p in projects}
    spent = [Fraction(0)] * len(ballots)
    for purchase in purchases:
        assert sum(purchase.payments) == cost[purchase.project_id]
        unit = cost[purchase.project_id] if utilities == "cost" else 1
        for voter, paid in enumerate(purchase.payments):
            weight = ballots[voter].get(purchase.project_id, 0)
            assert paid >= 0
            assert paid <= purchase.price * weight * unit
            if paid < purchase.price * weight * unit:
                assert spent[voter] + paid == voter_budget
            spent[voter] += paid
            assert spent[voter] <= voter_budget


def naive_add1(
    projects: list[Project],
    budget: int,
    ballots: list[Ballot],
    ranks: dict[str, int],
    utilities: Utilities,
    stop_when_exhaustive: bool,
) -> tuple[tuple[str, ...], Fraction | None]:
    """Add1 exactly as the reference implementations do it: one money unit per voter per step."""
    start = Fraction(budget, len(ballots))
    cost = {p.id: p.cost for p in projects}
    supported = {pid for ballot in ballots for pid, w in ballot.items() if w > 0}
    funded = [p for p in projects if p.cost > 0 and p.id in supported]
    previous = tuple(
        sorted((p.id for p in projects if p.cost == 0 and p.id in supported), key=ranks.__getitem__)
    )
    previous_budget = None
    for step in range(budget + 1):
        winners = equal_shares_fixed(projects, ballots, ranks, start + step, utilities=utilities)
        spent = sum(cost[pid] for pid in winners)
        if spent > budget:
            break
        if stop_when_exhaustive and all(
            p.cost > budget - spent for p in funded if p.id not in winners
        ):
            return winners, start + step
        previous, previous_budget = winners, start + step
    return previous, previous_budget


@settings(max_examples=300, deadline=None)
@given(elections(), st.sampled_from(["cost", "cardinality"]), tie_breaks, st.booleans())
def test_fast_add1_equals_one_unit_stepping(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    tie_break: TieBreak,
    nostop: bool,
) -> None:
    projects, budget, ballots = election
    if not ballots:
        return
    ranks = tie_break.ranks(projects)
    fast = equal_shares(
        projects,
        budget,
        ballots,
        ranks,
        utilities=utilities,
        completion="add1-nostop" if nostop else "add1",
    )
    assert (fast.winners, fast.voter_budget) == naive_add1(
        projects, budget, ballots, ranks, utilities, not nostop
    )


@st.composite
def larger_elections(
    draw: st.DrawFn, cumulative: bool | None = None
) -> tuple[list[Project], int, list[Ballot]]:
    ids = [f"p{i}" for i in range(draw(st.integers(3, 9)))]
    projects = [Project(pid, draw(st.integers(1, 300))) for pid in ids]
    if cumulative is None:
        cumulative = draw(st.booleans())
    ballots: list[Ballot] = []
    for _ in range(draw(st.integers(10, 40))):
        named = draw(st.lists(st.sampled_from(ids), max_size=5, unique=True))
        ballots.append({pid: draw(st.integers(1, 5)) if cumulative else 1 for pid in named})
    budget = draw(st.integers(0, min(2000, sum(p.cost for p in projects))))
    return projects, budget, ballots


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(larger_elections(), st.sampled_from(["cost", "cardinality"]), tie_breaks, st.booleans())
def test_fast_add1_equals_one_unit_stepping_on_larger_instances(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    tie_break: TieBreak,
    nostop: bool,
) -> None:
    test_fast_add1_equals_one_unit_stepping.hypothesis.inner_test(  # type: ignore[attr-defined]
        election, utilities, tie_break, nostop
    )


@given(
    elections(cumulative=False),
    st.sampled_from(["cost", "cardinality"]),
    st.integers(0, 40),
    st.integers(-3, 3),
)
def test_a_wrong_float_guess_of_the_poor_is_caught(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    extra: int,
    error: int,
) -> None:
    """Floats only propose who cannot pay the share: a wrong proposal still gives exact MES."""
    from ballots.tally import _equal_shares, _run_pricing

    projects, budget, ballots = election
    if not ballots:
        return
    voter_budget = Fraction(budget, len(ballots)) + extra
    ranks = TieBreak("lexico").ranks(projects)
    walk = _run_pricing.walk_approximately

    def wrong(
        order: list[int], counts: dict[int, int], approx: list[float], cost: int, voters: int
    ) -> tuple[int, float, int]:
        """A float walk that stops `error` classes off, its rest and voters consistent."""
        poor = min(max(walk(order, counts, approx, cost, voters)[0] + error, 0), len(order))
        rest = float(cost) - sum(counts[c] * approx[c] for c in order[:poor])
        return poor, rest, voters - sum(counts[c] for c in order[:poor])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_run_pricing, "walk_approximately", wrong)
        for module in (_equal_shares, _run_pricing):
            patch.setattr(module, "certainly_short", lambda *_: False)
        fast = equal_shares_fixed(projects, ballots, ranks, voter_budget, utilities=utilities)
        add1 = equal_shares(
            projects, budget, ballots, ranks, utilities=utilities, completion="add1"
        )
    purchases = equal_shares_purchases(projects, ballots, ranks, voter_budget, utilities=utilities)
    assert fast == tuple(p.project_id for p in purchases)
    assert add1 == equal_shares(
        projects, budget, ballots, ranks, utilities=utilities, completion="add1"
    )


@settings(deadline=None)
@given(
    elections(cumulative=False) | larger_elections(cumulative=False),
    st.sampled_from(["cost", "cardinality"]),
    st.fractions(0, 30),
    st.fractions(0, 30),
)
def test_hints_from_a_smaller_voter_budget_keep_runs_exact(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    extra: Fraction,
    rise: Fraction,
) -> None:
    """Lower bounds carried from a run at b to a run at b' > b never change its outcome."""
    from ballots.tally._certificates import Hints
    from ballots.tally._equal_shares import Engine

    projects, budget, ballots = election
    if not ballots:
        return
    ranks = TieBreak("lexico").ranks(projects)
    engine = Engine(projects, ballots, ranks, utilities == "cost")
    earlier = Fraction(budget, len(ballots)) + extra
    later = earlier + rise
    hints = Hints(earlier, engine.funded_count)
    engine.run(earlier, record=hints)
    hinted = engine.names(engine.run(later, hints=hints))
    purchases = equal_shares_purchases(projects, ballots, ranks, later, utilities=utilities)
    assert hinted == tuple(p.project_id for p in purchases)


@settings(deadline=None)
@given(
    larger_elections(cumulative=False),
    st.sampled_from(["cost", "cardinality"]),
    st.integers(960, 1000),
)
def test_huge_voter_budgets_keep_runs_exact(
    election: tuple[list[Project], int, list[Ballot]], utilities: Utilities, bits: int
) -> None:
    """Near the float range, class floats come from int / int instead of int / float."""
    projects, _, ballots = election
    ranks = TieBreak("lexico").ranks(projects)
    voter_budget = Fraction(2**bits, 7)
    fast = equal_shares_fixed(projects, ballots, ranks, voter_budget, utilities=utilities)
    purchases = equal_shares_purchases(projects, ballots, ranks, voter_budget, utilities=utilities)
    assert fast == tuple(p.project_id for p in purchases)


@settings(deadline=None)
@given(
    larger_elections(cumulative=False),
    st.sampled_from(["cost", "cardinality"]),
    st.fractions(0, 30),
    st.lists(st.fractions(0, 3), min_size=1, max_size=6),
)
def test_counts_taken_from_the_previous_run_are_the_counts(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    extra: Fraction,
    rises: list[Fraction],
) -> None:
    """A run that follows the previous run's classes (`Trail`) counts as if it recounted.

    Its classes after each purchase, taken over or its own, are those of a run that follows
    nothing; every count it takes over is a count of those classes.
    """
    from collections import Counter

    from ballots.tally import _equal_shares
    from ballots.tally._certificates import Hints
    from ballots.tally._run_state import DEAD

    projects, budget, ballots = election
    ranks = TieBreak("lexico").ranks(projects)
    engine = _equal_shares.Engine(projects, ballots, ranks, utilities == "cost")
    gather = _equal_shares._Run.gather
    reused = 0

    def checked(run: _equal_shares._Run, j: int) -> dict[int, int]:
        nonlocal reused
        counts = gather(run, j)
        if run.prior[j] is not None:
            reused += 1
            made = len(run.bought)
            classes = run.class_of if run.behind is None else run.behind[made - 1]
            fresh = Counter(engine.gatherers[j](classes))
            dead = fresh.pop(DEAD) - 1
            assert counts == fresh
            assert run.alive[j] == engine.voters_of[j] - dead
            assert sorted(run.prior[j]) == sorted(counts)
        return counts

    voter_budget = Fraction(budget, len(ballots)) + extra
    hints = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_equal_shares._Run, "gather", checked)
        for rise in [Fraction(0), *rises]:
            voter_budget += rise
            record = Hints(voter_budget, engine.funded_count)
            outcome = engine.names(engine.run(voter_budget, hints=hints, record=record))
            alone = Hints(voter_budget, engine.funded_count)
            assert outcome == engine.names(engine.run(voter_budget, record=alone))
            if record.trail is not None:
                assert alone.trail is not None
                assert record.trail.moves == alone.trail.moves
                assert record.trail.classes == alone.trail.classes
            purchases = equal_shares_purchases(
                projects, ballots, ranks, voter_budget, utilities=utilities
            )
            assert outcome == tuple(p.project_id for p in purchases)
            hints = record
    event("counts reused" if reused else "no counts reused")


@settings(deadline=None)
@given(
    larger_elections(cumulative=False),
    st.sampled_from(["cost", "cardinality"]),
    st.integers(0, 30),
    st.lists(st.integers(0, 4), min_size=1, max_size=8),
    st.integers(1, 3),
)
def test_runs_that_start_from_the_previous_run_stay_exact(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    extra: int,
    rises: list[int],
    every: int,
) -> None:
    """A run that starts from the previous run's state (`_trail.Snapshot`) buys what MES buys."""
    from ballots.tally import _equal_shares, _run_charging
    from ballots.tally._certificates import Hints

    projects, budget, ballots = election
    ranks = TieBreak("lexico").ranks(projects)
    engine = _equal_shares.Engine(projects, ballots, ranks, utilities == "cost")
    restore = _equal_shares._Run.restore
    skipped = 0

    def counted(run: _equal_shares._Run, snapshot: Snapshot) -> None:
        nonlocal skipped
        skipped += snapshot.made
        restore(run, snapshot)

    voter_budget = Fraction(budget, len(ballots)) + extra
    hints = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_run_charging, "SNAPSHOT_EVERY", every)
        patch.setattr(_equal_shares._Run, "restore", counted)
        for rise in [0, *rises]:
            voter_budget += rise
            record = Hints(voter_budget, engine.funded_count)
            outcome = engine.names(engine.run(voter_budget, hints=hints, record=record))
            purchases = equal_shares_purchases(
                projects, ballots, ranks, voter_budget, utilities=utilities
            )
            assert outcome == tuple(p.project_id for p in purchases)
            hints = record
    event("started from a snapshot" if skipped else "started from the beginning")
