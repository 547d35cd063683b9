"""A pabulib file as a cycle: money in cents, ballot types, rules, skipped voters, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from ballots.model import BallotKind
from ballots.pabulib import parse_pabulib
from proposals.errors import PabulibNotImportable
from proposals.pabulib_cycle import (
    cycle_from_pabulib,
    default_slug,
    source_outcome,
    tie_order_agrees,
)
from tests.unit.ballots.shared_files import load, needs_files

TODAY = date(2026, 3, 1)


def pb_text(vote_type: str, votes: str, meta: str = "", rule: str = "greedy") -> str:
    points = ";points" if vote_type == "cumulative" else ""
    return (
        "META\nkey;value\ndescription;Test budget\nunit;Testville\n"
        f"budget;100\nvote_type;{vote_type}\nrule;{rule}\ncurrency;EUR\n{meta}"
        "PROJECTS\nproject_id;cost;name\n1;60;Park\n2;30;Library\n10;40;Bikes\n"
        f"VOTES\nvoter_id;vote{points}\n{votes}"
    )


def test_money_becomes_cents_and_projects_follow_the_files_id_order() -> None:
    cycle = cycle_from_pabulib(
        parse_pabulib(pb_text("approval", "a;1,2\nb;10\n")),
        slug="test",
        source_name="t.pb",
        today=TODAY,
    )
    assert cycle.scope.budget_cents == 100_00
    assert [(p.source_id, p.title, p.cost_cents) for p in cycle.projects] == [
        ("1", "Park", 60_00),
        ("10", "Bikes", 40_00),
        ("2", "Library", 30_00),
    ]
    assert cycle.settings.project_cost_cap_cents == 60_00
    assert cycle.settings.name == "Testville"  # places read alike in any language
    assert cycle.settings.description == ""  # the cycle page explains the import instead
    assert cycle.settings.content_language == "en"  # the file names no language
    assert any("META language" in note for note in cycle.notes)
    assert cycle.scope.name == "Testville"
    assert cycle.scope.ballot.kind is BallotKind.K_APPROVAL
    assert cycle.scope.ballot.max_choices == 2
    assert [(b.voter_id, dict(b.selections)) for b in cycle.ballots] == [
        ("a", {"1": 1, "2": 1}),
        ("b", {"10": 1}),
    ]


@pytest.mark.parametrize(
    ("vote_type", "votes", "meta", "kind", "parameters"),
    [
        ("choose-1", "a;1\nb;2\n", "", BallotKind.SINGLE_CHOICE, {}),
        ("approval", "a;1\n", "max_length;3\n", BallotKind.K_APPROVAL, {"max_choices": 3}),
        ("ordinal", "a;2,1\nb;10\n", "", BallotKind.K_APPROVAL, {"max_choices": 2}),
        (
            "cumulative",
            "a;1,2;3,4\nb;10;2\n",
            "max_sum_points;5\nmax_points;4\n",
            BallotKind.CUMULATIVE,
            {"points": 7, "max_points_per_project": 4},
        ),
        (
            "cumulative",
            "a;1,2;1,2\n",
            "max_sum_points;10\nmax_points;1\n",
            BallotKind.CUMULATIVE,
            {"points": 10},
        ),
        ("approval", "a;1,2\n", "max_sum_cost;100\n", BallotKind.KNAPSACK, {}),
        ("approval", "a;1,2,10\n", "max_sum_cost;100\n", BallotKind.K_APPROVAL, {"max_choices": 3}),
    ],
)
def test_ballot_types(
    vote_type: str, votes: str, meta: str, kind: BallotKind, parameters: dict[str, int]
) -> None:
    cycle = cycle_from_pabulib(
        parse_pabulib(pb_text(vote_type, votes, meta)),
        slug="test",
        source_name="t.pb",
        today=TODAY,
    )
    spec = cycle.scope.ballot.to_dict()
    assert spec.pop("kind") == kind.value
    assert spec == parameters


@pytest.mark.parametrize(
    ("rule", "meta", "expected"),
    [
        ("greedy", "", {"rule": "greedy", "min_votes": 0, "tie_break": "lexico"}),
        ("greedy-no-skip", "", {"rule": "greedy-stop", "min_votes": 0, "tie_break": "lexico"}),
        (
            "greedy-threshold",
            "min_project_score_threshold;2\n",
            {"rule": "greedy", "min_votes": 2, "tie_break": "lexico"},
        ),
        (
            "equalshares/add1",
            "",
            {
                "rule": "mes",
                "completion": "add1",
                "utilities": "cost",
                "add1_step": 100,
                "min_votes": 0,
                "tie_break": "lexico",
            },
        ),
        (
            "equalshares/add1-comparison",
            "",
            {
                "rule": "mes",
                "completion": "add1-nostop",
                "utilities": "cost",
                "add1_step": 100,
                "min_votes": 0,
                "tie_break": "lexico",
            },
        ),
        ("unknown", "", {"rule": "greedy", "min_votes": 0, "tie_break": "lexico"}),
    ],
)
def test_rules(rule: str, meta: str, expected: dict[str, object]) -> None:
    cycle = cycle_from_pabulib(
        parse_pabulib(pb_text("approval", "a;1\n", meta, rule)),
        slug="test",
        source_name="t.pb",
        today=TODAY,
    )
    assert cycle.rule.as_dict() == expected
    assert any("not one civica implements" in note for note in cycle.notes) == (rule == "unknown")


def test_voters_civica_cannot_take_are_skipped_with_the_reason() -> None:
    cycle = cycle_from_pabulib(
        parse_pabulib(pb_text("cumulative", "a;1;0\nb;2;3\nc;;\n")),
        slug="test",
        source_name="t.pb",
        today=TODAY,
    )
    assert [b.voter_id for b in cycle.ballots] == ["b"]
    assert [voter for voter, _why in cycle.skipped] == ["a", "c"]


def test_a_free_project_is_refused() -> None:
    text = pb_text("approval", "a;1\n").replace("2;30;Library", "2;0;Library")
    with pytest.raises(PabulibNotImportable, match="costs nothing"):
        cycle_from_pabulib(parse_pabulib(text), slug="test", source_name="t.pb", today=TODAY)


def test_another_currency_is_noted() -> None:
    text = pb_text("approval", "a;1\n").replace("currency;EUR", "currency;PLN")
    cycle = cycle_from_pabulib(parse_pabulib(text), slug="t", source_name="t.pb", today=TODAY)
    assert any("PLN" in note for note in cycle.notes)


def test_tie_order_and_slugs() -> None:
    assert tie_order_agrees([("1", 40), ("10", 41), ("2", 42)])
    assert not tie_order_agrees([("1", 9), ("10", 10), ("2", 11)])
    assert not tie_order_agrees([("b", 100), ("a", 99)])
    assert tie_order_agrees([("b", 101), ("a", 100)])
    assert default_slug("Netherlands_Assen_2024") == "netherlands-assen-2024"
    assert default_slug("__") == "imported"


@needs_files
def test_the_files_own_outcome_is_its_published_one() -> None:
    pb = load("Netherlands_Assen_2024")
    cycle = cycle_from_pabulib(pb, slug="assen", source_name="a.pb", today=TODAY)
    funded = {p.project_id for p in pb.projects if p.fields["selected"] == "1"}
    assert set(source_outcome(pb, cycle.rule).winners) == funded


def test_a_file_civica_wrote_in_cents_comes_back_in_cents() -> None:
    text = pb_text("approval", "a;1\n", "civica_money_unit_cents;1\n", "equalshares/add1")
    cycle = cycle_from_pabulib(parse_pabulib(text), slug="t", source_name="t.pb", today=TODAY)
    assert cycle.scope.budget_cents == 100
    assert cycle.projects[0].cost_cents == 60
    assert "add1_step" not in cycle.rule.as_dict()


def test_the_files_language_is_the_language_of_the_cycles_texts() -> None:
    pb = parse_pabulib(pb_text("approval", "a;1\n", meta="language;pl\ninstance;2020\n"))
    cycle = cycle_from_pabulib(pb, slug="test", source_name="t.pb", today=TODAY)
    assert cycle.settings.content_language == "pl"
    assert cycle.settings.name == "Testville 2020"
    assert not any("META language" in note for note in cycle.notes)
