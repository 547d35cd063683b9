import json

import pytest

from ballots.tally import (
    InvalidRuleError,
    Project,
    TallyError,
    TallyRule,
    TieBreak,
    UnknownProjectError,
    count_votes,
    tally,
)


def test_defaults_are_mes_add1_greedy_with_cost_utilities_and_cost_then_id() -> None:
    rule = TallyRule()
    assert rule.as_dict() == {
        "rule": "mes",
        "completion": "add1-greedy",
        "utilities": "cost",
        "min_votes": 0,
        "tie_break": "cost-then-id",
    }
    assert (
        rule.describe()
        == "mes completion=add1-greedy utilities=cost min-votes=0 tie-break=cost-then-id"
    )


@pytest.mark.parametrize(
    "rule",
    [
        TallyRule("greedy"),
        TallyRule("greedy-stop", min_votes=100, tie_break=TieBreak("lexico")),
        TallyRule("mes", completion="add1-nostop", utilities="cardinality"),
        TallyRule("mes", completion="none", tie_break=TieBreak("seeded", "s33d")),
    ],
)
def test_dict_form_round_trips_through_json(rule: TallyRule) -> None:
    assert TallyRule.from_dict(json.loads(json.dumps(rule.as_dict()))) == rule


@pytest.mark.parametrize(
    "data",
    [
        {"rule": "phragmen"},
        {"rule": "greedy", "completion": "add1"},
        {"rule": "mes", "completion": "add2"},
        {"rule": "mes", "utilities": "happiness"},
        {"rule": "greedy", "min_votes": -1},
        {"rule": "greedy", "min_votes": "3"},
        {"rule": "greedy", "colour": "blue"},
        {"rule": "greedy", "tie_break": "seeded"},
    ],
)
def test_invalid_rules_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(InvalidRuleError):
        TallyRule.from_dict(data)


@pytest.mark.parametrize(
    "rule",
    # check_inputs (counts in C) and check_and_index (turns the ballots around for one MES run)
    [TallyRule("greedy"), TallyRule("mes", completion="none")],
    ids=["greedy", "mes-none"],
)
@pytest.mark.parametrize(
    ("projects", "budget", "ballots", "error", "message"),
    [
        ([Project("a", 1), Project("a", 2)], 10, [], TallyError, "appears twice"),
        ([Project("", 1)], 10, [], TallyError, "empty id"),
        ([Project("a", -1)], 10, [], TallyError, "cost of project 'a'"),
        ([Project("a", 1)], -10, [], TallyError, "budget"),
        ([Project("a", 1)], 10, [{"a": 1}, {"b": 1}], UnknownProjectError, "ballot 1 .* 'b'"),
        ([Project("a", 1)], 10, [{"a": -1}], TallyError, "ballot 0 gives 'a' a weight of -1"),
        ([Project("a", 1)], 10, [{"a": True}], TallyError, "weight of True"),
        ([Project("a", 1)], 10, [{"a": 0}, {"a": False}], TallyError, "weight of False"),
        ([Project("a", 1)], 10, [{"a": "1"}], TallyError, "weight of '1'"),
        ([Project("a", 1)], 10, [{"a": 1.5}], TallyError, "weight of 1.5"),
        ([Project("a", 1)], 10, [{"a": 1}, {"a": 1.0}], TallyError, "ballot 1 .* weight of 1.0"),
        ([Project("a", 1)], 10, [{"a": 2}, {"a": True}], TallyError, "ballot 1 .* weight of True"),
        ([Project("a", 1)], 10, [{"a": 1}, {"a": -2}], TallyError, "ballot 1 .* weight of -2"),
    ],
)
def test_bad_inputs_raise_typed_errors(
    projects: list[Project],
    budget: int,
    ballots: list[dict[str, int]],
    error: type[Exception],
    message: str,
    rule: TallyRule,
) -> None:
    with pytest.raises(error, match=message):
        tally(projects, budget, ballots, rule)


def test_outcome_as_dict_is_json_ready() -> None:
    outcome = tally(
        [Project("a", 5), Project("b", 7)], 10, [{"a": 1}, {"a": 1, "b": 1}], TallyRule()
    )
    data = json.loads(json.dumps(outcome.as_dict()))
    assert data["winners"] == ["a"]
    assert data["total_cost"] == 5
    assert data["votes"] == {"a": 2, "b": 1}
    assert data["rule"]["rule"] == "mes"
    assert data["voter_budget"] is not None


def test_counts_ignore_zero_weights() -> None:
    counts = count_votes([Project("a", 1), Project("b", 1)], [{"a": 2, "b": 0}, {"a": 1}])
    assert counts.votes == {"a": 2, "b": 0}
    assert counts.scores == {"a": 3, "b": 0}
