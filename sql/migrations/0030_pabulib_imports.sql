-- Cycles loaded from pabulib .pb files (`civica import-pb`, docs/pabulib.md): which file each
-- came from, and which civica project stands for each project of the file, so that replaying
-- its ballots can resume and exports can describe the original data.

CREATE TABLE pabulib_imports (
    cycle_id bigint PRIMARY KEY REFERENCES cycles (id),
    source_name text NOT NULL CHECK (length(source_name) BETWEEN 1 AND 300),
    source_sha256 bytea NOT NULL CHECK (length(source_sha256) = 32),
    -- the file's META section as read (country, unit, instance, currency, rule, ...)
    meta jsonb NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pabulib_import_projects (
    cycle_id bigint NOT NULL REFERENCES pabulib_imports (cycle_id),
    -- the project's id in the file, as written there
    source_id text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 200),
    project_id bigint NOT NULL UNIQUE REFERENCES projects (id),
    PRIMARY KEY (cycle_id, source_id)
);
