import hashlib

import pytest

from ballots.tally import InvalidRuleError, Project, TieBreak

PROJECTS = [Project("9", 100), Project("10", 100), Project("2", 50), Project("b", 7)]


def test_lexico_compares_ids_as_strings() -> None:
    assert [p.id for p in TieBreak("lexico").order(PROJECTS)] == ["10", "2", "9", "b"]


def test_cost_then_id() -> None:
    assert [p.id for p in TieBreak("cost-then-id").order(PROJECTS)] == ["b", "2", "10", "9"]


def test_seeded_order_is_sha256_of_seed_and_id() -> None:
    seed = "published-2024-03-01"
    expected = sorted(PROJECTS, key=lambda p: hashlib.sha256((seed + p.id).encode()).digest())
    assert TieBreak("seeded", seed).order(PROJECTS) == expected
    assert TieBreak("seeded", seed).ranks(PROJECTS) == {p.id: i for i, p in enumerate(expected)}
    assert TieBreak("seeded", "other").order(PROJECTS) != expected or len(PROJECTS) < 2


@pytest.mark.parametrize(("name", "seed"), [("seeded", None), ("lexico", "x"), ("random", None)])
def test_invalid_tie_breaks(name: str, seed: str | None) -> None:
    with pytest.raises(InvalidRuleError):
        TieBreak.parse(name, seed)


def test_describe() -> None:
    assert TieBreak().describe() == "cost-then-id"
    assert TieBreak("seeded", "abc").describe() == "seeded:abc"
