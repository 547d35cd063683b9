-- Failed staff sign-ins per client address (the per-account count is on staff, 0001).

CREATE TABLE sign_in_failures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_address text NOT NULL CHECK (length(client_address) <= 100),
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_address_idx ON sign_in_failures (client_address, failed_at);
