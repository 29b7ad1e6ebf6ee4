-- Werkstatt schema, part 9: the opinion map (docs/methods.md, "The opinion map").

-- Participants with fewer stances than this are not placed on the map.
ALTER TABLE workshops ADD COLUMN opinion_min_stances integer NOT NULL DEFAULT 7
    CHECK (opinion_min_stances BETWEEN 1 AND 1000);

-- One row per workshop for the worker to claim (FOR UPDATE SKIP LOCKED), with its back-off
-- after a failed computation, as round_queue and round_backoff are for rounds.
CREATE TABLE opinion_map_queue (
    workshop_id uuid PRIMARY KEY REFERENCES workshops (id) ON DELETE CASCADE,
    failures    integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    retry_after timestamptz,
    last_error  text
);

-- A change to what a map is computed from, not yet folded into a map. Insert-only for
-- writers; a worker deletes exactly the rows its transaction saw (as round_changes).
CREATE TABLE opinion_map_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX opinion_map_changes_workshop ON opinion_map_changes (workshop_id, id);

-- Immutable maps: a newer one supersedes, nothing is rewritten. `map` is what readers get
-- (anonymous points, never a member id); `input_digest` is the SHA-256 of the input's
-- canonical text (OpinionMapLoader), so an unchanged input makes no new map.
CREATE TABLE opinion_maps (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id    uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    input_digest   text NOT NULL,
    min_stances    integer NOT NULL,
    min_group_size integer NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT now(),
    map            jsonb NOT NULL
);
CREATE INDEX opinion_maps_workshop ON opinion_maps (workshop_id, id DESC);

CREATE TRIGGER opinion_maps_immutable BEFORE UPDATE ON opinion_maps
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The one way to say "these workshops' maps are out of date". The notification shares the
-- rounds' channel: it only wakes the workers, who then look for any work.
CREATE FUNCTION mark_opinion_maps_dirty(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN RETURN; END IF;
    INSERT INTO opinion_map_queue (workshop_id) SELECT DISTINCT id FROM unnest(ids) AS id
        ON CONFLICT (workshop_id) DO NOTHING;
    INSERT INTO opinion_map_changes (workshop_id) SELECT DISTINCT id FROM unnest(ids) AS id;
    PERFORM pg_notify('werkstatt_round_changes', 'opinion_map');
END;
$$;

-- What a map is computed from: stances, the theses they are on (withdrawn ones are left
-- out), members' groups (the cross-table), and the workshop's k and minimum of stances.
-- Triggers keep it in step, so no writer can forget it.
CREATE FUNCTION stances_mark_opinion_map() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mark_opinion_maps_dirty(ARRAY[COALESCE(NEW.workshop_id, OLD.workshop_id)]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER stances_opinion_map AFTER INSERT OR UPDATE OR DELETE ON stances
    FOR EACH ROW EXECUTE FUNCTION stances_mark_opinion_map();

CREATE FUNCTION workshop_row_marks_opinion_map() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mark_opinion_maps_dirty(ARRAY[NEW.workshop_id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER theses_opinion_map AFTER UPDATE OF withdrawn_at ON theses
    FOR EACH ROW WHEN (OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at)
    EXECUTE FUNCTION workshop_row_marks_opinion_map();
CREATE TRIGGER members_opinion_map AFTER UPDATE OF stakeholder_group, organisation_id ON members
    FOR EACH ROW WHEN (OLD.stakeholder_group IS DISTINCT FROM NEW.stakeholder_group
                       OR OLD.organisation_id IS DISTINCT FROM NEW.organisation_id)
    EXECUTE FUNCTION workshop_row_marks_opinion_map();

-- Organisations are installation-wide: their group is the group of members in any workshop.
CREATE FUNCTION organisations_mark_opinion_map() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mark_opinion_maps_dirty(ARRAY(SELECT DISTINCT workshop_id FROM members WHERE organisation_id = NEW.id));
    RETURN NULL;
END;
$$;
CREATE TRIGGER organisations_opinion_map AFTER UPDATE OF stakeholder_group ON organisations
    FOR EACH ROW WHEN (OLD.stakeholder_group IS DISTINCT FROM NEW.stakeholder_group)
    EXECUTE FUNCTION organisations_mark_opinion_map();

CREATE FUNCTION workshops_mark_opinion_map() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mark_opinion_maps_dirty(ARRAY[NEW.id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER workshops_opinion_map AFTER UPDATE OF min_group_size, opinion_min_stances ON workshops
    FOR EACH ROW WHEN (OLD.min_group_size IS DISTINCT FROM NEW.min_group_size
                       OR OLD.opinion_min_stances IS DISTINCT FROM NEW.opinion_min_stances)
    EXECUTE FUNCTION workshops_mark_opinion_map();

-- Every workshop that has stances gets its first map.
SELECT mark_opinion_maps_dirty(ARRAY(SELECT DISTINCT workshop_id FROM stances));
