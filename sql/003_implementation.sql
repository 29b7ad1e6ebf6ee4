-- Werkstatt schema, part 3: the implementation list (Umsetzungsliste).
-- Its order is not stored: it is read from the latest snapshot of the workshop's decisive
-- round, so re-ranking reorders the list and never touches status, progress or notes.
-- Lead and timeframe stay on the recommendation, in one place.

CREATE TABLE implementation_items (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workshop_id       uuid NOT NULL,
    recommendation_id uuid NOT NULL UNIQUE,
    status            text NOT NULL DEFAULT 'planned'
                      CHECK (status IN ('planned', 'in_progress', 'done', 'dropped')),
    progress          integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (workshop_id, recommendation_id) REFERENCES recommendations (workshop_id, id) ON DELETE CASCADE
);
CREATE INDEX implementation_items_workshop ON implementation_items (workshop_id);

-- Every recommendation is on its workshop's implementation list from the start.
CREATE FUNCTION recommendations_implementation_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO implementation_items (workshop_id, recommendation_id) VALUES (NEW.workshop_id, NEW.id);
    RETURN NEW;
END;
$$;

CREATE TRIGGER recommendations_implementation_item AFTER INSERT ON recommendations
    FOR EACH ROW EXECUTE FUNCTION recommendations_implementation_item();

INSERT INTO implementation_items (workshop_id, recommendation_id)
SELECT workshop_id, id FROM recommendations;

-- Dated progress notes, kept for good.
CREATE TABLE implementation_notes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id        uuid NOT NULL REFERENCES implementation_items (id) ON DELETE CASCADE,
    note           text NOT NULL CHECK (length(note) BETWEEN 1 AND 5000),
    author_member  uuid REFERENCES members (id) ON DELETE SET NULL,
    author_admin   uuid REFERENCES admin_tokens (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX implementation_notes_item ON implementation_notes (item_id, id);

-- Workshops whose report (rankings and implementation list, never ballots) anyone may read.
ALTER TABLE workshops ADD COLUMN public_report boolean NOT NULL DEFAULT false;
