"""Add1 with a step of more than one money unit (`add1_step`).

A city that runs the Method of Equal Shares in whole euros raises every voter's budget one euro
at a time; civica keeps money in cents, so it declares `add1_step` = 100. Scaling every cost and
the budget by s and stepping s units gives exactly the outcome of stepping one unit on the
unscaled election (a run's outcome does not change when all money is scaled alike).
"""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballots.tally import (
    Ballot,
    InvalidRuleError,
    Project,
    TallyRule,
    TieBreak,
    Utilities,
    equal_shares,
    equal_shares_fixed,
    tally,
)
from tests.unit.ballots.shared_files import load, needs_files
from tests.unit.ballots.tally.test_properties import elections, tie_breaks


def stepped_add1(
    projects: list[Project],
    budget: int,
    ballots: list[Ballot],
    ranks: dict[str, int],
    utilities: Utilities,
    stop_when_exhaustive: bool,
    step: int,
) -> tuple[tuple[str, ...], Fraction | None]:
    """Add1 stepping `step` units per voter, one plain run per step (the specification)."""
    start = Fraction(budget, len(ballots))
    cost = {p.id: p.cost for p in projects}
    supported = {pid for ballot in ballots for pid, w in ballot.items() if w > 0}
    funded = [p for p in projects if p.cost > 0 and p.id in supported]
    previous = tuple(
        sorted((p.id for p in projects if p.cost == 0 and p.id in supported), key=ranks.__getitem__)
    )
    previous_budget = None
    for k in range(budget // step + 1):
        voter_budget = start + k * step
        winners = equal_shares_fixed(projects, ballots, ranks, voter_budget, utilities=utilities)
        spent = sum(cost[pid] for pid in winners)
        if spent > budget:
            break
        if stop_when_exhaustive and all(
            p.cost > budget - spent for p in funded if p.id not in winners
        ):
            return winners, voter_budget
        previous, previous_budget = winners, voter_budget
    return previous, previous_budget


@settings(max_examples=200, deadline=None)
@given(
    elections(),
    st.sampled_from(["cost", "cardinality"]),
    tie_breaks,
    st.booleans(),
    st.integers(2, 7),
)
def test_a_larger_step_equals_plain_stepping(
    election: tuple[list[Project], int, list[Ballot]],
    utilities: Utilities,
    tie_break: TieBreak,
    nostop: bool,
    step: int,
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
        add1_step=step,
    )
    assert (fast.winners, fast.voter_budget) == stepped_add1(
        projects, budget, ballots, ranks, utilities, not nostop, step
    )


@settings(max_examples=200, deadline=None)
@given(
    elections(),
    st.sampled_from(["add1", "add1-greedy", "add1-nostop", "add1-nostop-greedy"]),
    st.sampled_from(["cost", "cardinality"]),
    tie_breaks,
    st.integers(2, 150),
)
def test_scaled_money_with_a_matching_step_gives_the_same_outcome(
    election: tuple[list[Project], int, list[Ballot]],
    completion: str,
    utilities: Utilities,
    tie_break: TieBreak,
    scale: int,
) -> None:
    projects, budget, ballots = election
    rule = TallyRule("mes", completion=completion, utilities=utilities, tie_break=tie_break)  # type: ignore[arg-type]
    scaled_rule = TallyRule.from_dict({**rule.as_dict(), "add1_step": scale})
    whole = tally(projects, budget, ballots, rule)
    scaled = tally(
        [Project(p.id, p.cost * scale) for p in projects], budget * scale, ballots, scaled_rule
    )
    assert scaled.winners == whole.winners
    if whole.voter_budget is not None:
        assert scaled.voter_budget == whole.voter_budget * scale


@needs_files
@pytest.mark.parametrize(
    ("name", "completion"),
    [("Netherlands_Assen_2024", "add1"), ("Poland_Swiecie_2023", "add1")],
)
def test_real_files_in_cents_with_a_step_of_one_euro(name: str, completion: str) -> None:
    pb = load(name)
    rule = TallyRule("mes", completion=completion, tie_break=TieBreak("lexico"))  # type: ignore[arg-type]
    in_cents = TallyRule.from_dict({**rule.as_dict(), "add1_step": 100})
    whole = tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), rule)
    cents = tally(
        [Project(p.id, p.cost * 100) for p in pb.tally_projects()],
        pb.budget * 100,
        pb.tally_ballots(),
        in_cents,
    )
    assert cents.winners == whole.winners
    funded = {p.project_id for p in pb.projects if p.fields["selected"] == "1"}
    assert set(cents.winners) == funded


def test_the_step_is_published_only_when_it_is_not_one() -> None:
    rule = TallyRule("mes", completion="add1", tie_break=TieBreak("lexico"))
    assert "add1_step" not in rule.as_dict()
    stepped = TallyRule.from_dict({**rule.as_dict(), "add1_step": 100})
    assert stepped.as_dict()["add1_step"] == 100
    assert TallyRule.from_dict(stepped.as_dict()) == stepped
    assert "add1-step=100" in stepped.describe()


@pytest.mark.parametrize(
    "data",
    [
        {"rule": "greedy", "add1_step": 100},
        {"rule": "mes", "completion": "none", "add1_step": 100},
        {"rule": "mes", "completion": "add1", "add1_step": 0},
        {"rule": "mes", "completion": "add1", "add1_step": True},
        {"rule": "mes", "completion": "add1", "add1_step": "100"},
    ],
)
def test_a_step_is_refused_where_it_means_nothing(data: dict[str, object]) -> None:
    with pytest.raises(InvalidRuleError):
        TallyRule.from_dict(data)


def test_stepping_cents_instead_of_euros_can_change_the_outcome() -> None:
    """Why the step matters: Add1 in euros and Add1 in cents stop at different outcomes here."""
    projects = [Project("a", 5), Project("b", 2), Project("c", 9)]
    ballots: list[Ballot] = [{"a": 1, "c": 1}, {"c": 1}, {"a": 1, "b": 1, "c": 1}, {"b": 1}]
    rule = TallyRule("mes", completion="add1", tie_break=TieBreak("lexico"))
    in_euros = tally(projects, 9, ballots, rule)
    in_cents = [Project(p.id, p.cost * 100) for p in projects]
    cent_steps = tally(in_cents, 900, ballots, rule)
    euro_steps = tally(
        in_cents, 900, ballots, TallyRule.from_dict({**rule.as_dict(), "add1_step": 100})
    )
    assert in_euros.winners == ("b",)
    assert cent_steps.winners == ("a", "b")
    assert euro_steps.winners == in_euros.winners
