"""The two input checks agree: `check_inputs` (counts in C) and `check_and_index` (turns the
ballots around for one MES run, reading weights in the same pass or, when the first ballot looks
like an approval ballot and a later one is not, from the ballots afterwards)."""

from hypothesis import given
from hypothesis import strategies as st

from ballots.tally import Ballot, Project
from ballots.tally.model import check_and_index, check_inputs, index_ballots

IDS = "abcde"
weights = st.integers(0, 3)
ballot_lists = st.lists(st.dictionaries(st.sampled_from(IDS), weights, max_size=5), max_size=12)


def _supporters_read_directly(ballots: list[Ballot]) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for position, ballot in enumerate(ballots):
        for project_id, weight in ballot.items():
            if weight:
                found.setdefault(project_id, []).append((position, weight))
    return found


@given(ballot_lists, st.dictionaries(st.sampled_from(IDS), st.just(1), max_size=5))
def test_the_index_lists_each_projects_supporters_with_their_weights(
    ballots: list[Ballot], first: Ballot
) -> None:
    for case in (ballots, [first, *ballots]):  # the second starts with an approval ballot
        projects = [Project(project_id, 1) for project_id in IDS]
        index = check_and_index(projects, 10, case)
        expected = _supporters_read_directly(case)
        assert index.ballots == len(case)
        assert set(index.supporters) == set(index.weights) == set(expected)
        for project_id, pairs in expected.items():
            assert index.supporters[project_id] == [position for position, _ in pairs]
            assert index.weights[project_id] == [weight for _, weight in pairs]
        assert index.summary == check_inputs(projects, 10, case)
        assert index_ballots(case) == index


def test_an_approval_ballot_first_then_points_and_zeros() -> None:
    projects = [Project("a", 1), Project("b", 1), Project("c", 1)]
    ballots: list[Ballot] = [{"a": 1, "b": 1}, {"a": 3, "c": 0}, {"b": 2}, {"c": 0}]
    index = check_and_index(projects, 10, ballots)
    assert index.supporters == {"a": [0, 1], "b": [0, 2]}
    assert index.weights == {"a": [1, 3], "b": [1, 2]}
    assert index.summary.named == {"a", "b", "c"}
    assert index.summary.votes == {"a": 2, "b": 2}
    assert index.summary.scores == {"a": 4, "b": 3}
    assert index.summary.weights == {0, 1, 2, 3}
