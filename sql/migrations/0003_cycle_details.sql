-- What an administrator configures beyond 0002: the cycle's time zone, thematic areas, phase
-- dates, the recorded phase changes, and when the provisional and final lists were published.

ALTER TABLE cycles
    -- dates typed without a time zone (forms, cycle files) are read in this zone
    ADD COLUMN timezone text NOT NULL DEFAULT 'Europe/Lisbon'
        CHECK (timezone ~ '^[A-Za-z0-9_+/-]{1,64}$'),
    ADD COLUMN provisional_list_published_at timestamptz,
    ADD COLUMN final_list_published_at timestamptz,
    ADD CONSTRAINT cycles_final_after_provisional CHECK (
        final_list_published_at IS NULL
        OR (provisional_list_published_at IS NOT NULL
            AND final_list_published_at >= provisional_list_published_at)
    );

ALTER TABLE scopes
    ADD COLUMN description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    -- lets proposals and projects reference (scope, cycle) so a scope of another cycle is refused
    ADD CONSTRAINT scopes_id_cycle_unique UNIQUE (id, cycle_id);

-- Thematic areas (OPP: culture, science, agriculture, ...), in display order.
CREATE TABLE areas (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id bigint NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    position integer NOT NULL DEFAULT 0,
    UNIQUE (cycle_id, name),
    UNIQUE (id, cycle_id)
);

-- When each phase begins. A phase ends when the next one begins; results has no end.
-- Before the proposals phase begins the cycle is upcoming.
CREATE TABLE cycle_phases (
    cycle_id bigint NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    phase text NOT NULL CHECK (phase IN ('proposals', 'review', 'complaints', 'voting', 'results')),
    starts_at timestamptz NOT NULL,
    PRIMARY KEY (cycle_id, phase)
);

-- An administrator advanced or extended a phase: the reason is public (cycle timeline).
CREATE TABLE phase_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id bigint NOT NULL REFERENCES cycles (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('advance', 'extend')),
    -- the phase that was running when the change was made
    phase text NOT NULL,
    -- the start of the following phase, before and after the change
    previous_boundary_at timestamptz,
    new_boundary_at timestamptz NOT NULL,
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    staff_id bigint REFERENCES staff (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phase_changes_cycle_idx ON phase_changes (cycle_id, created_at);
