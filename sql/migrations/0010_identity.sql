-- Identity: the census roll, one-time codes, credential nonces, rate-limit counters and the
-- voter roll. No column holds a raw national ID number, phone number, e-mail address or IP
-- address: lookups go through HMAC-SHA-256 with the pepper kept in the data folder, and the
-- contact details needed to send a code are sealed with a key that is also kept there.
-- See docs/identity.md.

-- One import of the municipality's census roll; each import replaces the previous roll whole.
CREATE TABLE census_imports (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entries integer NOT NULL CHECK (entries >= 0),
    -- 'upload' (administrator page), 'command' (civica import-census) or 'demo'
    source text NOT NULL CHECK (source IN ('upload', 'command', 'demo')),
    imported_by bigint REFERENCES staff (id) ON DELETE SET NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE census_entries (
    -- person_key (verification/identity/model.py) of the ID number: HMAC, never the number
    person_key text PRIMARY KEY CHECK (person_key ~ '^[0-9a-f]{64}$'),
    birth_date date NOT NULL,
    residence text NOT NULL CHECK (length(residence) BETWEEN 1 AND 32),
    status text CHECK (status IN ('citizen', 'legal_resident')),
    -- HMACs of the normalised phone number and e-mail address: spot numbers shared by many
    -- entries (invented or mass-registered contacts) without reading them
    phone_key text CHECK (phone_key ~ '^[0-9a-f]{64}$'),
    email_key text CHECK (email_key ~ '^[0-9a-f]{64}$'),
    -- the phone and e-mail address, sealed (XSalsa20-Poly1305) with <data>/keys/contact_key
    contact_sealed bytea NOT NULL,
    import_id bigint NOT NULL REFERENCES census_imports (id),
    CHECK (phone_key IS NOT NULL OR email_key IS NOT NULL)
);
CREATE INDEX census_entries_phone_idx ON census_entries (phone_key);
CREATE INDEX census_entries_email_idx ON census_entries (email_key);

-- A one-time code request. A row is written for every well-formed request, whether or not
-- the ID number and birth date match the roll (census_matched), so both cases do the same work.
CREATE TABLE census_challenges (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- SHA-256 of the random handle the browser's session holds
    handle_hash bytea NOT NULL UNIQUE,
    person_key text NOT NULL CHECK (person_key ~ '^[0-9a-f]{64}$'),
    census_matched boolean NOT NULL,
    -- Argon2id hash of the code
    code_hash text NOT NULL,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL CHECK (max_attempts > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX census_challenges_expires_idx ON census_challenges (expires_at);

-- Single-use nonces the service issues for signed identity credentials (replay protection).
CREATE TABLE credential_nonces (
    nonce_hash bytea PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX credential_nonces_expires_idx ON credential_nonces (expires_at);

-- Fixed-window counters. bucket names the limit and an HMAC of what is limited
-- (an identity or a client address), never the raw value.
CREATE TABLE rate_limit_counters (
    bucket text NOT NULL CHECK (length(bucket) <= 200),
    window_start timestamptz NOT NULL,
    hits integer NOT NULL CHECK (hits > 0),
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start);

-- Who has voted, per cycle and vote group (scopes.vote_group), under the per-cycle voter alias
-- (voter_alias in verification/identity/model.py). Deliberately no reference to any ballot:
-- this table says whether and how someone voted, never what.
CREATE TABLE voter_roll (
    cycle_id bigint NOT NULL REFERENCES cycles (id),
    voter_alias text NOT NULL CHECK (voter_alias ~ '^[0-9a-f]{64}$'),
    vote_group text NOT NULL CHECK (vote_group ~ '^[a-z0-9-]{1,63}$'),
    -- how the last counted ballot arrived
    channel text NOT NULL CHECK (channel IN ('web', 'desk')),
    ballots_cast integer NOT NULL DEFAULT 1 CHECK (ballots_cast > 0),
    first_voted_at timestamptz NOT NULL DEFAULT now(),
    last_voted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, voter_alias, vote_group)
);
