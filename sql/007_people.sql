-- Werkstatt schema, part 7: people and access for a real process: e-mail addresses for
-- bulk onboarding, token expiry, and references that stay inside one workshop.

-- An address identifies a person within a workshop: a second member with it is a duplicate.
ALTER TABLE members ADD COLUMN email text CHECK (length(email) BETWEEN 3 AND 320);
CREATE UNIQUE INDEX members_workshop_email ON members (workshop_id, lower(email)) WHERE email IS NOT NULL;

-- Tokens may expire; an expired token is refused with a problem that says so.
ALTER TABLE members ADD COLUMN expires_at timestamptz;
ALTER TABLE admin_tokens ADD COLUMN expires_at timestamptz;

-- Organisations are matched by name when members are imported.
CREATE INDEX organisations_name ON organisations (lower(name));

-- A ballot's member and round, and a stance's member and thesis, belong to one workshop:
-- enforced by composite foreign keys, as for every other reference.
ALTER TABLE ballots ADD COLUMN workshop_id uuid;
UPDATE ballots b SET workshop_id = r.workshop_id FROM rounds r WHERE r.id = b.round_id;
ALTER TABLE ballots ALTER COLUMN workshop_id SET NOT NULL,
    ADD FOREIGN KEY (workshop_id, round_id) REFERENCES rounds (workshop_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (workshop_id, member_id) REFERENCES members (workshop_id, id) ON DELETE CASCADE;

ALTER TABLE stances ADD COLUMN workshop_id uuid;
UPDATE stances s SET workshop_id = t.workshop_id FROM theses t WHERE t.id = s.thesis_id;
ALTER TABLE stances ALTER COLUMN workshop_id SET NOT NULL,
    ADD FOREIGN KEY (workshop_id, thesis_id) REFERENCES theses (workshop_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (workshop_id, member_id) REFERENCES members (workshop_id, id) ON DELETE CASCADE;

-- A closed workshop stays closed: its record is final.
CREATE FUNCTION workshops_stay_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.phase = 'closed' AND NEW.phase <> 'closed' THEN
        RAISE EXCEPTION 'a closed workshop cannot be reopened' USING ERRCODE = 'WK409';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER workshops_stay_closed BEFORE UPDATE OF phase ON workshops
    FOR EACH ROW EXECUTE FUNCTION workshops_stay_closed();

-- Pruning a closed round's ballot history (werkstatt prune-history) drops who cast each
-- version and keeps what was cast; nothing else of the history may change.
ALTER TABLE ballot_history ALTER COLUMN member_id DROP NOT NULL;
ALTER TABLE ballot_history ADD COLUMN pruned_at timestamptz;
CREATE OR REPLACE FUNCTION ballot_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.member_id IS NULL AND NEW.pruned_at IS NOT NULL AND OLD.pruned_at IS NULL
       AND (NEW.id, NEW.round_id, NEW.version, NEW.content, NEW.recorded_at)
           IS NOT DISTINCT FROM (OLD.id, OLD.round_id, OLD.version, OLD.content, OLD.recorded_at)
       AND EXISTS (SELECT 1 FROM rounds WHERE id = OLD.round_id AND state = 'closed') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'ballot_history is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER ballot_history_append_only ON ballot_history;
CREATE TRIGGER ballot_history_append_only BEFORE UPDATE OR DELETE ON ballot_history
    FOR EACH ROW EXECUTE FUNCTION ballot_history_append_only();

-- A pruned round is never recounted: its ballots are gone, its final snapshot and audit
-- text stay as they were counted.
ALTER TABLE rounds ADD COLUMN history_pruned_at timestamptz;
