-- Werkstatt schema, part 2: voting rounds, secret ballots with their history, the
-- aggregation queue and immutable ranking snapshots.

CREATE TABLE rounds (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id         uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    criterion           text,
    method              text NOT NULL CHECK (method IN ('dot', 'approval', 'score', 'ranking')),
    points_per_member   integer CHECK (points_per_member BETWEEN 1 AND 1000),
    max_points_per_item integer CHECK (max_points_per_item BETWEEN 1 AND 1000),
    -- "proportional", "equal" or {"custom": {"industry": 0.5, ...}}
    balance             jsonb NOT NULL DEFAULT '"proportional"',
    state               text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
    opened_at           timestamptz,
    closed_at           timestamptz,
    created_by          uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workshop_id, id),
    CHECK ((method = 'dot') = (points_per_member IS NOT NULL)),
    CHECK (max_points_per_item IS NULL OR max_points_per_item <= points_per_member)
);
CREATE INDEX rounds_workshop ON rounds (workshop_id, seq);

-- The recommendations a round is about, all of the round's workshop.
CREATE TABLE round_items (
    round_id          uuid NOT NULL,
    workshop_id       uuid NOT NULL,
    recommendation_id uuid NOT NULL,
    PRIMARY KEY (round_id, recommendation_id),
    FOREIGN KEY (workshop_id, round_id) REFERENCES rounds (workshop_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workshop_id, recommendation_id) REFERENCES recommendations (workshop_id, id) ON DELETE RESTRICT
);

-- The current ballot of each member in each round: one row, by the primary key.
-- `content` is NULL once withdrawn; the row stays so versions keep counting up.
-- `entries` is the validated ballot in compact form for the worker: [item, value, …]
-- (dot, score) or [item, …] (approval, ranking), items being positions in the round.
CREATE TABLE ballots (
    round_id    uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    content     jsonb,
    entries     integer[],
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, member_id)
);

-- Every version of every ballot, append-only.
CREATE TABLE ballot_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id    uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    content     jsonb,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (round_id, member_id, version)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ballot_history_append_only BEFORE UPDATE OR DELETE ON ballot_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- One row per round, locked (FOR UPDATE SKIP LOCKED) by the worker computing it.
CREATE TABLE round_queue (
    round_id uuid PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE
);

-- A change a worker has not yet folded into a snapshot. Insert-only for writers, so
-- casting ballots never waits on a worker; a worker deletes exactly the rows it saw.
CREATE TABLE round_changes (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX round_changes_round ON round_changes (round_id, id);

-- Immutable results: a newer snapshot supersedes, nothing is rewritten.
CREATE TABLE ranking_snapshots (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id        uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    method          text NOT NULL,
    balance         jsonb NOT NULL,
    ballots_counted integer NOT NULL,
    -- The highest ballot_history id the snapshot includes.
    watermark       bigint NOT NULL,
    digest          text NOT NULL,
    provisional     boolean NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    items           jsonb NOT NULL
);
CREATE INDEX ranking_snapshots_round ON ranking_snapshots (round_id, id DESC);

CREATE TRIGGER ranking_snapshots_immutable BEFORE UPDATE ON ranking_snapshots
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
