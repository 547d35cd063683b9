"""Texts, scopes, proposals and projects: what is refused and with which field named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from proposals.model import Area, ProjectDraft, ProposalDraft, Scope
from proposals.tally_choice import TallyChoice, TallyChoiceError, tally_from_dict
from proposals.validation import (
    clean_text,
    cycle_problems,
    project_problems,
    proposal_problems,
    scope_problems,
    text_problem,
)
from tests.support.proposals import cycle_settings, scope_settings

SCOPES = [Scope(1, 1, 0, scope_settings("Norte", 20_000_000))]
AREAS = [Area(1, 1, "Culture", 0)]
CAP = 30_000_000


def fields(problems: list) -> set[str]:  # type: ignore[type-arg]
    return {p.field for p in problems}


def test_text_is_normalised_and_bounded() -> None:
    assert clean_text("  a\r\nb  ", multiline=True) == "a\nb"
    assert clean_text(" a \n  b ") == "a b"
    assert clean_text("cafe\u0301") == "café"
    assert text_problem("t", "", 10) is not None
    assert text_problem("t", "", 10, required=False) is None
    assert text_problem("t", "x" * 11, 10) is not None
    assert text_problem("t", "nul\x00", 10) is not None
    assert text_problem("t", "ok\ttab\nline", 20) is None


def test_a_proposal_within_the_cap() -> None:
    draft = ProposalDraft(1, 1, "Benches", "Benches in the park", "", 100_000)
    assert proposal_problems(draft, CAP, SCOPES, AREAS) == []
    for cents in (0, -100, CAP + 1):
        bad = replace(draft, estimated_cost_cents=cents)
        assert fields(proposal_problems(bad, CAP, SCOPES, AREAS)) == {"estimated_cost"}
    bad = replace(draft, scope_id=99, area_id=None, title="", description="x" * 5001)
    assert fields(proposal_problems(bad, CAP, SCOPES, AREAS)) == {
        "scope",
        "area",
        "title",
        "description",
    }


def test_a_project_fits_the_cap_and_its_scope_budget() -> None:
    draft = ProjectDraft(1, 1, "Benches", "Benches", "", 20_000_000)
    assert project_problems(draft, CAP, SCOPES, AREAS) == []
    over_budget = replace(draft, cost_cents=20_000_001)
    assert fields(project_problems(over_budget, CAP, SCOPES, AREAS)) == {"cost"}


def test_scope_names_are_unique_whatever_the_case() -> None:
    norte = scope_settings("Norte")
    assert fields(scope_problems(replace(norte, slug="other"), [norte])) == {"name"}
    assert fields(scope_problems(replace(norte, name="Other"), [norte])) == {"slug"}
    assert fields(scope_problems(replace(norte, budget_cents=0), [])) == {"budget"}
    assert fields(scope_problems(replace(norte, vote_group="Big Group"), [])) == {"vote_group"}


def test_cycle_settings() -> None:
    good = cycle_settings()
    assert cycle_problems(good) == []
    bad = replace(good, slug="Bad Slug", areas=("Culture", "culture"), identity_providers=("x",))
    assert fields(cycle_problems(bad)) == {"slug", "areas", "identity_providers"}


def test_tally_choice_keeps_exactly_six_keys() -> None:
    assert tally_from_dict({"rule": "mes", "completion": "add1-greedy"}).to_dict() == {
        "rule": "mes",
        "completion": "add1-greedy",
        "min_votes": None,
        "utilities": "cost",
        "tie_break": "lexico",
        "seed": None,
    }
    assert TallyChoice(tie_break="seeded", seed=42).seed == 42


@pytest.mark.parametrize(
    "bad",
    [
        {"rule": "x"},
        {"rule": "greedy", "extra": 1},
        {"tie_break": "seeded"},
        {"seed": 3},
        {"min_votes": -1},
        {"utilities": "joy"},
        "greedy",
    ],
)
def test_bad_tally_choices_are_refused(bad: object) -> None:
    with pytest.raises(TallyChoiceError, match=r"\w"):
        tally_from_dict(bad)
