"""Reading a ballot from a submitted form, and the token that carries it from review to cast.

Approval-style ballots submit one `project` field per chosen project; cumulative ballots submit
`points-<project id>` fields. The review page carries the choices to the cast step in hidden
fields with a cast token: an HMAC over the session, scope, choices and expiry plus a random
nonce, so hidden fields cannot be altered and a cast cannot be submitted twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

from ballots.model import BallotKind, BallotSpec
from verification.formats import canonical_json

MAX_FIELD_LENGTH = 12
CAST_TOKEN_LIFETIME_S = 30 * 60


class BallotFormError(ValueError):
    """The submitted choices cannot be read; the message is fit to show the voter."""


class CastTokenInvalid(ValueError):
    """The cast token does not match the choices, has expired, or was forged."""


def read_selections(
    spec: BallotSpec, fields: Iterable[tuple[str, str]], project_ids: Iterable[int]
) -> dict[int, int]:
    """The choices a form submitted, as project id -> points (not yet validated)."""
    known = set(project_ids)
    selections: dict[int, int] = {}
    if spec.kind is BallotKind.CUMULATIVE:
        for name, value in fields:
            if not name.startswith("points-"):
                continue
            project = _whole_number(name.removeprefix("points-"), "project")
            value = value.strip()
            if value in ("", "0"):
                continue
            selections[project] = _whole_number(value, "points")
    else:
        for name, value in fields:
            if name == "project":
                selections[_whole_number(value, "project")] = 1
    unknown = sorted(p for p in selections if p not in known)
    if unknown:
        raise BallotFormError("A project on your ballot is not part of this vote.")
    return selections


def _whole_number(raw: str, what: str) -> int:
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > MAX_FIELD_LENGTH:
        if what == "points":
            raise BallotFormError("Points must be whole numbers, such as 0, 1 or 2.")
        raise BallotFormError("Your ballot could not be read. Please choose again.")
    return int(raw)


def _token_message(
    session_ref: bytes, scope_id: int, selections: Mapping[int, int], nonce: str, expires: int
) -> bytes:
    body = canonical_json(
        {
            "scope": scope_id,
            "selections": sorted(selections.items()),
            "nonce": nonce,
            "expires": expires,
        }
    )
    return b"civica/cast-token/v1\x00" + session_ref + b"\x00" + body


def mint_cast_token(
    key: bytes,
    session_ref: bytes,
    scope_id: int,
    selections: Mapping[int, int],
    now: float | None = None,
) -> str:
    """A token binding these choices to this session and scope for a limited time."""
    nonce = secrets.token_urlsafe(16)
    expires = int((time.time() if now is None else now) + CAST_TOKEN_LIFETIME_S)
    mac = hmac.new(
        key, _token_message(session_ref, scope_id, selections, nonce, expires), hashlib.sha256
    ).digest()
    return f"{nonce}.{expires}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def check_cast_token(
    key: bytes,
    token: str,
    session_ref: bytes,
    scope_id: int,
    selections: Mapping[int, int],
    now: float | None = None,
) -> str:
    """Return the token's nonce if it matches; raise `CastTokenInvalid` otherwise."""
    try:
        nonce, expires_text, mac_text = token.split(".")
        expires = int(expires_text)
        mac = base64.urlsafe_b64decode(mac_text + "=" * (-len(mac_text) % 4))
    except (ValueError, TypeError):
        raise CastTokenInvalid(
            "This ballot form is not valid. Please start your vote again."
        ) from None
    expected = hmac.new(
        key, _token_message(session_ref, scope_id, selections, nonce, expires), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(mac, expected):
        raise CastTokenInvalid(
            "Your choices changed after review, or the form was altered. "
            "Please review your choices again."
        )
    if expires < (time.time() if now is None else now):
        raise CastTokenInvalid("This ballot form expired. Please review your choices again.")
    return nonce
