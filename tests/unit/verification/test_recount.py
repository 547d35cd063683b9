"""Recount: opening, validity, last-ballot-counts per (alias, vote group), tallies, line bytes."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballots.model import BallotKind, BallotSpec
from ballots.rules import InvalidBallot, validate_ballot
from tests.support.election import TestElection, rule, scope
from verification.formats import (
    BallotContent,
    Channel,
    canonical_json,
    decode_entry,
    encode_ballot,
)
from verification.recount import (
    COUNTED,
    INVALID,
    SUPERSEDED,
    OpenedBallot,
    Recount,
    RecountResult,
    ballot_line,
    recount_entries,
)


def _election() -> TestElection:
    return TestElection(
        [
            scope(1, "nacional", 100, {11: 60, 12: 50, 13: 40}, vote_group="national"),
            scope(2, "norte", 100, {21: 70, 22: 30}, vote_group="regional"),
            scope(
                3,
                "centro",
                100,
                {31: 60, 32: 60},
                vote_group="regional",
                ballot=BallotSpec(BallotKind.KNAPSACK),
            ),
        ],
        seed="recount",
    )


def _recount(election: TestElection) -> tuple[list[OpenedBallot], RecountResult]:
    return recount_entries(election.manifest, bytes(election.keys.sealing_key), election.entries)


def test_the_last_valid_ballot_of_each_voter_and_vote_group_counts() -> None:
    election = _election()
    election.cast("ana", 1, {11: 1})
    election.cast("ana", 2, {21: 1})  # regional group
    election.cast("ana", 3, {31: 1})  # same group, another scope: supersedes the one above
    election.cast("ana", 1, {12: 1})  # supersedes her first national ballot
    election.cast("ana", 3, {31: 1, 32: 1})  # over budget: invalid, supersedes nothing
    opened, result = _recount(election)
    statuses = [result.status(ballot) for ballot in opened]
    assert statuses == [SUPERSEDED, SUPERSEDED, COUNTED, COUNTED, INVALID]
    assert opened[4].reason == "over-budget"
    assert opened[4].selections == ((31, 1), (32, 1))
    by_scope = {s.scope_id: s for s in result.scopes}
    assert (by_scope[1].counted, by_scope[1].superseded, by_scope[1].invalid) == (1, 1, 0)
    assert (by_scope[2].counted, by_scope[2].superseded, by_scope[2].invalid) == (0, 1, 0)
    assert (by_scope[3].counted, by_scope[3].superseded, by_scope[3].invalid) == (1, 0, 1)
    assert by_scope[1].projects == ((11, 0, 0), (12, 1, 1), (13, 0, 0))


def test_voters_are_told_apart_by_alias() -> None:
    election = _election()
    election.cast("ana", 1, {11: 1})
    election.cast("rui", 1, {11: 1})
    opened, result = _recount(election)
    assert [result.status(ballot) for ballot in opened] == [COUNTED, COUNTED]
    assert result.scopes[0].projects[0] == (11, 2, 2)


def test_a_ballot_that_does_not_open_or_parse_is_malformed() -> None:
    election = _election()
    election.cast("ana", 1, {}, plaintext=b'{"format":"civica-ballot/1"}'.ljust(256, b"\x00"))
    election.cast("rui", 1, {}, plaintext=b"x" * 255 + b"\x00")
    # A valid ballot for scope 2 sealed inside an entry of scope 1.
    election.append(
        election.entry_for("eva", 1, {}, plaintext=_plaintext(2, {21: 1}), label="mismatch")
    )
    # Non-minimal padding: a second block of zeros.
    election.cast("gil", 1, {}, plaintext=_plaintext(1, {11: 1}) + b"\x00" * 256)
    opened, result = _recount(election)
    assert [ballot.reason for ballot in opened] == ["malformed"] * 4
    assert all(ballot.selections is None for ballot in opened)
    assert [result.status(ballot) for ballot in opened] == [INVALID] * 4


def test_a_wrong_key_makes_every_ballot_malformed() -> None:
    election = _election()
    election.cast("ana", 1, {11: 1})
    counter = Recount(election.manifest, bytes(32))
    entry = decode_entry(election.entries[0])
    ballot = counter.add(0, entry.scope_id, entry.alias, entry.channel, entry.sealed_ballot)
    assert ballot.reason == "malformed"


def test_an_entry_for_an_unknown_scope_is_invalid() -> None:
    election = _election()
    counter = Recount(election.manifest, bytes(election.keys.sealing_key))
    ballot = counter.add(0, 99, bytes(32), Channel.WEB, b"\x00" * 304)
    assert ballot.reason == "unknown-scope"
    assert counter.finish().status(ballot) == INVALID


def test_entries_must_come_in_index_order() -> None:
    election = _election()
    counter = Recount(election.manifest, bytes(election.keys.sealing_key))
    counter.add(3, 99, bytes(32), Channel.WEB, b"\x00" * 304)
    with pytest.raises(ValueError, match="index order"):
        counter.add(2, 99, bytes(32), Channel.WEB, b"\x00" * 304)


def test_scopes_are_tallied_with_their_rules() -> None:
    election = TestElection(
        [
            scope(1, "greedy", 100, {1: 60, 2: 50, 3: 40}, tally=rule("greedy")),
            scope(2, "stop", 100, {4: 60, 5: 50, 6: 40}, tally=rule("greedy-stop"), vote_group="b"),
        ],
        seed="rules",
    )
    # 3 votes for the first project (cost 60), 2 for the second (50), 1 for the third (40).
    for voter, choices in [("a", (1, 4)), ("b", (1, 4)), ("c", (1, 4)), ("d", (2, 5))]:
        election.cast(voter, 1, {choices[0]: 1})
        election.cast(voter, 2, {choices[1]: 1})
    for voter, choices in [("e", (2, 5)), ("f", (3, 6))]:
        election.cast(voter, 1, {choices[0]: 1})
        election.cast(voter, 2, {choices[1]: 1})
    _, result = _recount(election)
    greedy, stop = result.scopes
    # Greedy skips the second project (50 does not fit in 40) and takes the third;
    # greedy-stop stops at the second.
    assert (greedy.winners, greedy.total_cost_cents) == ((1, 3), 100)
    assert (stop.winners, stop.total_cost_cents) == ((4,), 60)


_selections = st.dictionaries(
    st.integers(min_value=0, max_value=2**53 - 1),
    st.integers(min_value=1, max_value=1000),
    max_size=5,
)


@given(
    position=st.integers(min_value=0, max_value=2**40),
    scope_id=st.integers(min_value=0, max_value=2**32 - 1),
    alias=st.binary(min_size=32, max_size=32),
    channel=st.sampled_from(list(Channel)),
    selections=st.one_of(st.none(), _selections),
    reason=st.sampled_from([None, "malformed", "over-budget", "too-many-points"]),
    status=st.sampled_from([COUNTED, SUPERSEDED, INVALID]),
)
def test_ballot_lines_are_canonical_json(
    position: int,
    scope_id: int,
    alias: bytes,
    channel: Channel,
    selections: dict[int, int] | None,
    reason: str | None,
    status: str,
) -> None:
    pairs = None if selections is None else tuple(sorted(selections.items()))
    as_json = canonical_json(None if pairs is None else [list(p) for p in pairs])
    ballot = OpenedBallot(position, scope_id, alias, channel, pairs, reason, as_json)
    expected = {
        "index": position,
        "scope": scope_id,
        "alias": alias.hex(),
        "channel": {Channel.WEB: "web", Channel.DESK: "desk"}[channel],
        "selections": None if pairs is None else [list(p) for p in pairs],
        "status": status,
        "reason": reason,
    }
    line = ballot_line(ballot, status)
    assert line == canonical_json(expected) + b"\n"
    assert json.loads(line) == expected


def _plaintext(scope_id: int, selections: dict[int, int]) -> bytes:
    return encode_ballot(BallotContent(scope_id, selections))


_CASTS = st.lists(
    st.tuples(
        st.sampled_from(["ana", "rui", "eva", "gil"]),
        st.sampled_from([1, 2, 3]),
        st.sets(st.sampled_from([11, 12, 13, 21, 22, 31, 32]), max_size=3),
    ),
    max_size=14,
)


@settings(max_examples=60, deadline=None)
@given(casts=_CASTS)
def test_the_recount_equals_counting_what_was_cast(
    casts: list[tuple[str, int, set[int]]],
) -> None:
    election = _election()
    for voter, scope_id, projects in casts:
        election.cast(voter, scope_id, dict.fromkeys(projects, 1))
    opened, result = _recount(election)
    # The model: validity by the scope's rules, then the last valid ballot per voter and group.
    groups = {1: "national", 2: "regional", 3: "regional"}
    last: dict[tuple[str, str], int] = {}
    for index, (voter, scope_id, projects) in enumerate(casts):
        rules = election.manifest.scope(scope_id).rules  # type: ignore[union-attr]
        try:
            validate_ballot(rules, dict.fromkeys(projects, 1))
        except InvalidBallot:
            continue
        last[(voter, groups[scope_id])] = index
    counted = set(last.values())
    assert result.counted_indexes == counted
    for outcome in result.scopes:
        for project, votes, points in outcome.projects:
            expected = sum(
                1 for i in counted if casts[i][1] == outcome.scope_id and project in casts[i][2]
            )
            assert (votes, points) == (expected, expected)
    assert [result.status(b) == COUNTED for b in opened] == [
        i in counted for i in range(len(casts))
    ]
