-- Budget cycles (editions) and their scopes (pots). The proposals issue extends these tables;
-- the identity, voting and tally issues read the columns here.

CREATE TABLE cycles (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    -- ages for eligibility are counted on this date
    reference_date date NOT NULL,
    -- integer cents; no project may cost more
    project_cost_cap_cents bigint NOT NULL CHECK (project_cost_cap_cents > 0),
    -- EligibilityRules (verification/eligibility.py) for submitting proposals
    propose_eligibility jsonb NOT NULL,
    -- identity providers accepted in this cycle: 'oidc', 'credential', 'census'
    identity_providers text[] NOT NULL DEFAULT ARRAY['oidc', 'credential', 'census'],
    -- whether a voter may cast again until the close (the last ballot counts)
    revoting_allowed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scopes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cycle_id bigint NOT NULL REFERENCES cycles (id),
    slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- residence code of the region or district this pot belongs to; NULL for a cycle-wide pot
    region_code text,
    budget_cents bigint NOT NULL CHECK (budget_cents > 0),
    -- a voter casts at most one ballot per group: OPP has group 'national' (one scope) and
    -- group 'regional' (seven scopes, the voter chooses one)
    vote_group text NOT NULL DEFAULT 'main' CHECK (vote_group ~ '^[a-z0-9-]{1,63}$'),
    -- BallotSpec (ballots/model.py)
    ballot jsonb NOT NULL,
    -- the tally rule and tie-break (ballots/tally), as published in the election record
    tally jsonb NOT NULL,
    -- EligibilityRules for voting in this scope
    vote_eligibility jsonb NOT NULL,
    position integer NOT NULL DEFAULT 0,
    UNIQUE (cycle_id, slug),
    UNIQUE (cycle_id, name)
);
CREATE INDEX scopes_cycle_idx ON scopes (cycle_id);
