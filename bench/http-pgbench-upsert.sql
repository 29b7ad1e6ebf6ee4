-- bench/http-pgbench-upsert.sql: the plain single-row upsert, bench/http.sh's reference
-- for ballots (issue 14): one ballot's `ballots` row, written alone in a transaction of
-- its own, with nothing else the service does for a ballot (no history row, no check that
-- the round is open, no mark for the worker, no NOTIFY). What PostgreSQL on this machine
-- commits when a ballot costs it the least it could; bench/ingest-pgbench.sql, the
-- service's own statement, runs beside it.
-- For pgbench -M prepared; the variables are those of bench/ingest-pgbench.sql, plus
--   workshop  the round's workshop (ballots.workshop_id)
\set m random(1, :members)
INSERT INTO ballots (round_id, member_id, workshop_id, version, content, entries)
VALUES (:round, (SELECT id FROM bench_members WHERE n = :m), :workshop, 1, :content, :entries)
ON CONFLICT (round_id, member_id) DO UPDATE
   SET version = ballots.version + 1, content = EXCLUDED.content, entries = EXCLUDED.entries,
       recorded_at = now();
