"""Winner sets identical to pabutools 1.2.3 on the shared files, with tie-breaking set to agree.

pabutools' calls are in bench/pabutools_rules.py (lexicographic tie-breaking = civica `lexico`;
ordinal ballots as approvals; cumulative ballots by points). Combinations where pabutools takes
more than a few seconds run only with `-m slow`.
"""

import functools
from typing import Any

import pytest

from ballots.tally import TallyRule, TieBreak, tally
from bench import pabutools_rules
from tests.unit.ballots.shared_files import NAMES, load, needs_files, path

SMALL = {
    "Netherlands_Assen_2024",
    "Poland_Czestochowa_2020_Grabowka",
    "Switzerland_Zurich_S5R",
    "France_Toulouse_2019",
    "Poland_Swiecie_2023",
    "Poland_Wieliczka_2023_Green_Budget",
}
QUICK_ADD1 = {("Switzerland_Zurich_S5R", "cost"), ("Switzerland_Zurich_S5R", "cardinality")}
RULES = [
    ("greedy", "cost"),
    ("mes-none", "cost"),
    ("mes-none", "cardinality"),
    ("mes-add1", "cost"),
    ("mes-add1", "cardinality"),
    ("mes-add1-greedy", "cost"),
    ("mes-add1-greedy", "cardinality"),
    ("mes-add1-nostop", "cost"),
]


def _quick(name: str, rule: str, utilities: str) -> bool:
    if rule in ("greedy", "mes-none"):
        return name in SMALL
    if name == "Netherlands_Assen_2024":
        return (rule, utilities) == ("mes-add1", "cost")
    return (name, utilities) in QUICK_ADD1 and rule != "mes-add1-nostop"


CASES = [
    pytest.param(
        name, rule, utilities, marks=() if _quick(name, rule, utilities) else pytest.mark.slow
    )
    for name in NAMES
    for rule, utilities in RULES
]


@functools.cache
def _pabutools_election(name: str) -> tuple[Any, Any]:
    return pabutools_rules.load(str(path(name)))


def _civica_rule(rule: str, utilities: str) -> TallyRule:
    lexico = TieBreak("lexico")
    if rule == "greedy":
        return TallyRule("greedy", tie_break=lexico)
    completion = rule.removeprefix("mes-")
    return TallyRule("mes", completion=completion, utilities=utilities, tie_break=lexico)  # type: ignore[arg-type]


@needs_files
@pytest.mark.parametrize(("name", "rule", "utilities"), CASES)
def test_same_winners_as_pabutools(name: str, rule: str, utilities: str) -> None:
    pb = load(name)
    ours = tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), _civica_rule(rule, utilities))
    instance, profile = _pabutools_election(name)
    build = (
        pabutools_rules.RULES[rule]
        if utilities == "cost"
        else pabutools_rules.mes(rule.removeprefix("mes-"), utilities)
    )
    theirs = {project.name for project in build(instance, profile)()}
    assert set(ours.winners) == theirs
