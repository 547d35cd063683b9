-- The public board: one append-only Merkle log per cycle (docs/election-record.md).
-- Ballot contents exist here only sealed; nothing in this file references the voter roll.

CREATE TABLE manifests (
    cycle_id bigint PRIMARY KEY REFERENCES cycles (id),
    manifest bytea NOT NULL,
    fingerprint bytea NOT NULL UNIQUE CHECK (length(fingerprint) = 32),
    log_public_key bytea NOT NULL CHECK (length(log_public_key) = 32),
    sealing_public_key bytea NOT NULL CHECK (length(sealing_public_key) = 32),
    frozen_at timestamptz NOT NULL DEFAULT now()
);

-- The log head: `size` entries appended so far; the row lock serialises index assignment, so
-- indices are contiguous (a rolled-back cast rolls back its index too). `checkpoint_size` and
-- `compact_range` (verification/tree.py CompactRange bytes) are the tree as last checkpointed.
CREATE TABLE board_heads (
    cycle_id bigint PRIMARY KEY REFERENCES manifests (cycle_id),
    size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
    checkpoint_size bigint NOT NULL DEFAULT 0 CHECK (checkpoint_size <= size),
    compact_range bytea NOT NULL DEFAULT '\x0000000000000000'::bytea,
    closed_at timestamptz
);

CREATE TABLE board_entries (
    cycle_id bigint NOT NULL REFERENCES manifests (cycle_id),
    leaf_index bigint NOT NULL CHECK (leaf_index >= 0),
    entry bytea NOT NULL,
    leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
    PRIMARY KEY (cycle_id, leaf_index)
);
CREATE UNIQUE INDEX board_entries_leaf_hash_idx ON board_entries (cycle_id, leaf_hash);

-- Every perfect subtree completed when checkpointing, so any proof is a few key lookups.
CREATE TABLE board_nodes (
    cycle_id bigint NOT NULL REFERENCES manifests (cycle_id),
    level smallint NOT NULL CHECK (level >= 0),
    node_index bigint NOT NULL CHECK (node_index >= 0),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (cycle_id, level, node_index)
);

CREATE TABLE checkpoints (
    cycle_id bigint NOT NULL REFERENCES manifests (cycle_id),
    tree_size bigint NOT NULL CHECK (tree_size >= 0),
    root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
    note bytea NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cycle_id, tree_size)
);

-- Append-only: entries, nodes and checkpoints are never changed or removed.
CREATE FUNCTION refuse_board_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the public board is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER board_entries_append_only BEFORE UPDATE OR DELETE ON board_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_board_change();
CREATE TRIGGER board_nodes_append_only BEFORE UPDATE OR DELETE ON board_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_board_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_board_change();
CREATE TRIGGER manifests_append_only BEFORE UPDATE OR DELETE ON manifests
    FOR EACH ROW EXECUTE FUNCTION refuse_board_change();
