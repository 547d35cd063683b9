-- Casting: single-use cast tokens, and coarse voter-roll times.

-- A cast token's nonce is recorded when its ballot is cast, so a form cannot be submitted twice.
-- Rows can be deleted once their token has expired (it is refused by its expiry anyway).
CREATE TABLE used_cast_tokens (
    nonce text PRIMARY KEY CHECK (length(nonce) BETWEEN 16 AND 64),
    expires_at timestamptz NOT NULL
);
CREATE INDEX used_cast_tokens_expires_idx ON used_cast_tokens (expires_at);

-- The roll says whether and how someone voted, not when to the second: times are kept to the
-- minute, no finer than the board's checkpoint interval, so the roll cannot order ballots.
ALTER TABLE voter_roll
    ALTER COLUMN first_voted_at SET DEFAULT date_trunc('minute', now()),
    ALTER COLUMN last_voted_at SET DEFAULT date_trunc('minute', now());
