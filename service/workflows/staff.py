"""Administrators manage staff accounts; every staff member can change their own password."""

from __future__ import annotations

import asyncpg

from proposals.errors import InvalidSettings, NotFound, Problem
from proposals.i18n import _
from proposals.validation import clean_text, text_problem
from service import repository
from service.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Role,
    StaffAccount,
    check_password,
    generate_one_time_password,
)
from service.audit import record_audit, staff_actor
from service.staff_auth import USERNAME


def _snapshot(account: StaffAccount) -> dict[str, object]:
    return {
        "display_name": account.display_name,
        "role": account.role.value,
        "active": account.active,
    }


def _check_profile(username: str | None, display_name: str) -> list[Problem]:
    problems = []
    if username is not None and not USERNAME.match(username):
        problems.append(
            Problem(
                "username",
                _("Use 2 to 63 lower-case letters, digits, dots, hyphens or underscores."),
            )
        )
    problem = text_problem("display_name", display_name, 200, label=_("The name"))
    if problem is not None:
        problems.append(problem)
    return problems


async def create_staff(
    pool: asyncpg.Pool, admin: StaffAccount, username: str, display_name: str, role: Role
) -> tuple[StaffAccount, str]:
    """A new account and its one-time password (shown once; changed at first sign-in)."""
    username = username.strip().lower()
    display_name = clean_text(display_name)
    problems = _check_profile(username, display_name)
    if problems:
        raise InvalidSettings(problems)
    password = generate_one_time_password()
    async with pool.acquire() as conn, conn.transaction():
        try:
            account = await repository.insert_staff(conn, username, display_name, role, password)
        except repository.UsernameTaken:
            raise InvalidSettings(
                [Problem("username", _("Another account already has this user name."))]
            ) from None
        await record_audit(
            conn, staff_actor(admin), "staff.create", f"staff/{username}", None, _snapshot(account)
        )
    return account, password


async def _target(conn: repository.Connection, staff_id: int) -> StaffAccount:
    account = await repository.fetch_staff(conn, staff_id)
    if account is None:
        raise NotFound(_("There is no such staff account."))
    return account


async def _keep_an_administrator(
    conn: repository.Connection, admin: StaffAccount, target: StaffAccount, losing_role: bool
) -> None:
    if not losing_role or target.role is not Role.ADMINISTRATOR:
        return
    if target.id == admin.id:
        raise InvalidSettings(
            [Problem("role", _("You cannot remove your own administrator access."))]
        )
    if await repository.count_other_active_administrators(conn, target.id) == 0:
        raise InvalidSettings(
            [Problem("role", _("There must always be at least one active administrator."))]
        )


async def change_staff(
    pool: asyncpg.Pool, admin: StaffAccount, staff_id: int, role: Role, display_name: str
) -> StaffAccount:
    """Change an account's role and name."""
    display_name = clean_text(display_name)
    problems = _check_profile(None, display_name)
    if problems:
        raise InvalidSettings(problems)
    async with pool.acquire() as conn, conn.transaction():
        before = await _target(conn, staff_id)
        await _keep_an_administrator(conn, admin, before, role is not Role.ADMINISTRATOR)
        after = await repository.update_staff_role(conn, staff_id, role, display_name)
        await record_audit(
            conn,
            staff_actor(admin),
            "staff.update",
            f"staff/{before.username}",
            _snapshot(before),
            _snapshot(after),
        )
        return after


async def set_staff_active(
    pool: asyncpg.Pool, admin: StaffAccount, staff_id: int, active: bool
) -> StaffAccount:
    """Deactivate (ending every session) or reactivate an account."""
    async with pool.acquire() as conn, conn.transaction():
        before = await _target(conn, staff_id)
        if not active and before.id == admin.id:
            raise InvalidSettings([Problem("active", _("You cannot deactivate your own account."))])
        await _keep_an_administrator(conn, admin, before, not active)
        after = await repository.set_staff_active(conn, staff_id, active)
        await record_audit(
            conn,
            staff_actor(admin),
            "staff.activate" if active else "staff.deactivate",
            f"staff/{before.username}",
            _snapshot(before),
            _snapshot(after),
        )
        return after


async def reset_staff_password(
    pool: asyncpg.Pool, admin: StaffAccount, staff_id: int
) -> tuple[StaffAccount, str]:
    """Give an account a new one-time password (its sessions end)."""
    password = generate_one_time_password()
    async with pool.acquire() as conn, conn.transaction():
        target = await _target(conn, staff_id)
        account = await repository.set_staff_password(
            conn, staff_id, password, must_change_password=True
        )
        await record_audit(
            conn, staff_actor(admin), "staff.reset_password", f"staff/{target.username}", None, None
        )
    return account, password


async def change_own_password(
    pool: asyncpg.Pool, staff: StaffAccount, current: str, new: str, confirmation: str
) -> StaffAccount:
    """Check the current password, store the new one and end every other session."""
    problems = []
    row = await repository.fetch_staff_for_sign_in(pool, staff.username)
    if row is None or not check_password(row["password_hash"], current)[0]:
        problems.append(Problem("current_password", _("Your current password is not right.")))
    if not MIN_PASSWORD_LENGTH <= len(new) <= MAX_PASSWORD_LENGTH:
        problems.append(
            Problem(
                "new_password",
                _(
                    "Choose a password of {low} to {high} characters.",
                    low=MIN_PASSWORD_LENGTH,
                    high=MAX_PASSWORD_LENGTH,
                ),
            )
        )
    elif new == current:
        problems.append(Problem("new_password", _("Choose a password you have not used here.")))
    if new != confirmation:
        problems.append(Problem("confirm_password", _("The two new passwords differ.")))
    if problems:
        raise InvalidSettings(problems)
    async with pool.acquire() as conn, conn.transaction():
        account = await repository.set_staff_password(
            conn, staff.id, new, must_change_password=False
        )
        await record_audit(
            conn, staff_actor(staff), "staff.change_password", f"staff/{staff.username}", None, None
        )
        return account
