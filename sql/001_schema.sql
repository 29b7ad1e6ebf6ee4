-- Werkstatt schema, part 1: setting up a workshop, collecting and discussing.
-- Every table has `seq`, a monotonically increasing number used for keyset pagination
-- (cursor = last seq seen), so list order is insertion order and stable under inserts.

CREATE TABLE workshops (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description text,
    region      text,
    starts_on   date,
    ends_on     date,
    phase       text NOT NULL DEFAULT 'draft'
                CHECK (phase IN ('draft', 'collecting', 'discussing', 'voting', 'implementing', 'closed')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on)
);

CREATE TABLE organisations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    stakeholder_group text NOT NULL CHECK (stakeholder_group IN ('industry', 'science', 'association', 'union', 'politics', 'administration', 'civil_society', 'other')),
    region            text,
    created_at        timestamptz NOT NULL DEFAULT now()
);

-- Installation-wide administrators. Only the SHA-256 of a token is stored.
CREATE TABLE admin_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    label       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE members (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id       uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    display_name      text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role              text NOT NULL CHECK (role IN ('participant', 'moderator', 'observer')),
    -- An organisation outlives its members' links to it: deleting it only unlinks them.
    organisation_id   uuid REFERENCES organisations (id) ON DELETE SET NULL,
    stakeholder_group text CHECK (stakeholder_group IN ('industry', 'science', 'association', 'union', 'politics', 'administration', 'civil_society', 'other')),
    token_hash        bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at        timestamptz NOT NULL DEFAULT now(),
    revoked_at        timestamptz,
    UNIQUE (workshop_id, id)
);
CREATE INDEX members_workshop ON members (workshop_id, seq);

CREATE TABLE working_groups (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    code        text NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workshop_id, code),
    UNIQUE (workshop_id, id)
);

CREATE TABLE events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    place       text,
    starts_at   timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workshop_id, id)
);
CREATE INDEX events_workshop ON events (workshop_id, seq);

-- Composite foreign keys (workshop_id, x_id) make it impossible for a thesis to point
-- at another workshop's working group, event or author.
CREATE TABLE theses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id      uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    author_id        uuid NOT NULL,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body             text NOT NULL CHECK (length(body) <= 20000),
    working_group_id uuid,
    event_id         uuid,
    withdrawn_at     timestamptz,
    withdrawn_by     uuid REFERENCES members (id) ON DELETE RESTRICT,
    withdrawn_reason text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workshop_id, id),
    FOREIGN KEY (workshop_id, author_id) REFERENCES members (workshop_id, id) ON DELETE RESTRICT,
    FOREIGN KEY (workshop_id, working_group_id) REFERENCES working_groups (workshop_id, id) ON DELETE RESTRICT,
    FOREIGN KEY (workshop_id, event_id) REFERENCES events (workshop_id, id) ON DELETE RESTRICT
);
CREATE INDEX theses_workshop ON theses (workshop_id, seq);
CREATE INDEX theses_working_group ON theses (working_group_id, seq) WHERE working_group_id IS NOT NULL;

-- One stance per member and thesis; repeating a stance replaces it.
CREATE TABLE stances (
    thesis_id  uuid NOT NULL REFERENCES theses (id) ON DELETE CASCADE,
    member_id  uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    stance     text NOT NULL CHECK (stance IN ('agree', 'disagree', 'pass')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (thesis_id, member_id)
);

CREATE TABLE recommendations (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    workshop_id       uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    code              text NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body              text NOT NULL CHECK (length(body) <= 20000),
    working_group_id  uuid,
    lead              text[] NOT NULL DEFAULT '{}',
    -- Structured timeframe: in / by / from a year, ongoing, or a range of years.
    timeframe_kind    text CHECK (timeframe_kind IN ('in', 'by', 'from', 'ongoing', 'range')),
    timeframe_year    integer CHECK (timeframe_year BETWEEN 1900 AND 2200),
    timeframe_to_year integer CHECK (timeframe_to_year BETWEEN 1900 AND 2200),
    created_by        uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workshop_id, code),
    UNIQUE (workshop_id, id),
    FOREIGN KEY (workshop_id, working_group_id) REFERENCES working_groups (workshop_id, id) ON DELETE RESTRICT,
    CHECK (
        (timeframe_kind IS NULL AND timeframe_year IS NULL AND timeframe_to_year IS NULL)
        OR (timeframe_kind = 'ongoing' AND timeframe_year IS NULL AND timeframe_to_year IS NULL)
        OR (timeframe_kind IN ('in', 'by', 'from') AND timeframe_year IS NOT NULL AND timeframe_to_year IS NULL)
        OR (timeframe_kind = 'range' AND timeframe_year IS NOT NULL AND timeframe_to_year > timeframe_year)
    )
);
CREATE INDEX recommendations_workshop ON recommendations (workshop_id, seq);

-- Which theses a recommendation was derived from (both of the same workshop).
CREATE TABLE recommendation_theses (
    workshop_id       uuid NOT NULL,
    recommendation_id uuid NOT NULL,
    thesis_id         uuid NOT NULL,
    PRIMARY KEY (recommendation_id, thesis_id),
    FOREIGN KEY (workshop_id, recommendation_id) REFERENCES recommendations (workshop_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workshop_id, thesis_id) REFERENCES theses (workshop_id, id) ON DELETE RESTRICT
);

-- Threaded comments on a thesis or a recommendation. `path` is the parent's path plus
-- this comment's zero-padded seq, so ORDER BY path is thread order and a cursor is a path.
CREATE TABLE comments (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    seq               bigint NOT NULL UNIQUE,
    workshop_id       uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    thesis_id         uuid,
    recommendation_id uuid,
    parent_id         uuid REFERENCES comments (id) ON DELETE RESTRICT,
    depth             integer NOT NULL CHECK (depth BETWEEN 0 AND 50),
    path              text COLLATE "C" NOT NULL,
    author_id         uuid NOT NULL,
    body              text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    -- Hiding keeps the text: who hid it and why are recorded beside it.
    hidden_at         timestamptz,
    hidden_by         uuid REFERENCES members (id) ON DELETE RESTRICT,
    hidden_reason     text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (workshop_id, author_id) REFERENCES members (workshop_id, id) ON DELETE RESTRICT,
    FOREIGN KEY (workshop_id, thesis_id) REFERENCES theses (workshop_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workshop_id, recommendation_id) REFERENCES recommendations (workshop_id, id) ON DELETE CASCADE,
    CHECK ((thesis_id IS NULL) <> (recommendation_id IS NULL)),
    CHECK ((hidden_at IS NULL) = (hidden_reason IS NULL))
);
CREATE SEQUENCE comments_seq OWNED BY comments.seq;

-- The database, not the caller, derives seq, depth and path, and refuses a reply whose
-- parent belongs to another thread.
CREATE FUNCTION comments_thread() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent comments%ROWTYPE;
BEGIN
    NEW.seq := nextval('comments_seq');
    IF NEW.parent_id IS NULL THEN
        NEW.depth := 0;
        NEW.path := lpad(NEW.seq::text, 19, '0');
    ELSE
        SELECT * INTO parent FROM comments WHERE id = NEW.parent_id;
        IF NOT FOUND
           OR parent.thesis_id IS DISTINCT FROM NEW.thesis_id
           OR parent.recommendation_id IS DISTINCT FROM NEW.recommendation_id THEN
            RAISE EXCEPTION 'parent comment % is not in this thread', NEW.parent_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        NEW.depth := parent.depth + 1;
        NEW.path := parent.path || '.' || lpad(NEW.seq::text, 19, '0');
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER comments_thread BEFORE INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION comments_thread();
CREATE INDEX comments_thesis ON comments (thesis_id, path) WHERE thesis_id IS NOT NULL;
CREATE INDEX comments_recommendation ON comments (recommendation_id, path) WHERE recommendation_id IS NOT NULL;

-- Who did what: every moderator and admin action that changes a workshop.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id uuid REFERENCES workshops (id) ON DELETE CASCADE,
    actor_member_id uuid REFERENCES members (id) ON DELETE SET NULL,
    actor_admin_id  uuid REFERENCES admin_tokens (id) ON DELETE SET NULL,
    action      text NOT NULL,
    subject_id  uuid,
    details     jsonb NOT NULL DEFAULT '{}',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_workshop ON audit_log (workshop_id, id);
