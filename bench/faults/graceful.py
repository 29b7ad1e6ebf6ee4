#!/usr/bin/env python3
"""bench/faults/graceful.py: SIGTERM to `werkstatt serve --with-worker` while requests are in flight.

Run by bench/faults/run.sh (see bench/benchlib.py, Env, for the environment).

`werkstatt demo` loads the two demo workshops; `serve --with-worker` then gets
--exporters closed-loop clients, each on its own keep-alive connection, asking for the
printable HTML implementation list of the demo workshops
(GET /v1/workshops/{id}/implementation-list?format=html, English and German), plus
ballots at --rate a second on an open round of a workshop made through the API. To have
slow requests in flight as well, a psql session takes the round's row lock
(SELECT … FOR UPDATE) --hold seconds before the SIGTERM and releases it --hold seconds
after: meanwhile every ballot waits in its FOR SHARE. After --before seconds the server
gets SIGTERM; the clients go on until it has exited.
A request is "in flight" at the SIGTERM when it was sent at least --margin seconds
before it (so the server has surely read it) and had no answer yet. Checks:
  - there were in-flight exports and ballots (waiting for the lock) at the SIGTERM,
    else the scenario proved nothing;
  - every in-flight request is answered 2xx (not reset, not 5xx);
  - every HTTP answer of the whole run is 2xx (no 503/500 from a pool closed too early);
  - the process exits with status 0 within --exit-limit seconds;
  - afterwards PostgreSQL has no session of the service left: none idle in transaction,
    none in a transaction (pg_stat_activity of the database);
  - every acknowledged ballot is in ballot_history, as in db-outage.
What happened to requests sent in the last --margin seconds before the SIGTERM and
after it (answered, refused, closed) is reported.
"""

import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib as f  # noqa: E402  (bench/benchlib.py)


def main():
    parser = f.scenario_parser(__doc__, rate=100, threads=8, members=160)
    parser.add_argument("--exporters", type=int, default=32, help="concurrent export clients (32)")
    parser.add_argument("--before", type=float, default=4, help="seconds of load before SIGTERM (4)")
    parser.add_argument("--margin", type=float, default=0.02, help="in flight: sent this long before SIGTERM (0.02 s)")
    parser.add_argument("--hold", type=float, default=1.0,
                        help="seconds the round's row lock is held before and after the SIGTERM (1)")
    parser.add_argument("--exit-limit", type=float, default=5, help="seconds the process may take to exit (5)")
    args = parser.parse_args()

    def demo(env):
        out = subprocess.run([env.bin, "demo"], env=dict(os.environ, LOG_LEVEL="warning"),
                             capture_output=True, text=True, check=True)
        f.log("== werkstatt demo: " + out.stdout.strip().replace("\n", "; "))

    env, checks, port, server = f.start_scenario("graceful", with_worker=True, prepare=demo)
    admin = f.Client(port, env.admin_token, timeout=30)
    workshops = [w["id"] for w in admin.json("GET", "/v1/workshops?limit=100")["items"]
                 if w["slug"] in ("strategiewerkstatt-sachsen", "staerkungsinitiative-industrie-muelheim")]
    admin.close()
    if len(workshops) != 2:
        raise RuntimeError(f"the demo workshops are not there: {workshops}")
    voting = f.set_up_voting(env, port, members=args.members)

    exports = [[] for _ in range(args.exporters)]
    stopping = threading.Event()

    def export(i):
        client = f.Client(port, env.admin_token, timeout=30)
        k = i
        while not stopping.is_set():
            lang = "de" if k % 4 < 2 else "en"
            r = client.request("GET", f"/v1/workshops/{workshops[k % 2]}/implementation-list?format=html&lang={lang}",
                               label="export")
            exports[i].append(r)
            if r.status == 0:
                stopping.wait(0.01)   # refused once the server is gone: don't spin
            k += 1
        client.close()

    f.log(f"== {args.exporters} clients fetching HTML implementation lists, ballots at {args.rate:g}/s; "
          f"SIGTERM after {args.before:g} s")
    load = f.BallotLoad(port, voting, rate=args.rate, threads=args.threads).start()
    pool = [threading.Thread(target=export, args=(i,), daemon=True) for i in range(args.exporters)]
    for t in pool:
        t.start()
    time.sleep(args.before - args.hold)
    # Slow ballots: a row lock on the round (FOR UPDATE) makes every ballot's FOR SHARE wait.
    locker = subprocess.Popen([env.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", env.database_url],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    locker.stdin.write(f"BEGIN; SELECT 1 FROM rounds WHERE id = '{voting.round_id}' FOR UPDATE;\n")
    locker.stdin.flush()
    t_lock = f.now()
    time.sleep(args.hold)
    in_db_before = f.service_sessions(env.db)
    t_term = f.now()
    server.signal(15)
    time.sleep(args.hold)
    locker.stdin.write("COMMIT;\n")
    locker.stdin.close()
    locker.wait()
    t_unlock = f.now()
    try:
        status = server.popen.wait(timeout=30)
    except subprocess.TimeoutExpired:
        status = None
    t_exit = f.now()
    time.sleep(0.5)
    stopping.set()
    for t in pool:
        t.join()
    ballots = load.stop()
    if status is None:
        server.kill()
    exported = sorted((r for rs in exports for r in rs), key=lambda r: r.sent)
    everything = exported + ballots

    f.log("")
    f.log("results (times relative to the SIGTERM):")
    before = [r for r in exported if r.done < t_term]
    checks.info("exports before the SIGTERM", f"{f.summarize(before)}; latency {f.latency_line(before)}")
    checks.info("sessions just before the SIGTERM (the service's and the lock holder's)",
                "total, in a transaction, idle in transaction: %s" % (in_db_before,))
    checks.info("the row lock", f"taken {t_lock - t_term:+.2f} s, released {t_unlock - t_term:+.2f} s")

    def in_flight(rs):
        return [r for r in rs if r.sent <= t_term - args.margin and r.done >= t_term]
    flight_exports, flight_ballots = in_flight(exported), in_flight(ballots)
    checks.check("exports were in flight at the SIGTERM", flight_exports,
                 f"{len(flight_exports)} exports and {len(flight_ballots)} ballots sent >= {args.margin * 1000:.0f} ms "
                 "before it and not yet answered")
    checks.check("ballots were in flight at the SIGTERM, waiting for the row lock", flight_ballots,
                 f"{len(flight_ballots)}, sent up to {t_term - min((r.sent for r in flight_ballots), default=t_term):.2f} s "
                 "before the SIGTERM")
    flight = flight_exports + flight_ballots
    bad = [r for r in flight if not r.ok]
    checks.check("every in-flight request is answered 2xx", not bad,
                 f"{f.summarize(flight)}; answered up to {max((r.done - t_term for r in flight), default=0):.3f} s after SIGTERM"
                 + (f"; e.g. {bad[0].label} sent {bad[0].sent - t_term:+.3f} s: {bad[0].outcome()}" if bad else ""))
    answered_bad = [r for r in everything if r.status and not r.ok]
    checks.check("every HTTP answer of the run is 2xx", not answered_bad,
                 f"{f.summarize(answered_bad)}; first sent {answered_bad[0].sent - t_term:+.3f} s: "
                 f"{answered_bad[0].body[:200]!r}" if answered_bad else f"{sum(1 for r in everything if r.status)} answers")
    racing = [r for r in everything if t_term - args.margin < r.sent <= t_term]
    checks.info(f"sent in the last {args.margin * 1000:.0f} ms before the SIGTERM", f.summarize(racing))
    after = [r for r in everything if r.sent > t_term]
    served_after = [r for r in after if r.ok]
    checks.info("sent after the SIGTERM", f.summarize(after)
                + (f"; the last 2xx of those was sent {max(r.sent for r in served_after) - t_term:+.3f} s" if served_after else ""))

    checks.check(f"the process exits with status 0 within {args.exit_limit:g} s",
                 status == 0 and t_exit - t_term <= args.exit_limit,
                 f"status {status} after {t_exit - t_term:.2f} s" if status is not None else "still running after 30 s (killed)")
    sessions = f.wait_no_sessions(env.db, timeout=2)
    checks.check("no session of the service idle in transaction or in a transaction after the exit",
                 sessions[1] == 0 and sessions[2] == 0,
                 f"total, in a transaction, idle in transaction: {sessions}")
    f.check_acknowledged(checks, env.db, voting, ballots)
    shutdown = [line.strip()[:200] for line in server.log_tail(8)]
    checks.info("the server's last log lines", " | ".join(shutdown))
    return checks.finish([server])


if __name__ == "__main__":
    raise SystemExit(main())
