-- Werkstatt schema, part 13: the states of implementation_history as columns, so that the
-- list "as of" a day and the progress report are rebuilt without reading JSON (issue 12's
-- speed target; docs/performance.md, "Implementation tracking").
--
-- `state` stays what each row records and what `…/history` returns. The columns are
-- generated from it by PostgreSQL: for the rows already there when this runs (the table is
-- rewritten; no UPDATE, so the append-only trigger is not involved) and for every row
-- inserted later. They cannot disagree with it. They carry the names of the `measures`
-- columns they mirror, so one row reader serves both (PostgresMeasureRepository.state).

-- The elements of a JSON array of strings, in order.
CREATE FUNCTION jsonb_text_array(value jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(e ORDER BY n), '{}') FROM jsonb_array_elements_text(value) WITH ORDINALITY AS x(e, n)
$$;

-- One field of each milestone ({title, due, done}), in order; '' where it is absent (a
-- milestone not done): the rows' array types hold no NULL elements.
CREATE FUNCTION milestone_field(milestones jsonb, field text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(COALESCE(m ->> field, '') ORDER BY n), '{}')
      FROM jsonb_array_elements(milestones) WITH ORDINALITY AS x(m, n)
$$;

ALTER TABLE implementation_history
    ADD COLUMN parent_id         uuid             GENERATED ALWAYS AS ((state ->> 'parent_id')::uuid) STORED,
    ADD COLUMN title             text             GENERATED ALWAYS AS (state ->> 'title') STORED,
    ADD COLUMN lead              text[]           GENERATED ALWAYS AS (jsonb_text_array(state -> 'lead')) STORED,
    ADD COLUMN timeframe_kind    text             GENERATED ALWAYS AS (state -> 'timeframe' ->> 'kind') STORED,
    ADD COLUMN timeframe_year    integer          GENERATED ALWAYS AS ((state -> 'timeframe' ->> 'year')::integer) STORED,
    ADD COLUMN timeframe_to_year integer          GENERATED ALWAYS AS ((state -> 'timeframe' ->> 'to_year')::integer) STORED,
    ADD COLUMN status            text             GENERATED ALWAYS AS (state ->> 'status') STORED,
    ADD COLUMN status_explicit   boolean          GENERATED ALWAYS AS ((state ->> 'status_explicit')::boolean) STORED,
    ADD COLUMN progress          integer          GENERATED ALWAYS AS ((state ->> 'progress')::integer) STORED,
    ADD COLUMN weight            double precision GENERATED ALWAYS AS ((state ->> 'weight')::double precision) STORED,
    ADD COLUMN review_due        text             GENERATED ALWAYS AS (state ->> 'review_due') STORED,
    ADD COLUMN milestone_titles  text[]           GENERATED ALWAYS AS (milestone_field(state -> 'milestones', 'title')) STORED,
    ADD COLUMN milestone_dues    text[]           GENERATED ALWAYS AS (milestone_field(state -> 'milestones', 'due')) STORED,
    ADD COLUMN milestone_dones   text[]           GENERATED ALWAYS AS (milestone_field(state -> 'milestones', 'done')) STORED,
    ADD COLUMN archived          boolean          GENERATED ALWAYS AS ((state ->> 'archived')::boolean) STORED;
