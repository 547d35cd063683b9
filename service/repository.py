"""SQL for the tables the web layer owns: staff accounts and sessions."""

from __future__ import annotations

from typing import Any

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


INSERT_SESSION = """
INSERT INTO sessions (token_hash, staff_id, data, expires_at)
VALUES ($1, $2, $3, now() + make_interval(secs => $4))
RETURNING token_hash, staff_id, data, created_at, expires_at
"""

SELECT_LIVE_SESSION = """
SELECT s.token_hash, s.staff_id, s.data, s.created_at, s.expires_at, s.last_seen_at
  FROM sessions s
  LEFT JOIN staff st ON st.id = s.staff_id
 WHERE s.token_hash = $1
   AND s.expires_at > now()
   AND (s.staff_id IS NULL OR (st.active AND s.created_at >= st.sessions_valid_after))
"""

TOUCH_SESSION = """
UPDATE sessions
   SET last_seen_at = now(),
       expires_at = least(now() + make_interval(secs => $2), created_at + make_interval(secs => $3))
 WHERE token_hash = $1
"""

UPDATE_SESSION_DATA = "UPDATE sessions SET data = $2 WHERE token_hash = $1"

DELETE_SESSION = "DELETE FROM sessions WHERE token_hash = $1"

DELETE_STAFF_SESSIONS = """
WITH revoked AS (UPDATE staff SET sessions_valid_after = now() WHERE id = $1 RETURNING id)
DELETE FROM sessions WHERE staff_id IN (SELECT id FROM revoked)
"""

DELETE_EXPIRED_SESSIONS = "DELETE FROM sessions WHERE expires_at <= now()"


async def insert_session(
    conn: asyncpg.Connection | asyncpg.Pool,
    token_hash: bytes,
    staff_id: int | None,
    data: dict[str, Any],
    lifetime_s: int,
) -> asyncpg.Record:
    row = await conn.fetchrow(INSERT_SESSION, token_hash, staff_id, data, lifetime_s)
    assert row is not None
    return row


async def fetch_live_session(
    conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(SELECT_LIVE_SESSION, token_hash)
    return row


async def touch_session(
    conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes, idle_s: int, absolute_s: int
) -> None:
    await conn.execute(TOUCH_SESSION, token_hash, idle_s, absolute_s)


async def update_session_data(
    conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes, data: dict[str, Any]
) -> None:
    await conn.execute(UPDATE_SESSION_DATA, token_hash, data)


async def delete_session(conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes) -> None:
    await conn.execute(DELETE_SESSION, token_hash)


async def delete_staff_sessions(conn: asyncpg.Connection | asyncpg.Pool, staff_id: int) -> None:
    """End every session of one staff member ("sign out everywhere")."""
    await conn.execute(DELETE_STAFF_SESSIONS, staff_id)


async def delete_expired_sessions(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    await conn.execute(DELETE_EXPIRED_SESSIONS)
