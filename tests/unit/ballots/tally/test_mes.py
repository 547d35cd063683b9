from fractions import Fraction

import pytest

from ballots.tally import (
    Project,
    TallyRule,
    TieBreak,
    equal_shares,
    equal_shares_fixed,
    equal_shares_purchases,
    tally,
)

# Four voters, budget 100 (25 each). X costs 60 (voters 1-3), Z costs 50 (voters 1-2),
# Y costs 40 (voter 4). At 25 each only X is bought (each pays 20; price 1/3 per unit of cost).
# From 40 each, voter 4 alone can pay Y: {X, Y} costs exactly 100 (exhaustive). From 45 each,
# voters 1-2 keep 25 after X and buy Z first (price 1/2 < 1), and {X, Z, Y} overspends.
PROJECTS = [Project("X", 60), Project("Y", 40), Project("Z", 50)]
BALLOTS = [{"X": 1, "Z": 1}, {"X": 1, "Z": 1}, {"X": 1}, {"Y": 1}]
RANKS = TieBreak("lexico").ranks(PROJECTS)


@pytest.mark.parametrize(
    ("completion", "winners", "voter_budget"),
    [
        ("none", ("X",), Fraction(25)),
        ("add1", ("X", "Y"), Fraction(40)),
        ("add1-greedy", ("X", "Y"), Fraction(40)),
        ("add1-nostop", ("X", "Y"), Fraction(44)),
        ("add1-nostop-greedy", ("X", "Y"), Fraction(44)),
    ],
)
def test_hand_checked_completions(
    completion: str, winners: tuple[str, ...], voter_budget: Fraction
) -> None:
    outcome = tally(PROJECTS, 100, BALLOTS, TallyRule("mes", completion=completion))  # type: ignore[arg-type]
    assert outcome.winners == winners
    assert outcome.voter_budget == voter_budget


def test_fixed_budget_runs_and_purchases() -> None:
    assert equal_shares_fixed(PROJECTS, BALLOTS, RANKS, Fraction(45)) == ("X", "Z", "Y")
    purchases = equal_shares_purchases(PROJECTS, BALLOTS, RANKS, Fraction(25))
    assert [(p.project_id, p.price) for p in purchases] == [("X", Fraction(1, 3))]
    assert purchases[0].payments == (Fraction(20), Fraction(20), Fraction(20), Fraction(0))


def test_cost_and_cardinality_utilities_differ() -> None:
    projects = [Project("P", 90), Project("Q", 30)]
    ballots = [{"P": 1, "Q": 1}, {"P": 1, "Q": 1}, {"P": 1}, {}]
    cost = TallyRule("mes", completion="none", utilities="cost")
    cardinality = TallyRule("mes", completion="none", utilities="cardinality")
    assert tally(projects, 120, ballots, cost).winners == ("P",)
    assert tally(projects, 120, ballots, cardinality).winners == ("Q",)


def test_greedy_completion_fills_the_rest_by_votes() -> None:
    # 3 voters, 100/3 each: B (60, voters 2-3) is bought at once; from 60 each A (voter 1) and
    # C (voter 3) tie at price 1 and lexico buys A too, which overspends. Add1 keeps {B} from
    # 100/3 + 26 each; greedy then skips A (60 > 40 left) and adds C.
    projects = [Project("A", 60), Project("B", 60), Project("C", 30)]
    ballots = [{"A": 1}, {"B": 1}, {"B": 1, "C": 1}]
    ranks = TieBreak("lexico").ranks(projects)
    result = equal_shares(projects, 100, ballots, ranks, completion="add1-greedy")
    assert result.winners == ("B", "C")
    assert result.added_by_completion == ("C",)
    assert result.voter_budget == Fraction(100, 3) + 26


def test_cumulative_points_weight_the_shares() -> None:
    projects = [Project("A", 40), Project("B", 40)]
    ballots = [{"A": 3, "B": 1}, {"A": 1, "B": 3}]
    # Each voter has 20 and must pay in proportion to points: A costs 40 = r*3*40 + r*1*40.
    purchases = equal_shares_purchases(
        projects, ballots, TieBreak("lexico").ranks(projects), Fraction(20)
    )
    assert purchases[0].project_id == "A"
    assert purchases[0].payments == (Fraction(20), Fraction(20))


def test_no_voters_selects_nothing_before_completion() -> None:
    result = equal_shares(PROJECTS, 100, [], RANKS, completion="add1-greedy")
    assert result.winners == ("X", "Y")
    assert result.voter_budget is None


def test_free_supported_projects_come_first() -> None:
    projects = [Project("F", 0), *PROJECTS]
    outcome = tally(
        projects, 100, [{**b, "F": 1} for b in BALLOTS], TallyRule("mes", completion="add1")
    )
    assert outcome.winners[0] == "F"
    assert set(outcome.winners) == {"F", "X", "Y"}
