-- bench/ingest-pgbench.sql: one ballot, written by exactly the statement the service uses
-- (WriteBallots in BallotWriter.swift, which RoundRepository.cast hands ballots to), as a batch of one:
-- what a ballot costs when it has a commit to itself. Under load the service puts the
-- ballots arriving together into one batch, so it can beat this figure.
-- For pgbench -M prepared (bench/ingest.sh); the bind parameters are pgbench variables,
-- each a one-element array as the service would send for one ballot:
--   round     the round id (pgbench -D round=…; its own open dot round, not the service's)
--   content   the ballot as the server stores it (-D content='{"points":{"<ID>":3,…}}')
--   entries   its compact form as text (-D entries='{0,3,1,2}')
--   members   how many members there are (-D members=20000)
-- and the member, a random one, looked up in bench_members (n → members.id; a plain
-- table, since pgbench's sessions can't see a temp table).
\set m random(1, :members)
WITH input AS (
    SELECT * FROM unnest(ARRAY[:round::uuid], ARRAY[(SELECT id FROM bench_members WHERE n = :m)],
                         ARRAY[:content::text], ARRAY[:entries::text])
           AS i(round_id, member_id, content, entries)
), open AS (
    SELECT t.id FROM rounds_taking_ballots(ARRAY(SELECT DISTINCT round_id FROM input)) AS t(id)
), current AS (
    INSERT INTO ballots (round_id, member_id, workshop_id, version, content, entries)
    SELECT i.round_id, i.member_id, r.workshop_id, 1, i.content::jsonb, i.entries::integer[]
      FROM input i JOIN rounds r ON r.id = i.round_id
     WHERE i.round_id IN (SELECT id FROM open)
    ON CONFLICT (round_id, member_id) DO UPDATE
       SET version = ballots.version + 1, content = EXCLUDED.content, entries = EXCLUDED.entries,
           recorded_at = now()
    RETURNING round_id, member_id, version, content, recorded_at
), history AS (
    INSERT INTO ballot_history (round_id, member_id, version, content, recorded_at)
    SELECT round_id, member_id, version, content, recorded_at FROM current
), dirty AS (
    SELECT mark_rounds_dirty(ARRAY(SELECT DISTINCT round_id FROM current))
)
SELECT round_id, member_id, version, recorded_at, (SELECT count(*) FROM dirty) AS marked FROM current;
