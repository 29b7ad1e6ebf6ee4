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
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from bisect import bisect_left

GROUPS = ["industry", "science", "association", "union", "politics", "administration",
          "civil_society", "other"]
# Unequal group sizes, as in a real workshop (cumulative shares).
GROUP_SHARES = [0.25, 0.40, 0.55, 0.65, 0.73, 0.83, 0.95, 1.0]


def log(message):
    print(message, flush=True)


class API:
    """A small JSON client over one keep-alive connection."""

    def __init__(self, host, port, token):
        self.host, self.port, self.token = host, port, token
        self.conn = None

    def call(self, method, path, body=None, expect=(200, 201)):
        attempt = 0
        while True:
            attempt += 1
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            headers = {"Authorization": f"Bearer {self.token}"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt >= 3:
                    raise
                continue
            if response.status == 429 and attempt < 20:
                # Per-token rate limit: wait as told, as a well-behaved client does.
                time.sleep(float(response.getheader("Retry-After") or 1))
                continue
            if response.status not in expect:
                raise RuntimeError(f"{method} {path} -> {response.status}: {text[:500]!r}")
            return json.loads(text) if text else None


def wait_ready(host, port, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/health/ready")
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server on {host}:{port} was not ready within {timeout} s")
        time.sleep(0.2)


def parallel(jobs, threads, work):
    """Runs work(job) for every job on `threads` threads (each with its own state)."""
    results = [None] * len(jobs)
    errors = []
    lock = threading.Lock()
    next_index = [0]

    def run():
        state = {}
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= len(jobs) or errors:
                return
            try:
                results[i] = work(state, jobs[i])
            except Exception as error:  # reported once all threads stopped
                errors.append(error)
                return

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return results


def set_up(args, host, port):
    admin = API(host, port, args.admin_token)
    slug = f"bench-freshness-{int(time.time())}-{os.getpid()}"
    workshop = admin.call("POST", "/v1/workshops", {"slug": slug, "title": "Benchmark: ranking freshness"})
    wid = workshop["id"]
    admin.call("POST", f"/v1/workshops/{wid}/phase", {"phase": "voting"})
    recommendations = []
    for i in range(1, args.items + 1):
        rec = admin.call("POST", f"/v1/workshops/{wid}/recommendations", {
            "code": f"R{i}", "title": f"Recommendation {i}",
            "body": f"What recommendation {i} proposes, in a few sentences."})
        recommendations.append(rec["id"])

    rng = random.Random(args.seed)
    groups = [GROUPS[bisect_left(GROUP_SHARES, rng.random())] for _ in range(args.members)]
    # The server limits requests per token (`serve --rate-limit`, 100/s by default), so
    # the participants are created by a few moderators, each thread with its own token.
    setup_threads = 8
    moderators = [admin.call("POST", f"/v1/workshops/{wid}/members", {
        "display_name": f"Moderator {t + 1}", "role": "moderator"})["token"] for t in range(setup_threads)]
    moderator_of_thread = iter(moderators)
    moderator_lock = threading.Lock()

    def create_member(state, i):
        if "api" not in state:
            with moderator_lock:
                state["api"] = API(host, port, next(moderator_of_thread))
        member = state["api"].call("POST", f"/v1/workshops/{wid}/members", {
            "display_name": f"Member {i + 1}", "role": "participant", "stakeholder_group": groups[i]})
        return member["token"]

    started = time.monotonic()
    tokens = parallel(list(range(args.members)), setup_threads, create_member)
    log(f"  {args.members} members in {time.monotonic() - started:.1f} s")
    rnd = admin.call("POST", f"/v1/workshops/{wid}/rounds", {
        "title": "Benchmark dot round", "method": "dot", "points_per_member": 5, "max_points_per_item": 5})
    admin.call("POST", f"/v1/rounds/{rnd['id']}/open")
    return wid, rnd["id"], recommendations, tokens


def dot_ballot(rng, recommendations):
    """5 points over 1-5 random recommendations, at least 1 each."""
    k = rng.randint(1, 5)
    chosen = rng.sample(recommendations, k)
    cuts = sorted(rng.sample(range(1, 5), k - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [5])]
    return {"points": dict(zip(chosen, parts))}


def drive(args, host, port, round_id, recommendations, tokens):
    """Open-loop load: returns [(scheduled, sent, done, status)] in monotonic seconds."""
    total = int(args.rate * args.duration)
    path = f"/v1/rounds/{round_id}/ballot"
    records = [[] for _ in range(args.threads)]
    t0 = time.monotonic() + 0.5

    def run(t):
        rng = random.Random(args.seed * 1000 + t)
        conn = None
        out = records[t]
        for g in range(t, total, args.threads):
            scheduled = t0 + g / args.rate
            body = json.dumps(dot_ballot(rng, recommendations)).encode()
            headers = {"Authorization": f"Bearer {tokens[g % len(tokens)]}",
                       "Content-Type": "application/json"}
            delay = scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=30)
                conn.request("PUT", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                status = 0  # connection error or timeout
                if conn is not None:
                    conn.close()
                conn = None
            out.append((scheduled, sent, time.monotonic(), status))
        if conn is not None:
            conn.close()

    pool = [threading.Thread(target=run, args=(t,)) for t in range(args.threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return [r for rs in records for r in rs], t0


class DB:
    def __init__(self, psql, url):
        self.psql, self.url = psql, url

    def rows(self, query):
        out = subprocess.run([self.psql, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              "-d", self.url, "-c", query],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def value(self, query):
        return self.rows(query)[0][0]


def wait_caught_up(db, round_id, timeout):
    """Until the newest snapshot covers the newest ballot and nothing is left to do."""
    deadline = time.monotonic() + timeout
    while True:
        done = db.value(f"""
            SELECT COALESCE((SELECT max(watermark) FROM ranking_snapshots WHERE round_id = '{round_id}'), 0)
                   >= COALESCE((SELECT max(id) FROM ballot_history WHERE round_id = '{round_id}'), 0)
               AND NOT EXISTS (SELECT 1 FROM round_changes WHERE round_id = '{round_id}')""")
        if done == "t":
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


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


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


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
    args = parser.parse_args()
    if not args.admin_token or not args.database_url:
        parser.error("an admin token (--admin-token or $BENCH_ADMIN_TOKEN) and a database URL are needed")
    host, _, port = args.base_url.removeprefix("http://").rstrip("/").partition(":")
    port = int(port or 80)
    db = DB(args.psql, args.database_url)

    wait_ready(host, port, 60)
    log(f"== setting up: {args.items} recommendations, {args.members} members, an open dot round")
    _, round_id, recommendations, tokens = set_up(args, host, port)
    log(f"  round {round_id}")

    log(f"== driving PUT /v1/rounds/{{id}}/ballot at {args.rate:g}/s for {args.duration:g} s "
        f"on {args.threads} keep-alive connections")
    load_started_at = float(db.value("SELECT extract(epoch FROM clock_timestamp())"))
    records, t0 = drive(args, host, port, round_id, recommendations, tokens)
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
    met = bool(values) and pct(values, 95) < args.target and not uncovered
    log(f"target: freshness p95 < {args.target:g} s: {'met' if met else 'FAILED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
