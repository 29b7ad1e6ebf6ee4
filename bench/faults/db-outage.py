#!/usr/bin/env python3
"""bench/faults/db-outage.py: PostgreSQL stops for 10 s under steady ballot load.

Run by bench/faults/run.sh (see bench/benchlib.py, Env, for the environment).

`werkstatt serve --with-worker` takes --rate ballots a second on --threads keep-alive
connections (distinct members, each member always on the same connection) and
--read-rate reads of GET /v1/rounds/{id}/ranking on 4 more. After --before seconds the
database server is stopped (`local-postgres.sh stop`: pg_ctl stop -m fast as the
cluster's user), left down for --down seconds, and started again on the same port; the
load goes on for --after seconds. With --outages N this stop/start cycle is repeated
N times against the same server process (the failures found are races at the moment of
the stop, so more outages find them more surely). A second thread polls
GET /health/ready every 0.25 s on its own connection. Checks:
  - no request takes longer than 5 s (the max latency while down is reported);
  - every answer is 2xx or a 503 problem+json (no 500, no connection reset or close);
  - every request sent while the database is down is answered 503 problem+json;
  - /health/ready is 503 while down and 200 again after;
  - the server process never exits;
  - a ballot is acknowledged (2xx) again within 5 s of the database being back, and
    from 5 s after it on every request is answered 2xx;
  - every acknowledged ballot is in ballot_history with the content sent, and each
    member's current ballot has at least the highest acknowledged version;
  - no request is left open unanswered in the server after the load: any handler still
    at work (http_server_active_requests in /metrics) is one the deadline answered 503
    and abandoned (werkstatt_requests_abandoned_total);
  - the worker inside serve catches up (newest snapshot covers the newest ballot).
"""

import hashlib
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib as f  # noqa: E402  (bench/benchlib.py)


def main():
    parser = f.scenario_parser(__doc__)
    parser.add_argument("--read-rate", type=float, default=40,
                        help="GET …/ranking a second beside the ballots, on 4 connections (40)")
    parser.add_argument("--before", type=float, default=10, help="seconds of load before the stop (10)")
    parser.add_argument("--down", type=float, default=10, help="seconds the database is down (10)")
    parser.add_argument("--after", type=float, default=15, help="seconds of load after the restart (15)")
    parser.add_argument("--outages", type=int, default=1, help="stop/start cycles (1)")
    parser.add_argument("--limit", type=float, default=5.0, help="longest a request may take, s (5)")
    parser.add_argument("--recovery", type=float, default=5.0, help="longest time to 2xx after the restart, s (5)")
    parser.add_argument("--client-timeout", type=float, default=30,
                        help="seconds a client waits for an answer before giving up (30)")
    parser.add_argument("--stuck-wait", type=float, default=10,
                        help="seconds to wait for requests still open in the server after the load (10)")
    args = parser.parse_args()

    env, checks, port, server = f.start_scenario("db-outage", with_worker=True)
    voting = f.set_up_voting(env, port, members=args.members)

    # /health/ready poller, and a watch on the server process.
    polls = []
    server_exits = []
    polling = threading.Event()

    def poll():
        client = f.Client(port, timeout=10)
        while not polling.is_set():
            polls.append(client.request("GET", "/health/ready", label="ready"))
            if not server.alive() and not server_exits:
                server_exits.append((f.now(), server.popen.returncode))
            polling.wait(0.25)
        client.close()

    poller = threading.Thread(target=poll, daemon=True)

    f.log(f"== ballots at {args.rate:g}/s on {args.threads} connections, reads at {args.read_rate:g}/s; "
          f"PostgreSQL stops after {args.before:g} s for {args.down:g} s"
          + (f", {args.outages} times" if args.outages > 1 else ""))
    load = f.BallotLoad(port, voting, rate=args.rate, threads=args.threads, timeout=args.client_timeout).start()
    reads = f.ReadLoad(port, voting, rate=args.read_rate, threads=4, timeout=args.client_timeout).start()
    poller.start()
    url_before = env.db.url
    outages = []   # (t_stop: pg_ctl stop called, t_down: it returned, t_start: pg_ctl start called, t_up: it returned)
    url_after = url_before
    for n in range(args.outages):
        time.sleep(args.before if n == 0 else args.after)
        t_stop = f.now()
        env.pg("stop")
        t_down = f.now()
        f.log(f"  outage {n + 1}: stopped PostgreSQL ({t_down - t_stop:.2f} s for pg_ctl stop -m fast)")
        time.sleep(args.down)
        t_start = f.now()
        url_after = env.pg("start")
        t_up = f.now()
        f.log(f"  outage {n + 1}: started PostgreSQL ({t_up - t_start:.2f} s for pg_ctl start)")
        outages.append((t_stop, t_down, t_start, t_up))
    time.sleep(args.after)
    ballots = load.stop()
    read_results = reads.stop()
    results = sorted(ballots + read_results, key=lambda r: r.sent)
    polling.set()
    poller.join()
    alive = server.alive()
    first_stop, last_up = outages[0][0], outages[-1][3]

    f.log("")
    f.log("results (times relative to the start of pg_ctl stop, or to the end of pg_ctl start):")
    checks.check("PostgreSQL came back on the same URL", url_after == url_before, url_after)
    checks.info("all ballots", f.summarize(ballots))
    checks.info("all reads (GET …/ranking)", f.summarize(read_results))
    before = [r for r in results if r.done < first_stop]
    checks.info("before the first stop", f"{f.summarize(before)}; latency {f.latency_line(before)}")

    def since(r, t):
        return f"{r.sent - t:+.3f} s"

    def outage_of(r):
        """The outage a request belongs to: the last whose stop came before it was sent."""
        return max((i for i, o in enumerate(outages) if o[0] <= r.sent + 1), default=0)

    # Latency.
    slowest = max(results, key=lambda r: r.latency)
    too_slow = [r for r in results if r.latency > args.limit]
    checks.check(f"no request takes longer than {args.limit:g} s", not too_slow,
                 f"max {slowest.latency:.2f} s ({slowest.label}, {slowest.outcome()})"
                 + (f"; {len(too_slow)} slower: " + ", ".join(
                     f"{r.label} {r.outcome()} after {r.latency:.1f} s, sent {since(r, outages[outage_of(r)][0])} "
                     f"from pg_ctl stop #{outage_of(r) + 1}" for r in too_slow[:5]) if too_slow else ""))

    # Hung requests: who they were, and whether their ballot reached the database.
    hung = [r for r in too_slow if not r.status and r.label == "ballot"]
    if hung:
        history = {(m, c) for m, c in env.db.rows(f"""
            SELECT member_id, COALESCE(content::text, 'null') FROM ballot_history
             WHERE round_id = '{voting.round_id}'""")}
        stored = {(m.lower(), f.canonical(json.loads(c))) for m, c in history}
        for r in hung[:5]:
            member, ballot = r.extra[0], r.extra[1]
            member_id, token = voting.members[member]
            checks.info("a ballot without an answer",
                        f"member {member_id} (token hash {hashlib.sha256(token.encode()).hexdigest()[:16]}…), "
                        f"sent {since(r, outages[outage_of(r)][0])} from pg_ctl stop #{outage_of(r) + 1}; its content is "
                        + ("in" if (member_id, f.canonical(ballot)) in stored else "not in") + " ballot_history")

    # What the answers are.
    bad = [r for r in results if not (r.ok or r.is_problem_503())]
    checks.check("every answer is 2xx or 503 problem+json (no 500, no reset)", not bad,
                 f"{len(bad)} others: {f.summarize(bad)}; sent "
                 + ", ".join(f"{since(r, outages[outage_of(r)][0])} from pg_ctl stop #{outage_of(r) + 1} "
                             f"({r.label} {r.outcome()})" for r in bad[:8])
                 + f"; e.g. {next((r for r in bad if r.status), bad[0]).ctype} "
                   f"{next((r for r in bad if r.status), bad[0]).body[:200]!r}" if bad else "")
    # Log records span several lines (the SQL): split at the timestamps.
    with open(server.log_path, errors="replace") as log:
        records = re.split(r"\n(?=\d{4}-\d\d-\d\dT)", log.read())
    states = {}
    for record in records:
        if "unexpected error" in record:
            m = re.search(r"sqlState: (\w+).*?message: ([^,]*)", record)
            key = f"SQLSTATE {m.group(1)} ({m.group(2)})" if m else record[:160]
            states[key] = states.get(key, 0) + 1
    if states:
        checks.info("'unexpected error' (500) in the server log",
                    "; ".join(f"{n}x {k}" for k, n in sorted(states.items())))

    for n, (t_stop, t_down, t_start, t_up) in enumerate(outages, 1):
        tag = f"outage {n}: " if len(outages) > 1 else ""
        during = [r for r in results if t_stop <= r.sent <= t_up]
        checks.info(f"{tag}requests sent between pg_ctl stop and the end of pg_ctl start",
                    f"{f.summarize(during)}; latency {f.latency_line(during)}")
        down = [r for r in results if t_down <= r.sent and r.done <= t_start]
        down_bad = [r for r in down if not r.is_problem_503()]
        checks.check(f"{tag}requests while the database is down are answered 503 problem+json",
                     down and not down_bad,
                     f"{len(down)} requests sent and answered while down"
                     + (f"; {f.summarize(down_bad)} are not 503 problem+json" if down_bad else "")
                     + (f"; max latency while down {max(r.latency for r in down):.2f} s" if down else ""))
        ready_down = [p for p in polls if t_down <= p.sent and p.done <= t_start]
        checks.check(f"{tag}/health/ready is 503 while the database is down",
                     ready_down and all(p.status == 503 for p in ready_down),
                     f"{len(ready_down)} polls: {f.summarize(ready_down)}; "
                     f"slowest {max((p.latency for p in ready_down), default=0):.2f} s")
        t_next = outages[n][0] if n < len(outages) else float("inf")
        ready_after = [p for p in polls if t_up <= p.sent < t_next and p.status == 200]
        checks.check(f"{tag}/health/ready is 200 again after the restart", ready_after,
                     f"first 200 {ready_after[0].done - t_up:.2f} s after the restart" if ready_after else "never 200")
        ok_after = [r for r in ballots if r.ok and t_up <= r.done < t_next]
        first_ok = min((r.done for r in ok_after), default=None)
        checks.check(f"{tag}a ballot is acknowledged within {args.recovery:g} s of the database being back",
                     first_ok is not None and first_ok - t_up <= args.recovery,
                     f"first 2xx {first_ok - t_up:.2f} s after" if first_ok is not None else "no 2xx after the restart")
        settled = [r for r in results if t_up + args.recovery <= r.sent and r.done < t_next]
        late = [r for r in settled if not r.ok]
        checks.check(f"{tag}every request sent from {args.recovery:g} s after the restart on is answered 2xx",
                     not late, f.summarize(late) if late else f"{len(settled)} requests")

    slow_polls = [p for p in polls if p.latency > 2.5]
    checks.info("/health/ready polls", f"{f.summarize(polls)}; max {max(p.latency for p in polls):.2f} s"
                + ("; slower than 2.5 s: " + ", ".join(
                    f"{p.outcome()} after {p.latency:.1f} s (sent {since(p, outages[outage_of(p)][0])} from pg_ctl stop)"
                    for p in slow_polls[:3]) if slow_polls else ""))
    checks.check("the server process never exits", alive and not server_exits,
                 "still running" if alive else f"exited with {server.popen.returncode}")

    # Requests the server still works on (e.g. waiting for a write that never ends). The
    # client got its answer for every one the deadline abandoned (503 at 4.5 s); a handler
    # PostgresNIO never lets go of stays behind, counted. More open than abandoned would be
    # a request nobody answered.
    t = f.now()
    active, abandoned = f.active_requests(port)
    while active and f.now() < t + args.stuck_wait:
        time.sleep(0.5)
        active, abandoned = f.active_requests(port)
    still_open = sum(active.values())
    checks.check("no request is left open unanswered in the server after the load "
                 "(http_server_active_requests <= werkstatt_requests_abandoned_total)",
                 still_open <= abandoned,
                 f"{active or 'none'} still being worked on {f.now() - last_up:.0f} s after the (last) restart; "
                 f"{abandoned} answered 503 and abandoned at the deadline")

    # Durability, and the worker inside serve recovered as well.
    f.check_acknowledged(checks, env.db, voting, ballots)
    t = f.now()
    caught_up = f.wait_caught_up(env.db, voting.round_id, timeout=30)
    checks.check("the worker (serve --with-worker) catches up after the outage", caught_up,
                 f"newest snapshot covers the newest ballot {f.now() - t:.1f} s after the load" if caught_up
                 else "not within 30 s after the load")
    checks.info("server log", f"{server.log_count('database unavailable')} 'database unavailable' warnings")
    server.stop()
    return checks.finish([server])


if __name__ == "__main__":
    raise SystemExit(main())
