"""Staff sign-in (with throttling) and the role check every administration route carries.

Throttling: an account is locked after `LOCK_AFTER` consecutive failures, for a delay that
doubles with each further failure (30 s, 60 s, ... up to an hour); a client address that fails
`ADDRESS_LIMIT` times within `ADDRESS_WINDOW_S` is refused until the window passes. Unknown
user names cost the same Argon2 work as known ones, so timing does not reveal accounts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import quote

import asyncpg
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from proposals.i18n import _
from service import repository
from service.accounts import PASSWORD_HASHER, Role, StaffAccount, check_password
from service.errors import render_error
from service.sessions import current_session

LOCK_AFTER = 5
FIRST_LOCK_S = 30
MAX_LOCK_S = 3600
ADDRESS_LIMIT = 30
ADDRESS_WINDOW_S = 15 * 60
KEEP_FAILURES_S = 24 * 60 * 60
SIGN_IN_PATH = "/staff/sign-in"
PASSWORD_PATH = "/staff/password"  # noqa: S105 (a page address, not a password)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
_DUMMY_HASH = PASSWORD_HASHER.hash("civica: equalise the timing of unknown user names")

Endpoint = Callable[[Request], Awaitable[Response]]


class SignInRefused(Exception):
    """The sign-in failed; `message` is safe to show, `status` is 401-like (200 form) or 429."""

    def __init__(self, message: str, *, throttled: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.throttled = throttled


def lock_seconds(failures: int) -> int:
    """How long an account stays locked after its `failures`-th consecutive failure."""
    if failures < LOCK_AFTER:
        return 0
    return int(min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** (failures - LOCK_AFTER)))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def authenticate(
    pool: asyncpg.Pool, username: str, password: str, address: str
) -> StaffAccount:
    """The staff account these credentials open, or SignInRefused."""
    wrong = _("The user name or password is not right.")
    if await repository.count_recent_sign_in_failures(pool, address, ADDRESS_WINDOW_S) >= (
        ADDRESS_LIMIT
    ):
        raise SignInRefused(
            _("Too many failed sign-ins from your network. Try again in 15 minutes."),
            throttled=True,
        )
    row = (
        await repository.fetch_staff_for_sign_in(pool, username)
        if USERNAME.match(username)
        else None
    )
    if row is None or not row["active"]:
        check_password(_DUMMY_HASH, password)
        await repository.record_sign_in_failure(pool, address)
        raise SignInRefused(wrong)
    locked_until = row["locked_until"]
    if locked_until is not None and locked_until > datetime.now(UTC):
        await repository.record_sign_in_failure(pool, address)
        minutes = max(1, int((locked_until - datetime.now(UTC)).total_seconds() // 60) + 1)
        raise SignInRefused(
            _(
                "This account is locked after repeated failed sign-ins. Try again in "
                "{minutes} minute(s).",
                minutes=minutes,
            ),
            throttled=True,
        )
    matches, new_hash = check_password(row["password_hash"], password)
    if not matches:
        await repository.record_sign_in_failure(pool, address)
        failures = row["failed_logins"] + 1
        await repository.record_failed_sign_in(pool, row["id"], LOCK_AFTER, lock_seconds(failures))
        raise SignInRefused(wrong)
    if new_hash is not None:
        await repository.rehash_staff_password(pool, row["id"], new_hash)
    await repository.reset_failed_sign_ins(pool, row["id"])
    await repository.delete_old_sign_in_failures(pool, KEEP_FAILURES_S)
    return StaffAccount.from_row(row)


async def current_staff(request: Request) -> StaffAccount | None:
    """The signed-in, active staff member, or None (looked up once per request)."""
    if hasattr(request.state, "staff"):
        cached: StaffAccount | None = request.state.staff
        return cached
    session = await current_session(request)
    staff = None
    if session is not None and session.staff_id is not None:
        found = await repository.fetch_staff(request.state.pool, session.staff_id)
        staff = found if found is not None and found.active else None
    request.state.staff = staff
    return staff


def sign_in_redirect(request: Request) -> Response:
    target = SIGN_IN_PATH
    if request.method == "GET":
        target += "?next=" + quote(request.url.path, safe="/")
    return RedirectResponse(target, status_code=303)


def require_staff(*roles: Role) -> Callable[[Endpoint], Endpoint]:
    """Let only signed-in staff with one of `roles` reach the endpoint.

    No session: 303 to the sign-in page. A password that must change: 303 to the password
    page. Another role: 403. The roles are kept on the endpoint as `allowed_roles`.
    """
    allowed = frozenset(roles)

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            staff = await current_staff(request)
            if staff is None:
                return sign_in_redirect(request)
            if staff.must_change_password:
                return RedirectResponse(PASSWORD_PATH, status_code=303)
            if staff.role not in allowed:
                return render_error(
                    request, 403, _("Your role does not give access to this page or action.")
                )
            return await endpoint(request)

        guarded.allowed_roles = allowed  # type: ignore[attr-defined]
        return guarded

    return decorate


def signed_in_staff(request: Request) -> StaffAccount:
    """The staff member a `require_staff` endpoint is serving."""
    staff: StaffAccount | None = getattr(request.state, "staff", None)
    if staff is None:
        raise RuntimeError("signed_in_staff used outside require_staff")
    return staff


ALL_STAFF = (Role.ADMINISTRATOR, Role.REVIEWER, Role.DESK, Role.OBSERVER)
READERS = (Role.ADMINISTRATOR, Role.REVIEWER, Role.OBSERVER)
