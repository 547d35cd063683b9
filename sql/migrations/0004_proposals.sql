-- Citizens' proposals, the costed projects reviewers make of them, the review history and
-- complaints. Statuses follow proposals/review.py; the checks here are a second line of defence.

CREATE TABLE projects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id bigint NOT NULL REFERENCES cycles (id),
    scope_id bigint NOT NULL,
    area_id bigint,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
    location text NOT NULL DEFAULT '' CHECK (length(location) <= 300),
    -- integer cents; within the cycle's cap and the scope's budget (checked by the domain)
    cost_cents bigint NOT NULL CHECK (cost_cents > 0),
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'provisional', 'final', 'withdrawn')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (scope_id, cycle_id) REFERENCES scopes (id, cycle_id),
    FOREIGN KEY (area_id, cycle_id) REFERENCES areas (id, cycle_id),
    UNIQUE (id, cycle_id)
);
CREATE INDEX projects_cycle_idx ON projects (cycle_id, scope_id, status);

CREATE TABLE proposals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id bigint NOT NULL REFERENCES cycles (id),
    scope_id bigint NOT NULL,
    area_id bigint,
    -- person_key of the author (keyed hash, verification/identity/model.py); never an identity
    author_key text NOT NULL CHECK (author_key ~ '^[0-9a-f]{64}$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 150),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
    location text NOT NULL DEFAULT '' CHECK (length(location) <= 300),
    -- the author's own estimate, integer cents
    estimated_cost_cents bigint NOT NULL CHECK (estimated_cost_cents > 0),
    status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'in_review', 'rejected', 'feasible', 'merged')),
    project_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (scope_id, cycle_id) REFERENCES scopes (id, cycle_id),
    FOREIGN KEY (area_id, cycle_id) REFERENCES areas (id, cycle_id),
    FOREIGN KEY (project_id, cycle_id) REFERENCES projects (id, cycle_id),
    CHECK ((status = 'merged') = (project_id IS NOT NULL))
);
CREATE INDEX proposals_cycle_idx ON proposals (cycle_id, scope_id, status);
CREATE INDEX proposals_author_idx ON proposals (cycle_id, author_key);

-- Every status change of a proposal or project, with the reviewer's public reason.
CREATE TABLE review_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id bigint NOT NULL REFERENCES cycles (id),
    proposal_id bigint REFERENCES proposals (id),
    project_id bigint REFERENCES projects (id),
    kind text NOT NULL CHECK (kind ~ '^[a-z_]{1,40}$'),
    status text NOT NULL,
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 5000),
    staff_id bigint REFERENCES staff (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((proposal_id IS NULL) <> (project_id IS NULL))
);
CREATE INDEX review_events_proposal_idx ON review_events (proposal_id, id);
CREATE INDEX review_events_project_idx ON review_events (project_id, id);

-- A citizen's complaint against a review decision, answered publicly by a reviewer.
CREATE TABLE complaints (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id bigint NOT NULL REFERENCES cycles (id),
    proposal_id bigint REFERENCES proposals (id),
    project_id bigint REFERENCES projects (id),
    author_key text NOT NULL CHECK (author_key ~ '^[0-9a-f]{64}$'),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 3000),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
    answer text CHECK (length(answer) BETWEEN 1 AND 5000),
    outcome text CHECK (outcome IN ('upheld', 'dismissed')),
    answered_by bigint REFERENCES staff (id),
    answered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((proposal_id IS NULL) <> (project_id IS NULL)),
    CHECK (
        (status = 'answered')
        = (answer IS NOT NULL AND outcome IS NOT NULL AND answered_at IS NOT NULL)
    )
);
CREATE INDEX complaints_cycle_idx ON complaints (cycle_id, status);
