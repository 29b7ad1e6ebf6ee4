-- Werkstatt schema, part 11: implementation tracking over years (issue 12).
-- Measures (Maßnahmen) at any depth under an implementation item, milestones and review
-- dates on both, and an append-only history of every change, from which the list is
-- rebuilt "as of" any day. A parent's progress is never stored: it is rolled up from its
-- children when read (WerkstattDomain/MeasureTree.swift, docs/methods.md).

-- When the lead must next report, the item's milestones ([{title, due, done}], dates as
-- YYYY-MM-DD), and whether its status was set by hand or follows its measures.
ALTER TABLE implementation_items
    ADD COLUMN review_due      date,
    ADD COLUMN milestones      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(milestones) = 'array'),
    ADD COLUMN status_explicit boolean NOT NULL DEFAULT false;

-- A measure belongs to one item; its parent (if any) is a measure of the same item, which
-- the composite key enforces. Cycles are refused by the use case (MeasureTree.wouldCycle)
-- under a lock on the item. Deleting archives: the row and its history stay.
CREATE TABLE measures (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workshop_id       uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    item_id           uuid NOT NULL REFERENCES implementation_items (id) ON DELETE CASCADE,
    parent_id         uuid,
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    lead              text[] NOT NULL DEFAULT '{}',
    timeframe_kind    text CHECK (timeframe_kind IN ('in', 'by', 'from', 'ongoing', 'range')),
    timeframe_year    integer,
    timeframe_to_year integer,
    status            text NOT NULL DEFAULT 'planned'
                      CHECK (status IN ('planned', 'in_progress', 'done', 'dropped')),
    status_explicit   boolean NOT NULL DEFAULT false,
    progress          integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    weight            double precision CHECK (weight > 0 AND weight <= 1000000),
    review_due        date,
    milestones        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(milestones) = 'array'),
    archived_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (item_id, id),
    FOREIGN KEY (item_id, parent_id) REFERENCES measures (item_id, id),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX measures_item ON measures (item_id) WHERE archived_at IS NULL;
CREATE INDEX measures_workshop ON measures (workshop_id) WHERE archived_at IS NULL;

-- The state of an item or measure as history keeps it: what it is after a change. One
-- definition, used by every write (record_implementation_state) and read back by
-- RecordedState in WerkstattDomain.
CREATE FUNCTION implementation_item_state(item uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
               'lead', to_jsonb(r.lead),
               'timeframe', CASE WHEN r.timeframe_kind IS NULL THEN NULL ELSE jsonb_build_object(
                   'kind', r.timeframe_kind, 'year', r.timeframe_year, 'to_year', r.timeframe_to_year) END,
               'status', i.status, 'status_explicit', i.status_explicit, 'progress', i.progress,
               'review_due', i.review_due, 'milestones', i.milestones, 'archived', false)
      FROM implementation_items i JOIN recommendations r ON r.id = i.recommendation_id
     WHERE i.id = item
$$;

CREATE FUNCTION measure_state(measure uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
               'parent_id', m.parent_id, 'title', m.title, 'lead', to_jsonb(m.lead),
               'timeframe', CASE WHEN m.timeframe_kind IS NULL THEN NULL ELSE jsonb_build_object(
                   'kind', m.timeframe_kind, 'year', m.timeframe_year, 'to_year', m.timeframe_to_year) END,
               'status', m.status, 'status_explicit', m.status_explicit, 'progress', m.progress,
               'weight', m.weight, 'review_due', m.review_due, 'milestones', m.milestones,
               'archived', m.archived_at IS NOT NULL)
      FROM measures m
     WHERE m.id = measure
$$;

-- Every change to an item or a measure, as ballots are kept: append-only (trigger below,
-- and the runtime role may only INSERT: RuntimeRole.appendOnlyTables). `state` is the
-- entity's full state after the change, so the list as of a day is the latest row per
-- entity before the day's end. `changed` names the fields that differ from the previous row.
CREATE TABLE implementation_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id  uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    item_id      uuid NOT NULL REFERENCES implementation_items (id) ON DELETE CASCADE,
    entity_id    uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('item', 'measure')),
    action       text NOT NULL CHECK (action IN ('create', 'update', 'move', 'archive')),
    changed      text[] NOT NULL DEFAULT '{}',
    state        jsonb NOT NULL,
    note         text CHECK (length(note) BETWEEN 1 AND 5000),
    actor_member uuid REFERENCES members (id) ON DELETE SET NULL,
    actor_admin  uuid REFERENCES admin_tokens (id) ON DELETE SET NULL,
    at           timestamptz NOT NULL
);
-- "As of": DISTINCT ON (entity_id) … WHERE workshop_id = $1 AND at < $2 ORDER BY entity_id, at DESC, id DESC.
CREATE INDEX implementation_history_as_of ON implementation_history (workshop_id, entity_id, at DESC, id DESC);
-- An item's history, newest first, paged by id.
CREATE INDEX implementation_history_item ON implementation_history (item_id, id DESC);

CREATE TRIGGER implementation_history_append_only BEFORE UPDATE OR DELETE ON implementation_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Appends the entity's current state. The first row of an item is preceded by its state
-- before the change (action 'create'), dated at its recommendation's creation or the
-- change, whichever is earlier, so "as of" a day before the first change finds it as it was.
-- A change dated before the entity's latest row is refused: each entity's history runs
-- forward in time, so the latest row by time is also the latest written.
CREATE FUNCTION record_implementation_state(
    p_entity uuid, p_kind text, p_action text, p_note text, p_member uuid, p_admin uuid, p_at timestamptz,
    p_before jsonb DEFAULT NULL
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_workshop uuid;
    v_item uuid;
    v_state jsonb;
    v_previous jsonb;
    v_latest timestamptz;
    v_created timestamptz;
BEGIN
    IF p_kind = 'item' THEN
        SELECT i.workshop_id, i.id, implementation_item_state(i.id), r.created_at
          INTO v_workshop, v_item, v_state, v_created
          FROM implementation_items i JOIN recommendations r ON r.id = i.recommendation_id WHERE i.id = p_entity;
    ELSE
        SELECT m.workshop_id, m.item_id, measure_state(m.id), m.created_at
          INTO v_workshop, v_item, v_state, v_created
          FROM measures m WHERE m.id = p_entity;
    END IF;
    SELECT h.state, h.at INTO v_previous, v_latest FROM implementation_history h
     WHERE h.workshop_id = v_workshop AND h.entity_id = p_entity ORDER BY h.at DESC, h.id DESC LIMIT 1;
    IF v_latest IS NOT NULL AND p_at < v_latest THEN
        RAISE EXCEPTION 'a change dated % is before the latest recorded change (%)', p_at, v_latest
            USING ERRCODE = 'WK409';
    END IF;
    IF v_previous IS NULL AND p_before IS NOT NULL THEN
        INSERT INTO implementation_history (workshop_id, item_id, entity_id, kind, action, state, at)
        VALUES (v_workshop, v_item, p_entity, p_kind, 'create', p_before, LEAST(v_created, p_at));
        v_previous := p_before;
    END IF;
    INSERT INTO implementation_history (workshop_id, item_id, entity_id, kind, action, changed, state, note,
                                        actor_member, actor_admin, at)
    VALUES (v_workshop, v_item, p_entity, p_kind, p_action,
            ARRAY(SELECT n.key FROM jsonb_each(v_state) n
                   WHERE v_previous IS NULL OR n.value IS DISTINCT FROM v_previous -> n.key ORDER BY n.key),
            v_state, p_note, p_member, p_admin, p_at);
END;
$$;
