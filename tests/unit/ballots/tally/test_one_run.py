"""The single-run path of the Method of Equal Shares (`completion="none"`) against the references.

`select_once` replaces the Add1 engine for one run; it must buy exactly what the direct, per-voter
transcription (`equal_shares_purchases`) and the engine (`equal_shares_fixed`) buy.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ballots.tally import (
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
from ballots.tally._one_run import select_once
from ballots.tally.model import index_ballots
from tests.unit.ballots.tally.test_properties import elections, larger_elections, tie_breaks

utilities_ = st.sampled_from(["cost", "cardinality"])


def _reference(
    projects: list[Project],
    ballots: list[Ballot],
    ranks: dict[str, int],
    voter_budget: Fraction,
    utilities: Utilities,
) -> tuple[str, ...]:
    purchases = equal_shares_purchases(projects, ballots, ranks, voter_budget, utilities=utilities)
    return tuple(p.project_id for p in purchases)


def _once(
    projects: list[Project],
    ballots: list[Ballot],
    ranks: dict[str, int],
    voter_budget: Fraction,
    utilities: Utilities,
) -> tuple[str, ...]:
    index = index_ballots(ballots)
    return select_once(
        projects, index, ranks, voter_budget, utilities_are_costs=utilities == "cost"
    )


@given(elections(), utilities_, tie_breaks, st.integers(0, 40))
def test_one_run_buys_what_the_references_buy(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    tie_break: TieBreak,
    extra: int,
) -> None:
    projects, budget, ballots = election
    if not ballots:
        return
    ranks = tie_break.ranks(projects)
    voter_budget = Fraction(budget, len(ballots)) + extra
    once = _once(projects, ballots, ranks, voter_budget, utilities)
    assert once == _reference(projects, ballots, ranks, voter_budget, utilities)
    assert once == equal_shares_fixed(projects, ballots, ranks, voter_budget, utilities=utilities)


@settings(deadline=None)
@given(larger_elections(), utilities_, tie_breaks, st.integers(0, 3), st.data())
def test_one_run_ignores_zero_weights_and_projects_left_out(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    tie_break: TieBreak,
    zeros: int,
    data: st.DataObject,
) -> None:
    """Ballots may name ineligible projects (below a minimum of votes) and give weights of 0."""
    projects, budget, ballots = election
    ids = [p.id for p in projects]
    for ballot in ballots[:zeros]:
        ballot[data.draw(st.sampled_from(ids))] = 0  # type: ignore[index]
    eligible = data.draw(st.lists(st.sampled_from(projects), unique=True))
    ranks = tie_break.ranks(projects)
    voter_budget = Fraction(budget, len(ballots))
    once = _once(eligible, ballots, ranks, voter_budget, utilities)
    assert once == _reference(eligible, ballots, ranks, voter_budget, utilities)


@settings(deadline=None)
@given(larger_elections(), utilities_, st.integers(960, 1000))
def test_one_run_stays_exact_at_huge_voter_budgets(
    election: tuple[list[Project], int, list[Ballot]], utilities: Utilities, bits: int
) -> None:
    """Prices far below the voters' money, near the float range: floats only order, never decide."""
    projects, _, ballots = election
    ranks = TieBreak("lexico").ranks(projects)
    voter_budget = Fraction(2**bits, 7)
    once = _once(projects, ballots, ranks, voter_budget, utilities)
    assert once == _reference(projects, ballots, ranks, voter_budget, utilities)


def test_equal_prices_go_to_the_tie_break() -> None:
    """Two projects with the same price per unit of utility: the declared order decides."""
    projects = [Project("a", 30), Project("b", 30), Project("c", 60)]
    ballots: list[Ballot] = [{"a": 1, "c": 1}, {"b": 1, "c": 1}, {"a": 1}, {"b": 1}]
    for tie_break, first in ((TieBreak("lexico"), "a"), (TieBreak("seeded", "x"), None)):
        ranks = tie_break.ranks(projects)
        once = _once(projects, ballots, ranks, Fraction(30), "cost")
        assert once == _reference(projects, ballots, ranks, Fraction(30), "cost")
        if first is not None:
            assert once[0] == first


def test_none_completion_reports_one_run_and_the_voter_budget() -> None:
    projects = [Project("a", 40), Project("b", 50), Project("free", 0)]
    ballots: list[Ballot] = [{"a": 1, "free": 1}, {"a": 1, "b": 1}, {"b": 1}]
    result = equal_shares(projects, 90, ballots, TieBreak().ranks(projects), completion="none")
    assert result.runs == 1
    assert result.voter_budget == Fraction(30)
    # A supported project that costs nothing comes first. Then a and b tie at half a unit of
    # money per unit of utility (20 of 40 each from two voters, 25 of 50): the default tie-break
    # takes the cheaper a, after which b's supporters hold 10 + 30 < 50.
    assert result.winners == ("free", "a")
    empty = equal_shares(projects, 90, [], TieBreak().ranks(projects), completion="none")
    assert (empty.winners, empty.voter_budget, empty.runs) == ((), None, 0)


def test_min_votes_leaves_projects_out_of_the_one_run() -> None:
    projects = [Project("a", 10), Project("b", 10)]
    ballots: list[Ballot] = [{"a": 1, "b": 1}, {"a": 1}]
    rule = TallyRule("mes", completion="none", min_votes=2, tie_break=TieBreak("lexico"))
    assert tally(projects, 100, ballots, rule).winners == ("a",)
