-- Werkstatt schema, part 15: ranking snapshots a reader never saw do not pile up.
--
-- The worker writes a snapshot several times a second while ballots come in; each is about
-- 6 kB. Kept for good: every final snapshot (its audit text, `werkstatt verify`), every one
-- a reader was shown (`shown`), the latest of each round and its latest published one (what
-- readers get next, and what the k rule compares with), and the last published one of each
-- UTC day (what the implementation list "as of" that day shows). The others are pruned by the
-- worker once older than its retention time (docs/operations.md, "Snapshot retention").

-- Set once, when a reader is first given the snapshot (ranking, exports, implementation list).
ALTER TABLE ranking_snapshots ADD COLUMN shown boolean NOT NULL DEFAULT false;

-- Snapshots are immutable but for that one mark, false to true, everything else unchanged.
CREATE FUNCTION ranking_snapshots_only_shown() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.shown AND NOT OLD.shown AND (to_jsonb(NEW) - 'shown') = (to_jsonb(OLD) - 'shown') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only (only "shown" may be set, once)', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER ranking_snapshots_immutable ON ranking_snapshots;
CREATE TRIGGER ranking_snapshots_immutable BEFORE UPDATE ON ranking_snapshots
    FOR EACH ROW EXECUTE FUNCTION ranking_snapshots_only_shown();

-- Before this migration nobody recorded what was shown: any published snapshot may have
-- been, so all of them count as shown. Unpublished ones were never given to any reader.
UPDATE ranking_snapshots SET shown = true WHERE published;

-- The retention sweep's candidates; after a sweep only the young and the kept ones remain.
CREATE INDEX ranking_snapshots_prunable ON ranking_snapshots (computed_at) WHERE provisional AND NOT shown;

-- Marks a snapshot shown and says whether it still exists: false when retention removed it
-- between the read and the mark, and the reader must read again. Each statement sees the
-- latest commits: a concurrent mark makes the UPDATE find nothing, and the row is there.
-- SECURITY DEFINER: the runtime role may only INSERT into ranking_snapshots (RuntimeRole.swift).
CREATE FUNCTION mark_ranking_snapshot_shown(snapshot bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    UPDATE ranking_snapshots SET shown = true WHERE id = snapshot AND NOT shown;
    IF FOUND THEN
        RETURN true;
    END IF;
    RETURN EXISTS (SELECT 1 FROM ranking_snapshots WHERE id = snapshot);
END;
$$;

-- Deletes at most `batch` snapshots that retention may remove and were computed before
-- `cutoff`; returns how many. The rule is here, not in the caller: whatever cutoff the
-- worker passes, a final, shown, latest, latest published or last-of-its-day published
-- snapshot stays. Rows being marked or pruned by another session are skipped (SKIP LOCKED),
-- and a row marked shown meanwhile is re-checked under its lock, so several workers may
-- prune at once. Nothing refers to a provisional snapshot (snapshot_audits holds final ones).
CREATE FUNCTION prune_ranking_snapshots(cutoff timestamptz, batch integer) RETURNS integer
    LANGUAGE sql SECURITY DEFINER AS $$
    WITH doomed AS (
        SELECT s.id FROM ranking_snapshots s
         WHERE s.provisional AND NOT s.shown AND s.computed_at < cutoff
           AND EXISTS (SELECT 1 FROM ranking_snapshots later WHERE later.round_id = s.round_id AND later.id > s.id)
           AND (NOT s.published
                OR EXISTS (SELECT 1 FROM ranking_snapshots later
                            WHERE later.round_id = s.round_id AND later.id > s.id AND later.published
                              AND (later.computed_at AT TIME ZONE 'UTC')::date = (s.computed_at AT TIME ZONE 'UTC')::date))
         ORDER BY s.computed_at
         LIMIT batch
           FOR UPDATE SKIP LOCKED
    ), pruned AS (
        DELETE FROM ranking_snapshots s USING doomed WHERE s.id = doomed.id RETURNING 1
    )
    SELECT count(*)::integer FROM pruned
$$;

-- A SECURITY DEFINER function resolves names in the schema it was made in, never in one the
-- caller puts first on its search_path.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION mark_ranking_snapshot_shown(bigint) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION prune_ranking_snapshots(timestamptz, integer) SET search_path = %I, pg_temp', current_schema());
END;
$$;
