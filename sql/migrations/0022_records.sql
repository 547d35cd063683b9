-- Published election records (docs/election-record.md), one file per row, written once at the
-- close. Kept in PostgreSQL like everything else the service has accepted.

CREATE TABLE record_files (
    cycle_id bigint NOT NULL REFERENCES manifests (cycle_id),
    name text NOT NULL CHECK (name IN ('manifest.json', 'checkpoints.jsonl', 'entries.jsonl',
                                       'sealing-key.json', 'ballots.jsonl', 'results.json',
                                       'closing.json')),
    content bytea NOT NULL,
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, name)
);

CREATE TRIGGER record_files_append_only BEFORE UPDATE OR DELETE ON record_files
    FOR EACH ROW EXECUTE FUNCTION refuse_board_change();
