-- Werkstatt schema, part 5: secret ballots that stay secret, and results anyone can check.

-- k: every per-group figure shown covers at least this many ballots (domain.md).
ALTER TABLE workshops ADD COLUMN min_group_size integer NOT NULL DEFAULT 5
    CHECK (min_group_size BETWEEN 2 AND 50);

-- Who sees an open round's standing: moderators only, or every member ("live", for the
-- projector at a workshop evening).
ALTER TABLE rounds ADD COLUMN results text NOT NULL DEFAULT 'after_close'
    CHECK (results IN ('after_close', 'live'));

-- What a snapshot disclosed, and whether readers may see it. `published`: the final
-- snapshot, or a provisional one at least k members' ballots away from the previous
-- published one; readers never see the others, so no two readings differ by one ballot.
ALTER TABLE ranking_snapshots
    ADD COLUMN min_group_size  integer NOT NULL DEFAULT 1,
    ADD COLUMN withheld_groups text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN late_members    integer NOT NULL DEFAULT 0,
    ADD COLUMN published       boolean NOT NULL DEFAULT true;
CREATE INDEX ranking_snapshots_published ON ranking_snapshots (round_id, id DESC) WHERE published;

-- The exact canonical text behind a final snapshot's digest, for GET /v1/rounds/{id}/audit.
-- Kept, not recomputed, so it stays what was counted whatever changes later.
CREATE TABLE snapshot_audits (
    snapshot_id bigint PRIMARY KEY REFERENCES ranking_snapshots (id) ON DELETE CASCADE,
    format      text NOT NULL,
    canonical   text NOT NULL
);
CREATE TRIGGER snapshot_audits_immutable BEFORE UPDATE ON snapshot_audits
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Rounds whose computation failed wait here before the next attempt, so one failing round
-- never holds up the others. Its own table: the failed computation may still hold the
-- round's queue row.
CREATE TABLE round_backoff (
    round_id    uuid PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    failures    integer NOT NULL CHECK (failures >= 1),
    retry_after timestamptz NOT NULL,
    last_error  text
);

-- The one rule for "this round takes ballots now" (cast and withdraw alike): the round is
-- open and its workshop voting. FOR SHARE makes closing the round wait for the writer.
CREATE FUNCTION rounds_taking_ballots(ids uuid[]) RETURNS SETOF uuid LANGUAGE sql AS $$
    SELECT r.id FROM rounds r JOIN workshops w ON w.id = r.workshop_id
     WHERE r.id = ANY (ids) AND r.state = 'open' AND w.phase = 'voting'
       FOR SHARE OF r
$$;

-- A member's effective stakeholder group (domain.md): their own, else their
-- organisation's, else 'other'. Every query that needs it reads it here.
CREATE VIEW member_groups AS
SELECT m.id AS member_id, m.workshop_id,
       COALESCE(m.stakeholder_group, o.stakeholder_group, 'other') AS stakeholder_group
  FROM members m LEFT JOIN organisations o ON o.id = m.organisation_id;

-- A member's stakeholder group weighs their ballots: it cannot change while a round of
-- the workshop is open (directly, or through the organisation they speak for).
CREATE FUNCTION members_group_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    open_round text;
BEGIN
    IF COALESCE(NEW.stakeholder_group, (SELECT stakeholder_group FROM organisations WHERE id = NEW.organisation_id), 'other')
       IS DISTINCT FROM
       COALESCE(OLD.stakeholder_group, (SELECT stakeholder_group FROM organisations WHERE id = OLD.organisation_id), 'other') THEN
        SELECT title INTO open_round FROM rounds
         WHERE workshop_id = NEW.workshop_id AND state = 'open' ORDER BY seq LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'a member''s stakeholder group cannot change while round "%" is open', open_round
                USING ERRCODE = 'WK409';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER members_group_frozen BEFORE UPDATE OF stakeholder_group, organisation_id ON members
    FOR EACH ROW EXECUTE FUNCTION members_group_frozen();

CREATE FUNCTION organisations_group_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    open_round text;
BEGIN
    IF NEW.stakeholder_group IS DISTINCT FROM OLD.stakeholder_group THEN
        SELECT r.title INTO open_round FROM rounds r
         WHERE r.state = 'open'
           AND EXISTS (SELECT 1 FROM members m WHERE m.workshop_id = r.workshop_id AND m.organisation_id = NEW.id)
         ORDER BY r.seq LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'the organisation''s stakeholder group cannot change while round "%" of a workshop it has members in is open', open_round
                USING ERRCODE = 'WK409';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER organisations_group_frozen BEFORE UPDATE OF stakeholder_group ON organisations
    FOR EACH ROW EXECUTE FUNCTION organisations_group_frozen();

-- Marks rounds for the worker to recount and wakes the workers (channel as in
-- PostgresRoundRepository.channel).
CREATE FUNCTION mark_rounds_dirty(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO round_changes (round_id) SELECT DISTINCT id FROM unnest(ids) AS id;
    PERFORM pg_notify('werkstatt_round_changes', id::text) FROM (SELECT DISTINCT unnest(ids) AS id) AS r;
END;
$$;
