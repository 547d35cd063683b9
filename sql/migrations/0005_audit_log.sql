-- The audit log of administrative actions: append-only and hash-chained (service/audit.py).
-- entry_hash = SHA-256(previous_hash || canonical JSON of {actor, action, subject, before,
-- after, recorded_at}); the first entry's previous_hash is 32 zero bytes.

CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
    action text NOT NULL CHECK (action ~ '^[a-z0-9_.-]{1,80}$'),
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    before jsonb,
    after jsonb,
    recorded_at timestamptz NOT NULL,
    previous_hash bytea NOT NULL CHECK (length(previous_hash) = 32),
    entry_hash bytea NOT NULL UNIQUE CHECK (length(entry_hash) = 32),
    -- each entry extends exactly one predecessor: a fork in the chain is refused
    UNIQUE (previous_hash)
);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
