#!/usr/bin/env python3
"""bench/freshness.py: how fresh is the ranking while ballots pour in?

Run by bench/freshness.sh, which provides a migrated throwaway database and a running
`werkstatt serve --with-worker`. Standard library only.

1. Sets up through the HTTP API a workshop in phase voting with --items recommendations,
   --members participants spread over the stakeholder groups (created by 8 moderators,
   as tokens are rate-limited), and an open dot round (5 points, at most 5 on one
   recommendation).
2. Drives PUT /v1/rounds/{id}/ballot at a steady --rate requests per second for
   --duration seconds: --threads threads, each with one keep-alive http.client
   connection, send request g at t0 + g / rate (thread t sends g = t, t + threads, ...;
   a thread that falls behind sends at once, so the rate is kept if the server keeps up
   on average). Request g votes as member g mod --members, so every member's ballot gets
   replaced several times. Each request's status and latency are recorded.
3. Waits until the worker has caught up, then reads ballot_history and ranking_snapshots
   from PostgreSQL and reports the freshness of every ballot (see freshness()), the
   number of snapshots, the achieved request rate, the non-2xx count and the latencies.
"""

import argparse
import os
import random
import sys
import threading
import time
from bisect import bisect_left

from benchlib import DB, GROUPS, Client, create_workshop, dot_ballot, host_port, log, open_dot_round, \
    parallel, pct, run_threads, wait_caught_up, wait_ready

# Unequal group sizes, as in a real workshop (cumulative shares).
GROUP_SHARES = [0.25, 0.40, 0.55, 0.65, 0.73, 0.83, 0.95, 1.0]


def set_up(args, host, port):
    # Set-up requests wait out 429 (Retry-After) up to 20 times.
    admin = Client(port, args.admin_token, timeout=30, host=host)
    slug = f"bench-freshness-{int(time.time())}-{os.getpid()}"
    wid, recommendations = create_workshop(admin, slug, "Benchmark: ranking freshness", args.items)

    rng = random.Random(args.seed)
    groups = [GROUPS[bisect_left(GROUP_SHARES, rng.random())] for _ in range(args.members)]
    # The server limits requests per token (`serve --rate-limit`, 100/s by default), so
    # the participants are created by a few moderators, each thread with its own token.
    setup_threads = 8
    moderators = [admin.json("POST", f"/v1/workshops/{wid}/members", {
        "display_name": f"Moderator {t + 1}", "role": "moderator"}, attempts=20)["token"] for t in range(setup_threads)]
    moderator_of_thread = iter(moderators)
    moderator_lock = threading.Lock()

    def create_member(state, i):
        if "client" not in state:
            with moderator_lock:
                state["client"] = Client(port, next(moderator_of_thread), timeout=30, host=host)
        member = state["client"].json("POST", f"/v1/workshops/{wid}/members", {
            "display_name": f"Member {i + 1}", "role": "participant", "stakeholder_group": groups[i]}, attempts=20)
        return member["token"]

    started = time.monotonic()
    tokens = parallel(list(range(args.members)), setup_threads, create_member)
    log(f"  {args.members} members in {time.monotonic() - started:.1f} s")
    rnd = open_dot_round(admin, wid, "Benchmark dot round", max_points_per_item=5)
    return wid, rnd["id"], recommendations, tokens


def drive(args, host, port, round_id, recommendations, tokens):
    """Open-loop load: returns [(scheduled, sent, done, status)] in monotonic seconds
    (status 0: connection error or timeout)."""
    total = int(args.rate * args.duration)
    path = f"/v1/rounds/{round_id}/ballot"
    records = [[] for _ in range(args.threads)]
    t0 = time.monotonic() + 0.5

    def run(t):
        rng = random.Random(args.seed * 1000 + t)
        client = Client(port, timeout=30, host=host)
        out = records[t]
        for g in range(t, total, args.threads):
            scheduled = t0 + g / args.rate
            ballot = dot_ballot(rng, recommendations)
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            r = client.request("PUT", path, ballot, token=tokens[g % len(tokens)])
            out.append((scheduled, r.sent, r.done, r.status))
        client.close()

    run_threads(args.threads, run)
    return [r for rs in records for r in rs], t0


def freshness(db, round_id):
    """Seconds from each ballot to the first snapshot that counts it.

    For every ballot_history row of the round (id, recorded_at): the computed_at of the
    first ranking_snapshots row of the round whose watermark >= id, minus recorded_at.

    An approximation, in two ways:
    - Watermark order is not commit order. ballot_history.id comes from an identity
      sequence when the row is inserted, and the snapshot's watermark is the highest id
      its REPEATABLE READ view sees. Casts run concurrently, so a ballot with id M may
      still be uncommitted (invisible) when a snapshot sees a higher id N > M; that
      snapshot's watermark >= M, so M is credited to it although it only enters the next
      one. Such rows are measured too fresh, by at most one recomputation; the window is
      the few milliseconds between a cast's insert and its commit.
    - recorded_at is now() of the cast's transaction (after the HTTP request was parsed and
      authenticated, before its commit), and computed_at is clock_timestamp() when the
      snapshot row is written (before the worker's commit, i.e. before readers see it).
      What a client sees is later by the request's time before the transaction and by the
      snapshot's commit: milliseconds.
    Returns (freshness list, ballots never covered by a snapshot).
    """
    history = db.rows(f"""
        SELECT id, extract(epoch FROM recorded_at) FROM ballot_history
         WHERE round_id = '{round_id}' ORDER BY id""")
    snapshots = db.rows(f"""
        SELECT watermark, extract(epoch FROM computed_at) FROM ranking_snapshots
         WHERE round_id = '{round_id}' ORDER BY watermark, id""")
    marks = [int(w) for w, _ in snapshots]
    # first_at[i]: the earliest computed_at among snapshots i..end (watermark >= marks[i]).
    first_at = [float(c) for _, c in snapshots]
    for i in range(len(first_at) - 2, -1, -1):
        first_at[i] = min(first_at[i], first_at[i + 1])
    values, uncovered = [], 0
    for hid, recorded in history:
        i = bisect_left(marks, int(hid))
        if i == len(marks):
            uncovered += 1
        else:
            values.append(first_at[i] - float(recorded))
    return values, uncovered


def snapshot_table(db, round_id):
    """The round's snapshots, their bytes, and what retention (sql/015) keeps of them once
    every one is past its retention time: it prunes them here, at the end of the run."""
    def rows():
        count, published, shown, size = db.rows(f"""
            SELECT count(*), count(*) FILTER (WHERE published), count(*) FILTER (WHERE shown),
                   COALESCE(sum(pg_column_size(s.*)), 0)
              FROM ranking_snapshots s WHERE round_id = '{round_id}'""")[0]
        return int(count), int(published), int(shown), int(size)
    count, published, shown, size = rows()
    table = int(db.value("SELECT pg_total_relation_size('ranking_snapshots')"))
    log(f"  snapshot table  {count} rows ({published} published, {shown} shown), {size / max(count, 1):.0f} bytes a row; "
        f"ranking_snapshots {table / 1e6:.1f} MB with indexes and TOAST ({table / max(count, 1):.0f} bytes a row)")
    db.value("SELECT prune_ranking_snapshots(now() + interval '1 day', 1000000)")
    kept, _, _, kept_size = rows()
    log(f"  retention       once past the retention time: {kept} of {count} rows kept, "
        f"{kept_size / 1e3:.1f} kB of {size / 1e3:.1f} kB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--admin-token", default=os.environ.get("BENCH_ADMIN_TOKEN"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--psql", default="psql")
    parser.add_argument("--rate", type=float, default=1000, help="requests per second (1000)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (30)")
    parser.add_argument("--threads", type=int, default=32, help="client threads/connections (32)")
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--target", type=float, default=2.0, help="freshness p95 target in s (2)")
    parser.add_argument("--reader-interval", type=float, default=0,
                        help="seconds between reads of the ranking during the load, as a projector would (0: none)")
    args = parser.parse_args()
    if not args.admin_token or not args.database_url:
        parser.error("an admin token (--admin-token or $BENCH_ADMIN_TOKEN) and a database URL are needed")
    host, port = host_port(args.base_url)
    db = DB(args.psql, args.database_url)

    wait_ready(port, 60, host=host)
    log(f"== setting up: {args.items} recommendations, {args.members} members, an open dot round")
    _, round_id, recommendations, tokens = set_up(args, host, port)
    log(f"  round {round_id}")

    log(f"== driving PUT /v1/rounds/{{id}}/ballot at {args.rate:g}/s for {args.duration:g} s "
        f"on {args.threads} keep-alive connections")
    load_started_at = float(db.value("SELECT extract(epoch FROM clock_timestamp())"))
    reading = threading.Event()
    reads = []
    if args.reader_interval > 0:
        def read():
            client = Client(port, args.admin_token, timeout=30, host=host)
            while not reading.wait(args.reader_interval):
                reads.append(client.request("GET", f"/v1/rounds/{round_id}/ranking").status)
            client.close()
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
    records, t0 = drive(args, host, port, round_id, recommendations, tokens)
    reading.set()
    load_ended_at = float(db.value("SELECT extract(epoch FROM clock_timestamp())"))
    caught_up_started = time.monotonic()
    caught_up = wait_caught_up(db, round_id, 60)
    catch_up = time.monotonic() - caught_up_started

    # Requests
    first_sent = min(r[1] for r in records)
    last_done = max(r[2] for r in records)
    ok = [r for r in records if 200 <= r[3] < 300]
    statuses = {}
    for r in records:
        statuses[r[3]] = statuses.get(r[3], 0) + 1
    latency_ms = [(r[2] - r[1]) * 1000 for r in records]
    late_ms = [max(0.0, (r[1] - r[0]) * 1000) for r in records]
    # From the intended send time: includes waiting for a busy connection (no coordinated omission).
    intended_ms = [(r[2] - r[0]) * 1000 for r in records]

    # Freshness and snapshots
    values, uncovered = freshness(db, round_id)
    snaps_total = int(db.value(f"SELECT count(*) FROM ranking_snapshots WHERE round_id = '{round_id}'"))
    snaps_during = int(db.value(f"""
        SELECT count(*) FROM ranking_snapshots WHERE round_id = '{round_id}'
           AND computed_at BETWEEN to_timestamp({load_started_at}) AND to_timestamp({load_ended_at})"""))
    final = db.rows(f"""
        SELECT ballots_counted, watermark FROM ranking_snapshots WHERE round_id = '{round_id}'
         ORDER BY id DESC LIMIT 1""")
    history_rows, max_version = db.rows(f"""
        SELECT count(*), COALESCE(max(version), 0) FROM ballot_history WHERE round_id = '{round_id}'""")[0]
    current = int(db.value(f"SELECT count(*) FROM ballots WHERE round_id = '{round_id}'"))
    load_seconds = load_ended_at - load_started_at

    log("")
    log("results:")
    log(f"  requests        {len(records)} sent in {last_done - first_sent:.1f} s: "
        f"{len(records) / (last_done - first_sent):.0f} req/s achieved (target {args.rate:g}/s)")
    log(f"  2xx / non-2xx   {len(ok)} / {len(records) - len(ok)}"
        + ("" if len(ok) == len(records) else
           "  (statuses: " + ", ".join(f"{s or 'connection error'}: {n}" for s, n in sorted(statuses.items())) + ")"))
    log(f"  latency ms      p50 {pct(latency_ms, 50):.1f}  p95 {pct(latency_ms, 95):.1f}  "
        f"p99 {pct(latency_ms, 99):.1f}  max {max(latency_ms):.1f}")
    log(f"  from schedule   p50 {pct(intended_ms, 50):.1f}  p99 {pct(intended_ms, 99):.1f}  "
        f"max {max(intended_ms):.1f}   (client behind schedule: p99 {pct(late_ms, 99):.1f} ms, "
        f"max {max(late_ms):.1f} ms)")
    log(f"  ballots         {history_rows} history rows, {current} current ballots, "
        f"up to version {max_version}")
    log(f"  snapshots       {snaps_total} written ({snaps_during} during the {load_seconds:.1f} s of load: "
        f"one every {load_seconds / snaps_during * 1000:.0f} ms)" if snaps_during else
        f"  snapshots       {snaps_total} written (none during the load)")
    if final:
        log(f"  last snapshot   {final[0][0]} ballots counted, watermark {final[0][1]}; "
            + (f"caught up {catch_up:.1f} s after the load" if caught_up else
               "NOT caught up 60 s after the load"))
    log(f"  freshness s     p50 {pct(values, 50):.3f}  p95 {pct(values, 95):.3f}  "
        f"p99 {pct(values, 99):.3f}  max {max(values) if values else float('nan'):.3f}"
        f"   ({len(values)} ballots" + (f", {uncovered} never in a snapshot)" if uncovered else ")"))
    if reads:
        log(f"  reader          {len(reads)} reads of the ranking, one every {args.reader_interval:g} s "
            f"({sum(1 for status in reads if status == 200)} answered 200)")
    snapshot_table(db, round_id)
    met = bool(values) and pct(values, 95) < args.target and not uncovered
    log(f"target: freshness p95 < {args.target:g} s: {'met' if met else 'FAILED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
