"""The cycle file: the shipped OPP 2018 example loads; each kind of bad file is refused with
the key (and line) at fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ballots.model import BallotKind
from proposals.cycle_file import parse_cycle_file
from proposals.errors import CycleFileInvalid
from proposals.phases import Phase

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "opp-2018.toml"
TEXT = EXAMPLE.read_text(encoding="utf-8")


def problems(text: str, *, json_format: bool = False) -> list[str]:
    with pytest.raises(CycleFileInvalid) as caught:
        parse_cycle_file(text, json_format=json_format)
    return [f"{p.field}: {p.message}" for p in caught.value.problems]


def test_the_opp_2018_example() -> None:
    definition = parse_cycle_file(TEXT)
    settings = definition.settings
    assert settings.slug == "opp-2018"
    assert settings.project_cost_cap_cents == 30_000_000
    assert settings.content_language == "pt-PT"
    assert settings.propose_eligibility.min_age == 18
    assert set(settings.propose_eligibility.statuses) == {"citizen", "legal_resident"}
    names = [s.name for s in definition.scopes]
    assert names == [
        "Nacional",
        "Norte",
        "Centro",
        "Lisboa e Vale do Tejo",
        "Alentejo",
        "Algarve",
        "Açores",
        "Madeira",
    ]
    assert sum(s.budget_cents for s in definition.scopes) == 500_000_000
    assert {s.vote_group for s in definition.scopes} == {"national", "regional"}
    for scope in definition.scopes:
        assert scope.ballot.kind is BallotKind.SINGLE_CHOICE
        assert scope.tally.rule == "greedy"
        assert scope.vote_eligibility.residence == ()
    assert settings.schedule.proposals_at.isoformat() == "2018-01-23T00:00:00+00:00"
    assert settings.schedule.start_of(Phase.VOTING).isoformat() == "2018-06-11T00:00:00+01:00"


def test_json_with_the_same_structure() -> None:
    document = {
        "cycle": {
            "slug": "small",
            "name": "Small",
            "reference_date": "2025-01-01",
            "project_cost_cap_cents": 1000,
            "phases": {
                "proposals": "2025-01-01",
                "review": "2025-02-01",
                "complaints": "2025-03-01",
                "voting": "2025-04-01T09:00",
                "results": "2025-05-01T00:00:00+00:00",
            },
        },
        "scopes": [
            {
                "slug": "all",
                "name": "All",
                "budget_cents": 5000,
                "ballot": {"kind": "k-approval", "max_choices": 3},
            }
        ],
    }
    definition = parse_cycle_file(json.dumps(document), json_format=True)
    assert definition.scopes[0].ballot.max_choices == 3
    assert definition.settings.schedule.voting_at.hour == 9


def replace_line(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[cycle\nslug = 1", "Not valid TOML"),
        (replace_line("review = 2018-04-25", "review = 2017-04-25"), "cycle.phases.review (line"),
        (replace_line("voting = 2018-06-11", "# voting missing"), "cycle.phases.voting"),
        (
            replace_line("budget_cents = 50_000_000              # €500,000", "budget_cents = -5"),
            "scopes[2].budget_cents (line",
        ),
        (
            replace_line("budget_cents = 50_000_000              # €500,000", "budget_cents = 0"),
            "more than zero",
        ),
        (
            replace_line(
                "budget_cents = 50_000_000              # €500,000", 'budget_cents = "500000"'
            ),
            "whole number",
        ),
        (replace_line('name = "Centro"', 'name = "NORTE"'), "already called"),
        (replace_line('slug = "centro"', 'slug = "norte"'), "scopes[3].slug"),
        (replace_line('slug = "centro"', 'slug = "Centro Region"'), "lower-case"),
        (
            replace_line("revoting_allowed = false", "revoting_allowed = false\ncolour = 1"),
            "cycle.colour (line",
        ),
        (
            replace_line("project_cost_cap_cents = 30_000_000", "project_cost_cap_cents = 0"),
            "cycle.project_cost_cap_cents",
        ),
        (replace_line('timezone = "Europe/Lisbon"', 'timezone = "Mars/Olympus"'), "cycle.timezone"),
        (
            replace_line('ballot = { kind = "single-choice" }', 'ballot = { kind = "ranked" }'),
            "unknown ballot kind",
        ),
        (
            replace_line('ballot = { kind = "single-choice" }', 'ballot = { kind = "k-approval" }'),
            "max_choices",
        ),
        (
            replace_line(
                'tally = { rule = "greedy", tie_break = "lexico" }',
                'tally = { rule = "greedy", completion = "add1" }',
            ),
            "completion",
        ),
        (
            replace_line(
                'tally = { rule = "greedy", tie_break = "lexico" }',
                'tally = { rule = "greedy", tie_break = "seeded" }',
            ),
            "seed",
        ),
        (
            replace_line(
                'tally = { rule = "greedy", tie_break = "lexico" }', 'tally = { rule = "borda" }'
            ),
            "rule",
        ),
        (replace_line("min_age = 18\nstatuses", "min_age = -1\nstatuses"), "min_age"),
        (
            replace_line('statuses = ["citizen", "legal_resident"]\n', 'statuses = ["tourist"]\n'),
            "statuses",
        ),
        (
            replace_line("reference_date = 2018-06-11", 'reference_date = "June"'),
            "cycle.reference_date",
        ),
        (
            replace_line(
                'name = "Orçamento Participativo Portugal 2018"', 'name = "' + "x" * 201 + '"'
            ),
            "limit is 200",
        ),
        ('[cycle]\nslug = "x"\n', "scopes"),
        (replace_line('language = "pt-PT"', 'language = "Portuguese"'), "cycle.language"),
        (replace_line('language = "pt-PT"', "language = 351"), "cycle.language"),
    ],
)
def test_bad_files_name_the_key(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found


def test_every_problem_is_reported_at_once() -> None:
    text = replace_line("review = 2018-04-25", "review = 2017-04-25")
    text = text.replace("budget_cents = 50_000_000              # €500,000", "budget_cents = -5")
    text = text.replace('name = "Centro"', 'name = "Norte"')
    found = problems(text)
    assert len(found) == 3, found


def test_bad_json_names_the_line() -> None:
    assert problems('{\n"cycle": }', json_format=True)[0].startswith("line 2")


def test_a_file_without_a_language_takes_the_deployments() -> None:
    text = replace_line('language = "pt-PT"', "")
    assert parse_cycle_file(text).settings.content_language == "en"
    assert parse_cycle_file(text, default_language="pt-PT").settings.content_language == "pt-PT"
    assert (
        parse_cycle_file(
            replace_line('language = "pt-PT"', 'language = "fr_fr"')
        ).settings.content_language
        == "fr-FR"
    )
