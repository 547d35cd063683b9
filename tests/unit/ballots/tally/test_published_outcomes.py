"""The outcomes the cities actually funded (PROJECTS `selected`), recomputed from the ballots.

Files with a `selected` column, with the rule their META names and the civica rule that
reproduces it:

- Gdynia 2021, `greedy-no-skip`: greedy-stop (META min_project_score_threshold 1000 applied too;
  it excludes nothing here). Greedy with skip would add OGM/0013 and OGM/0018.
- Łódź 2022, `greedy-threshold`: greedy with min_votes = META min_project_score_threshold (100).
  The winners cost exactly the budget, so the threshold changes nothing in this file.
- Warszawa 2020 Praga-Południe, `greedy`: greedy with skip.
- Assen 2024, `equalshares/add1`: MES, cost utilities, Add1 (pabutools' variant; Add1 without the
  exhaustive stop gives the same). Not followed by greedy: greedy would add project 7.
- Świecie 2023, `equalshares/add1`: MES, cost utilities, Add1 (every Add1 variant agrees).
- Wieliczka 2023 Green Budget, `equalshares/add1-comparison`: MES, cost utilities, Add1 without
  the exhaustive stop (equalshares.net, whose comparison step kept MES). pabutools' Add1 stops
  at an earlier exhaustive outcome that lacks 46 and has 66 and 67.

Toulouse 2019, Częstochowa 2020, Gdańsk 2020, Kraków 2018 (META rule `greedy`) and Zürich S5R
(`unknown`) have no `selected` column, so there is no published outcome to compare with.
"""

import pytest

from ballots.tally import TallyRule, TieBreak, tally
from tests.unit.ballots.shared_files import NAMES, load, needs_files

CASES = {
    "Poland_Gdynia_2021": TallyRule("greedy-stop", min_votes=1000),
    "Poland_Lodz_2022": TallyRule("greedy", min_votes=100),
    "Poland_Warszawa_2020_Praga-Poludnie": TallyRule("greedy"),
    "Netherlands_Assen_2024": TallyRule("mes", completion="add1"),
    "Poland_Swiecie_2023": TallyRule("mes", completion="add1"),
    "Poland_Wieliczka_2023_Green_Budget": TallyRule("mes", completion="add1-nostop"),
}
WITHOUT_SELECTED = {
    "France_Toulouse_2019",
    "Poland_Czestochowa_2020_Grabowka",
    "Poland_Gdansk_2020",
    "Poland_Krakow_2018",
    "Switzerland_Zurich_S5R",
}


@needs_files
def test_every_shared_file_is_accounted_for() -> None:
    assert set(NAMES) == set(CASES) | WITHOUT_SELECTED
    for name in WITHOUT_SELECTED:
        assert "selected" not in load(name).project_columns


@needs_files
@pytest.mark.parametrize("tie_break", ["lexico", "cost-then-id"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_published_outcome_is_reproduced(name: str, tie_break: str) -> None:
    pb = load(name)
    rule = CASES[name]
    rule = TallyRule.from_dict({**rule.as_dict(), "tie_break": tie_break})
    if "min_project_score_threshold" in pb.meta:
        assert rule.min_votes == int(pb.meta["min_project_score_threshold"])
    funded = {p.project_id for p in pb.projects if p.fields["selected"] == "1"}
    outcome = tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), rule)
    assert set(outcome.winners) == funded
    assert outcome.total_cost <= pb.budget


@needs_files
def test_wieliczka_needs_add1_without_the_exhaustive_stop() -> None:
    pb = load("Poland_Wieliczka_2023_Green_Budget")
    rule = TallyRule("mes", completion="add1", tie_break=TieBreak("lexico"))
    winners = set(tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), rule).winners)
    funded = {p.project_id for p in pb.projects if p.fields["selected"] == "1"}
    assert funded - winners == {"46"}
    assert winners - funded == {"66", "67"}


@needs_files
def test_gdynia_is_not_greedy_with_skip() -> None:
    pb = load("Poland_Gdynia_2021")
    winners = tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), TallyRule("greedy")).winners
    assert set(winners) == {"OGM/0015", "OGM/0013", "OGM/0018"}
