"""Reading ballots from forms, and cast tokens."""

from __future__ import annotations

import pytest

from ballots.ballot_form import (
    BallotFormError,
    CastTokenInvalid,
    check_cast_token,
    mint_cast_token,
    read_selections,
)
from ballots.model import BallotKind, BallotSpec

APPROVAL = BallotSpec(BallotKind.K_APPROVAL, max_choices=3)
CUMULATIVE = BallotSpec(BallotKind.CUMULATIVE, points=5)
KEY = b"k" * 32
SESSION = b"s" * 32


def test_approval_fields_become_selections() -> None:
    fields = [("project", "3"), ("project", "7"), ("csrf_token", "x")]
    assert read_selections(APPROVAL, fields, [3, 7, 9]) == {3: 1, 7: 1}


def test_cumulative_fields_become_points_and_zero_is_no_choice() -> None:
    fields = [("points-3", "2"), ("points-7", "0"), ("points-9", " ")]
    assert read_selections(CUMULATIVE, fields, [3, 7, 9]) == {3: 2}


@pytest.mark.parametrize(
    ("spec", "fields"),
    [
        (APPROVAL, [("project", "abc")]),
        (APPROVAL, [("project", "-1")]),
        (APPROVAL, [("project", "99")]),
        (CUMULATIVE, [("points-3", "1.5")]),
        (CUMULATIVE, [("points-x", "1")]),
        (APPROVAL, [("project", "9" * 40)]),
    ],
)
def test_unreadable_or_foreign_choices_are_refused(
    spec: BallotSpec, fields: list[tuple[str, str]]
) -> None:
    with pytest.raises(BallotFormError):
        read_selections(spec, fields, [3, 7, 9])


def test_a_cast_token_binds_choices_scope_and_session() -> None:
    token = mint_cast_token(KEY, SESSION, 4, {3: 1}, now=1000)
    nonce = check_cast_token(KEY, token, SESSION, 4, {3: 1}, now=1001)
    assert nonce == token.split(".")[0]
    with pytest.raises(CastTokenInvalid, match="changed"):
        check_cast_token(KEY, token, SESSION, 4, {7: 1}, now=1001)
    with pytest.raises(CastTokenInvalid):
        check_cast_token(KEY, token, SESSION, 5, {3: 1}, now=1001)
    with pytest.raises(CastTokenInvalid):
        check_cast_token(KEY, token, b"other" * 7, 4, {3: 1}, now=1001)
    with pytest.raises(CastTokenInvalid, match="expired"):
        check_cast_token(KEY, token, SESSION, 4, {3: 1}, now=1000 + 3600)
    with pytest.raises(CastTokenInvalid):
        check_cast_token(KEY, "garbage", SESSION, 4, {3: 1})
