"""Staff accounts: roles and password hashing (Argon2id)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from verification.messages import _

PASSWORD_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    REVIEWER = "reviewer"
    DESK = "desk"
    OBSERVER = "observer"


ROLE_NAMES = {
    Role.ADMINISTRATOR.value: _("Administrator"),
    Role.REVIEWER.value: _("Reviewer"),
    Role.DESK.value: _("Desk staff"),
    Role.OBSERVER.value: _("Observer"),
}


@dataclass(frozen=True)
class StaffAccount:
    id: int
    username: str
    display_name: str
    role: Role
    must_change_password: bool
    active: bool
    sessions_valid_after: datetime

    @classmethod
    def from_row(cls, row: Any) -> StaffAccount:
        return cls(
            id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            role=Role(row["role"]),
            must_change_password=row["must_change_password"],
            active=row["active"],
            sessions_valid_after=row["sessions_valid_after"],
        )


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return PASSWORD_HASHER.hash(password)


def check_password(password_hash: str, password: str) -> tuple[bool, str | None]:
    """Return whether `password` matches, and a fresh hash when the parameters have changed."""
    try:
        PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if PASSWORD_HASHER.check_needs_rehash(password_hash):
        return True, PASSWORD_HASHER.hash(password)
    return True, None


def generate_one_time_password() -> str:
    """A random password to print once; the holder must change it at first sign-in."""
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))
