-- Staff accounts and server-side sessions.

CREATE TABLE staff (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role text NOT NULL CHECK (role IN ('administrator', 'reviewer', 'desk', 'observer')),
    password_hash text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    sessions_valid_after timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A session is found by the SHA-256 of the random token in the browser's cookie, so a copy of
-- this table cannot be replayed as cookies.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    staff_id bigint REFERENCES staff (id) ON DELETE CASCADE,
    data jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_staff_idx ON sessions (staff_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
