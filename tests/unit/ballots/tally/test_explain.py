"""The rule in plain words: every part of a published rule shows up in its explanation."""

import pytest

from ballots.tally import TallyRule, TieBreak
from ballots.tally.explain import explain_rule
from verification.messages import Message


def text(rule: TallyRule, points: bool = False) -> str:
    sentences = explain_rule(rule, points=points)
    assert all(isinstance(s, Message) for s in sentences), "every sentence is translatable"
    return " ".join(sentences)


def test_greedy_rules() -> None:
    skip = text(TallyRule("greedy", tie_break=TieBreak("lexico")))
    assert "number of votes" in skip
    assert "skipped, and the next one was considered" in skip
    assert "project number, compared as text" in skip
    stop = text(TallyRule("greedy-stop", min_votes=100), points=True)
    assert "points they received" in stop
    assert "stopping at the first project that did not fit" in stop
    assert "fewer than 100 points" in stop
    assert "cheaper project" in stop


@pytest.mark.parametrize(
    ("completion", "expected", "absent"),
    [
        ("none", "stayed unspent", "raised by"),
        ("add1", "raised by €1.00 at a time, until no project left out", "remaining projects"),
        ("add1-nostop", "for as long as the outcome stayed within the budget", "until no project"),
        ("add1-greedy", "remaining projects that fitted, most votes first", "stayed unspent"),
    ],
)
def test_equal_shares(completion: str, expected: str, absent: str) -> None:
    rule = TallyRule.from_dict(
        {
            "rule": "mes",
            "completion": completion,
            "utilities": "cost",
            **({"add1_step": 100} if completion != "none" else {}),
        }
    )
    explained = text(rule)
    assert "Method of Equal Shares" in explained
    assert "benefit from a project was taken to be its cost" in explained
    assert expected in explained
    assert absent not in explained


def test_a_cent_step_cardinal_utilities_and_a_seed() -> None:
    rule = TallyRule(
        "mes", completion="add1", utilities="cardinality", tie_break=TieBreak("seeded", "2026")
    )
    explained = text(rule)
    assert "raised by €0.01 at a time" in explained
    assert "benefit them equally" in explained
    assert "seed “2026”" in explained
