import pytest

from ballots.tally import Project, TallyRule, TieBreak, tally

PROJECTS = [Project("A", 50), Project("B", 40), Project("C", 30), Project("D", 10)]
BALLOTS = (
    [{"A": 1, "B": 1, "C": 1, "D": 1}] * 2
    + [{"A": 1, "B": 1, "C": 1}]
    + [{"A": 1, "B": 1}]
    + [{"A": 1}]
)


@pytest.mark.parametrize(
    ("rule", "winners"),
    [
        (TallyRule("greedy"), ("A", "B", "D")),
        (TallyRule("greedy-stop"), ("A", "B")),
        (TallyRule("greedy", min_votes=3), ("A", "B")),
    ],
)
def test_greedy_variants(rule: TallyRule, winners: tuple[str, ...]) -> None:
    outcome = tally(PROJECTS, 100, BALLOTS, rule)
    assert outcome.winners == winners
    assert outcome.total_cost == sum(p.cost for p in PROJECTS if p.id in winners)
    assert outcome.votes == {"A": 5, "B": 4, "C": 3, "D": 2}


def test_cumulative_ballots_rank_by_points_not_voters() -> None:
    projects = [Project("A", 60), Project("B", 60)]
    ballots = [{"A": 1}, {"A": 1}, {"B": 5}]
    outcome = tally(projects, 100, ballots, TallyRule("greedy"))
    assert outcome.winners == ("B",)
    assert outcome.votes == {"A": 2, "B": 1}
    assert outcome.scores == {"A": 2, "B": 5}


@pytest.mark.parametrize(
    ("tie_break", "winner"),
    [(TieBreak("lexico"), "10"), (TieBreak("cost-then-id"), "9")],
)
def test_ties_follow_the_declared_tie_break(tie_break: TieBreak, winner: str) -> None:
    projects = [Project("9", 50), Project("10", 60)]
    ballots = [{"9": 1}, {"10": 1}]
    outcome = tally(projects, 60, ballots, TallyRule("greedy", tie_break=tie_break))
    assert outcome.winners == (winner,)


def test_projects_without_votes_fill_what_is_left_unless_a_threshold_excludes_them() -> None:
    projects = [Project("A", 50), Project("B", 10)]
    assert tally(projects, 100, [{"A": 1}], TallyRule("greedy")).winners == ("A", "B")
    assert tally(projects, 100, [{"A": 1}], TallyRule("greedy", min_votes=1)).winners == ("A",)


def test_no_ballots_and_zero_budget() -> None:
    assert tally(PROJECTS, 0, BALLOTS, TallyRule("greedy")).winners == ()
    assert tally(PROJECTS, 100, [], TallyRule("greedy-stop")).winners == ("D", "C", "B")
