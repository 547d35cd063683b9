"""SQL for the tables the web layer owns: staff accounts and sessions."""

from __future__ import annotations

from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

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


# --- staff management and sign-in throttling (proposals issue) ----------------------------

SELECT_STAFF_FOR_SIGN_IN = """
SELECT id, username, display_name, role, must_change_password, active, sessions_valid_after,
       password_hash, failed_logins, locked_until
  FROM staff WHERE username = $1
"""

SELECT_STAFF_BY_ID = """
SELECT id, username, display_name, role, must_change_password, active, sessions_valid_after
  FROM staff WHERE id = $1
"""

SELECT_ALL_STAFF = """
SELECT id, username, display_name, role, must_change_password, active, sessions_valid_after
  FROM staff ORDER BY active DESC, username
"""

INSERT_STAFF = """
INSERT INTO staff (username, display_name, role, password_hash, must_change_password)
VALUES ($1, $2, $3, $4, true)
RETURNING id, username, display_name, role, must_change_password, active, sessions_valid_after
"""

UPDATE_STAFF_ROLE = """
UPDATE staff SET role = $2, display_name = $3 WHERE id = $1
RETURNING id, username, display_name, role, must_change_password, active, sessions_valid_after
"""

SET_STAFF_ACTIVE = """
UPDATE staff SET active = $2, sessions_valid_after = now(), failed_logins = 0, locked_until = NULL
 WHERE id = $1
RETURNING id, username, display_name, role, must_change_password, active, sessions_valid_after
"""

STORE_STAFF_CREDENTIAL = """
WITH changed AS (
    UPDATE staff
       SET password_hash = $2, must_change_password = $3, sessions_valid_after = now(),
           failed_logins = 0, locked_until = NULL
     WHERE id = $1
 RETURNING id, username, display_name, role, must_change_password, active, sessions_valid_after
), ended AS (
    DELETE FROM sessions WHERE staff_id IN (SELECT id FROM changed)
)
SELECT * FROM changed
"""

REHASH_STAFF_CREDENTIAL = "UPDATE staff SET password_hash = $2 WHERE id = $1"

RECORD_FAILED_SIGN_IN = """
UPDATE staff
   SET failed_logins = failed_logins + 1,
       locked_until = CASE WHEN failed_logins + 1 >= $2
                           THEN now() + make_interval(secs => $3) ELSE locked_until END
 WHERE id = $1
RETURNING failed_logins
"""

RESET_FAILED_SIGN_INS = "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1"

INSERT_SIGN_IN_FAILURE = "INSERT INTO sign_in_failures (client_address) VALUES ($1)"

COUNT_RECENT_SIGN_IN_FAILURES = """
SELECT count(*) FROM sign_in_failures
 WHERE client_address = $1 AND failed_at > now() - make_interval(secs => $2)
"""

DELETE_OLD_SIGN_IN_FAILURES = """
DELETE FROM sign_in_failures WHERE failed_at < now() - make_interval(secs => $1)
"""

COUNT_OTHER_ACTIVE_ADMINISTRATORS = """
SELECT count(*) FROM staff WHERE role = 'administrator' AND active AND id <> $1
"""


Connection = asyncpg.Connection | PoolConnectionProxy
Executor = Connection | asyncpg.Pool


class UsernameTaken(ValueError):
    """Another staff account already has this user name."""


async def fetch_staff_for_sign_in(conn: Executor, username: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(SELECT_STAFF_FOR_SIGN_IN, username)
    return row


async def fetch_staff(conn: Executor, staff_id: int) -> StaffAccount | None:
    row = await conn.fetchrow(SELECT_STAFF_BY_ID, staff_id)
    return None if row is None else StaffAccount.from_row(row)


async def fetch_all_staff(conn: Executor) -> list[StaffAccount]:
    return [StaffAccount.from_row(row) for row in await conn.fetch(SELECT_ALL_STAFF)]


async def insert_staff(
    conn: Connection, username: str, display_name: str, role: Role, password: str
) -> StaffAccount:
    """A new account whose holder must choose a password at first sign-in."""
    try:
        row = await conn.fetchrow(
            INSERT_STAFF, username, display_name, role.value, hash_password(password)
        )
    except asyncpg.UniqueViolationError:
        raise UsernameTaken(username) from None
    return StaffAccount.from_row(row)


async def update_staff_role(
    conn: Connection, staff_id: int, role: Role, display_name: str
) -> StaffAccount:
    row = await conn.fetchrow(UPDATE_STAFF_ROLE, staff_id, role.value, display_name)
    return StaffAccount.from_row(row)


async def set_staff_active(conn: Connection, staff_id: int, active: bool) -> StaffAccount:
    """(De)activate an account; either way its sessions end."""
    row = await conn.fetchrow(SET_STAFF_ACTIVE, staff_id, active)
    await conn.execute(DELETE_STAFF_SESSIONS, staff_id)
    return StaffAccount.from_row(row)


async def set_staff_password(
    conn: Executor,
    staff_id: int,
    password: str,
    *,
    must_change_password: bool,
) -> StaffAccount:
    """Store a new password hash and end every session of the account."""
    row = await conn.fetchrow(
        STORE_STAFF_CREDENTIAL, staff_id, hash_password(password), must_change_password
    )
    return StaffAccount.from_row(row)


async def rehash_staff_password(conn: Executor, staff_id: int, password_hash: str) -> None:
    await conn.execute(REHASH_STAFF_CREDENTIAL, staff_id, password_hash)


async def record_failed_sign_in(conn: Executor, staff_id: int, lock_after: int, lock_s: int) -> int:
    """Count a failure; from the `lock_after`-th on, lock the account for `lock_s` seconds."""
    failures: int = await conn.fetchval(RECORD_FAILED_SIGN_IN, staff_id, lock_after, lock_s)
    return failures


async def reset_failed_sign_ins(conn: Executor, staff_id: int) -> None:
    await conn.execute(RESET_FAILED_SIGN_INS, staff_id)


async def record_sign_in_failure(conn: Executor, address: str) -> None:
    await conn.execute(INSERT_SIGN_IN_FAILURE, address[:100])


async def count_recent_sign_in_failures(conn: Executor, address: str, window_s: int) -> int:
    count: int = await conn.fetchval(COUNT_RECENT_SIGN_IN_FAILURES, address[:100], window_s)
    return count


async def delete_old_sign_in_failures(conn: Executor, age_s: int) -> None:
    await conn.execute(DELETE_OLD_SIGN_IN_FAILURES, age_s)


async def count_other_active_administrators(conn: Executor, staff_id: int) -> int:
    count: int = await conn.fetchval(COUNT_OTHER_ACTIVE_ADMINISTRATORS, staff_id)
    return count


# --- the audit log (service/audit.py computes the hashes) ---------------------------------

LOCK_AUDIT_LOG = "SELECT pg_advisory_xact_lock($1)"

SELECT_LAST_AUDIT_HASH = "SELECT entry_hash FROM audit_log ORDER BY id DESC LIMIT 1"

INSERT_AUDIT_ENTRY = """
INSERT INTO audit_log (actor, action, subject, before, after, recorded_at, previous_hash,
                       entry_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id
"""

SELECT_AUDIT_ENTRIES_AFTER = """
SELECT id, actor, action, subject, before, after, recorded_at, previous_hash, entry_hash
  FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2
"""

SELECT_AUDIT_PAGE = """
SELECT id, actor, action, subject, before, after, recorded_at, previous_hash, entry_hash
  FROM audit_log
 WHERE ($1::text IS NULL OR subject = $1 OR subject LIKE $1 || '/%')
 ORDER BY id DESC LIMIT $2 OFFSET $3
"""

COUNT_AUDIT_ENTRIES = """
SELECT count(*) FROM audit_log WHERE ($1::text IS NULL OR subject = $1 OR subject LIKE $1 || '/%')
"""


async def lock_audit_log(conn: Connection, lock_key: int) -> None:
    await conn.execute(LOCK_AUDIT_LOG, lock_key)


async def fetch_last_audit_hash(conn: Connection) -> bytes | None:
    value: bytes | None = await conn.fetchval(SELECT_LAST_AUDIT_HASH)
    return value


async def insert_audit_entry(conn: Connection, *values: Any) -> int:
    entry_id: int = await conn.fetchval(INSERT_AUDIT_ENTRY, *values)
    return entry_id


async def fetch_audit_entries_after(
    conn: Executor, after_id: int, limit: int
) -> list[asyncpg.Record]:
    return list(await conn.fetch(SELECT_AUDIT_ENTRIES_AFTER, after_id, limit))


async def fetch_audit_page(
    conn: Executor, subject: str | None, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    total: int = await conn.fetchval(COUNT_AUDIT_ENTRIES, subject)
    rows = await conn.fetch(SELECT_AUDIT_PAGE, subject, limit, offset)
    return list(rows), total
