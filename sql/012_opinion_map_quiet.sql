-- Werkstatt schema, part 12: marking an opinion map out of date wakes no worker.
--
-- Every stance a member takes marks the map (trigger stances_opinion_map, sql/009). A
-- pg_notify there takes the notification queue's lock, held through the commit's flush,
-- so concurrent stance writes would commit one after another. A map need not be fresh to
-- the second: workers find it on their sweep (every few seconds) or on the next wake-up
-- for a round, whichever comes first.
CREATE OR REPLACE FUNCTION mark_opinion_maps_dirty(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN RETURN; END IF;
    INSERT INTO opinion_map_queue (workshop_id) SELECT DISTINCT id FROM unnest(ids) AS id
        ON CONFLICT (workshop_id) DO NOTHING;
    INSERT INTO opinion_map_changes (workshop_id) SELECT DISTINCT id FROM unnest(ids) AS id;
END;
$$;
