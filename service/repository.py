"""SQL for the tables the web layer owns: staff accounts and sessions."""

from __future__ import annotations

import asyncpg

from service.accounts import Role, StaffAccount, hash_password

UPSERT_STAFF = """
INSERT INTO staff (username, display_name, role, password_hash, must_change_password)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (username) DO UPDATE
   SET display_name = EXCLUDED.display_name, role = EXCLUDED.role,
       password_hash = EXCLUDED.password_hash,
       must_change_password = EXCLUDED.must_change_password,
       failed_logins = 0, locked_until = NULL, sessions_valid_after = now()
RETURNING id, username, display_name, role, must_change_password, active,
          sessions_valid_after
"""


async def put_staff(
    conn: asyncpg.Connection | asyncpg.Pool,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    *,
    must_change_password: bool,
) -> StaffAccount:
    """Create a staff account, or reset an existing one's role and password."""
    row = await conn.fetchrow(
        UPSERT_STAFF,
        username,
        display_name,
        role.value,
        hash_password(password),
        must_change_password,
    )
    return StaffAccount.from_row(row)
