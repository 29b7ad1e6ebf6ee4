-- Data for bench/recompute.sh: one workshop in phase 'voting' with :items
-- recommendations, :members members over the 8 stakeholder groups, and one open round
-- per method (dot, approval, score, ranking), each with a current ballot of every member,
-- the matching ballot_history rows and one round_changes row (so the worker finds it dirty).
--
-- psql variables: tag (unique per run: ids, slug and token hashes derive from it, so the
-- script can also run against a reused $DATABASE_URL), members, items, seed (setseed).
--
-- Ballots are written the way RoundRepository.cast writes them: `content` is the request
-- body as the server stores it (recommendation ids as upper-case UUID strings), `entries`
-- the compact form the worker reads: [position, value, …] sorted by position for dot and
-- score, the sorted positions for approval, the positions in the voter's order for
-- ranking; a position indexes the round's items ordered by recommendations.seq.
\set ON_ERROR_STOP on
\set QUIET on
-- random() must be called in one process in one order for setseed to make runs repeatable.
SET max_parallel_workers_per_gather = 0;
SET synchronous_commit = off;

-- k distinct random numbers from 0 ..< n, in random order.
CREATE FUNCTION pg_temp.pick(n int, k int) RETURNS int[] LANGUAGE sql VOLATILE AS $$
    SELECT COALESCE((array_agg(x ORDER BY random()))[1:k], '{}') FROM generate_series(0, n - 1) x
$$;
-- `total` split into k random parts of at least 1 each (k <= total): random cut points.
CREATE FUNCTION pg_temp.split(total int, k int) RETURNS int[] LANGUAGE sql VOLATILE AS $$
    WITH cuts AS (
        SELECT 0 AS c
        UNION ALL SELECT x + 1 FROM unnest(pg_temp.pick(total - 1, k - 1)) x
        UNION ALL SELECT total
    )
    SELECT array_agg(d ORDER BY c) FROM (SELECT c, lead(c) OVER (ORDER BY c) - c AS d FROM cuts) s
     WHERE d IS NOT NULL
$$;
-- k random grades 0..5.
CREATE FUNCTION pg_temp.grades(k int) RETURNS int[] LANGUAGE sql VOLATILE AS $$
    SELECT array_agg(floor(random() * 6)::int) FROM generate_series(1, k)
$$;

SELECT setseed(:seed) \g /dev/null

\echo '  workshop, recommendations, members'
INSERT INTO workshops (id, slug, title, phase)
VALUES (md5(:'tag' || '-workshop')::uuid, :'tag', 'Benchmark: recomputing rankings', 'voting');

INSERT INTO recommendations (id, workshop_id, code, title, body)
SELECT md5(:'tag' || '-rec-' || i)::uuid, md5(:'tag' || '-workshop')::uuid, 'R' || i,
       'Recommendation ' || i, 'What recommendation ' || i || ' proposes, in a few sentences.'
  FROM generate_series(1, :items) i ORDER BY i;

-- Position in the round = rank by seq, as RoundRepository.create numbers round_items.position.
CREATE TEMP TABLE recs AS
SELECT (row_number() OVER (ORDER BY seq) - 1)::int AS pos, id, upper(id::text) AS key
  FROM recommendations WHERE workshop_id = md5(:'tag' || '-workshop')::uuid;

-- Unequal group sizes, as in a real workshop (so proportional balance has work to do).
INSERT INTO members (id, workshop_id, display_name, role, stakeholder_group, token_hash)
SELECT md5(:'tag' || '-member-' || i)::uuid, md5(:'tag' || '-workshop')::uuid, 'Member ' || i, 'participant',
       CASE WHEN r < 0.25 THEN 'industry'     WHEN r < 0.40 THEN 'science'
            WHEN r < 0.55 THEN 'association'  WHEN r < 0.65 THEN 'union'
            WHEN r < 0.73 THEN 'politics'     WHEN r < 0.83 THEN 'administration'
            WHEN r < 0.95 THEN 'civil_society' ELSE 'other' END,
       -- 32 unique bytes; the tag keeps them unique across runs on a reused database.
       sha256(convert_to(:'tag' || ':' || i, 'UTF8'))
  FROM (SELECT i, random() AS r FROM generate_series(1, :members) i OFFSET 0) s;

\echo '  rounds'
INSERT INTO rounds (id, workshop_id, title, method, points_per_member, max_points_per_item, state, opened_at)
SELECT md5(:'tag' || '-round-' || m)::uuid, md5(:'tag' || '-workshop')::uuid, 'Benchmark ' || m || ' round', m,
       CASE WHEN m = 'dot' THEN 5 END, CASE WHEN m = 'dot' THEN 5 END, 'open', now()
  FROM unnest(ARRAY['dot', 'approval', 'score', 'ranking']) m;
INSERT INTO round_items (round_id, workshop_id, recommendation_id, position)
SELECT r.id, r.workshop_id, recs.id, recs.pos FROM rounds r, recs WHERE r.workshop_id = md5(:'tag' || '-workshop')::uuid;
INSERT INTO round_queue (round_id)
SELECT id FROM rounds WHERE workshop_id = md5(:'tag' || '-workshop')::uuid;

-- One row per ballot: the chosen positions (in the voter's order) and their values.
-- OFFSET 0 keeps k from being inlined (and re-drawn) into both function calls.
CREATE TEMP TABLE choice (method text, n int, items int[], vals int[]);

\echo '  dot ballots: 5 points over 1-5 recommendations (at most 5 on one)'
INSERT INTO choice
SELECT 'dot', n, pg_temp.pick(:items, k), pg_temp.split(5, k)
  FROM (SELECT n, 1 + floor(random() * 5)::int AS k FROM generate_series(1, :members) n OFFSET 0) s;
\echo '  approval ballots: 1-8 approved'
INSERT INTO choice
SELECT 'approval', n, pg_temp.pick(:items, k), NULL
  FROM (SELECT n, 1 + floor(random() * 8)::int AS k FROM generate_series(1, :members) n OFFSET 0) s;
\echo '  score ballots: grades 0-5 for 1-8 recommendations'
INSERT INTO choice
SELECT 'score', n, pg_temp.pick(:items, k), pg_temp.grades(k)
  FROM (SELECT n, 1 + floor(random() * 8)::int AS k FROM generate_series(1, :members) n OFFSET 0) s;
\echo '  ranking ballots: 5-10 recommendations in order'
INSERT INTO choice
SELECT 'ranking', n, pg_temp.pick(:items, k), NULL
  FROM (SELECT n, 5 + floor(random() * 6)::int AS k FROM generate_series(1, :members) n OFFSET 0) s;

\echo '  ballots'
INSERT INTO ballots (workshop_id, round_id, member_id, version, content, entries, recorded_at)
SELECT md5(:'tag' || '-workshop')::uuid, md5(:'tag' || '-round-' || c.method)::uuid, md5(:'tag' || '-member-' || c.n)::uuid, 1,
       CASE c.method
         WHEN 'dot' THEN jsonb_build_object('points',
              (SELECT jsonb_object_agg(recs.key, u.v) FROM unnest(c.items, c.vals) u(p, v) JOIN recs ON recs.pos = u.p))
         WHEN 'score' THEN jsonb_build_object('grades',
              (SELECT jsonb_object_agg(recs.key, u.v) FROM unnest(c.items, c.vals) u(p, v) JOIN recs ON recs.pos = u.p))
         WHEN 'approval' THEN jsonb_build_object('approve',
              (SELECT jsonb_agg(recs.key ORDER BY u.o) FROM unnest(c.items) WITH ORDINALITY u(p, o) JOIN recs ON recs.pos = u.p))
         WHEN 'ranking' THEN jsonb_build_object('ranking',
              (SELECT jsonb_agg(recs.key ORDER BY u.o) FROM unnest(c.items) WITH ORDINALITY u(p, o) JOIN recs ON recs.pos = u.p))
       END,
       CASE c.method
         WHEN 'dot' THEN (SELECT array_agg(e.x ORDER BY u.p, e.o) FROM unnest(c.items, c.vals) u(p, v),
                                 LATERAL (VALUES (1, u.p), (2, u.v)) e(o, x))
         WHEN 'score' THEN (SELECT array_agg(e.x ORDER BY u.p, e.o) FROM unnest(c.items, c.vals) u(p, v),
                                   LATERAL (VALUES (1, u.p), (2, u.v)) e(o, x))
         WHEN 'approval' THEN (SELECT array_agg(p ORDER BY p) FROM unnest(c.items) p)
         WHEN 'ranking' THEN c.items
       END,
       -- Cast over the last two days.
       now() - (random() * interval '2 days')
  FROM choice c;

INSERT INTO ballot_history (round_id, member_id, version, content, recorded_at)
SELECT b.round_id, b.member_id, b.version, b.content, b.recorded_at
  FROM ballots b JOIN rounds r ON r.id = b.round_id
 WHERE r.workshop_id = md5(:'tag' || '-workshop')::uuid
 ORDER BY b.recorded_at;

INSERT INTO round_changes (round_id)
SELECT id FROM rounds WHERE workshop_id = md5(:'tag' || '-workshop')::uuid ORDER BY seq;

-- Sanity checks of the generated ballots (a broken generator would measure nonsense).
DO $$
DECLARE bad bigint;
BEGIN
    SELECT count(*) INTO bad FROM choice
     WHERE (method = 'dot' AND ((SELECT sum(v) FROM unnest(vals) v) <> 5 OR cardinality(vals) <> cardinality(items)))
        OR (method = 'score' AND cardinality(vals) <> cardinality(items))
        OR cardinality(items) <> (SELECT count(DISTINCT p) FROM unnest(items) p);
    IF bad > 0 THEN RAISE EXCEPTION '% generated ballots break the rules', bad; END IF;
END $$;

\echo '  ballots per round (entries per ballot):'
\pset footer off
SELECT r.method, count(*) AS ballots,
       round(avg(cardinality(b.entries)::numeric / CASE WHEN r.method IN ('dot', 'score') THEN 2 ELSE 1 END), 2)
         AS items_per_ballot
  FROM ballots b JOIN rounds r ON r.id = b.round_id
 WHERE r.workshop_id = md5(:'tag' || '-workshop')::uuid
 GROUP BY r.method, r.seq ORDER BY r.seq;

-- What autovacuum would have done by the time a real round reaches this size.
\echo '  vacuum analyze'
VACUUM ANALYZE members;
VACUUM ANALYZE ballots;
VACUUM ANALYZE ballot_history;
VACUUM ANALYZE round_changes;
VACUUM ANALYZE recommendations;
VACUUM ANALYZE round_items;
