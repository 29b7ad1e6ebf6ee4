#!/usr/bin/env python3
"""bench/faults/api-kill.py: the API process SIGKILLed twice under ballot load.

Run by bench/faults/run.sh (see bench/benchlib.py, Env, for the environment).

`werkstatt serve` (API only) and a separate `werkstatt worker`; ballots at --rate a second
on --threads keep-alive connections. After --first seconds the serve process gets
SIGKILL and is started again at once on the same port; --gap seconds later the same
again; the load goes on for --after seconds after the second restart. Requests that
reach no server meanwhile fail (connection refused, reset): that is expected and only
counted. Checks:
  - each restarted server becomes ready, and answers 2xx again;
  - every HTTP answer is 2xx (the database is up throughout), and connection errors
    happen only between a kill and one second after the server is ready again;
  - every acknowledged ballot is in ballot_history with the content sent, and each
    member's current ballot has at least the highest acknowledged version;
  - no ballots row without its ballot_history row (same round, member, version and
    content), and no history version beyond the current ballot;
  - the worker catches up (newest snapshot covers the newest ballot, no round_changes);
  - nothing of the killed processes stays in PostgreSQL (no session in a transaction).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib as f  # noqa: E402  (bench/benchlib.py)


def main():
    parser = f.scenario_parser(__doc__)
    parser.add_argument("--first", type=float, default=8, help="seconds of load before the first kill (8)")
    parser.add_argument("--gap", type=float, default=10, help="seconds between the kills (10)")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after the second restart (10)")
    args = parser.parse_args()

    env, checks, port, server = f.start_scenario("api-kill")
    worker = f.Proc(env, "worker", ["worker"]).start()
    voting = f.set_up_voting(env, port, members=args.members)

    f.log(f"== ballots at {args.rate:g}/s on {args.threads} connections; SIGKILL serve after {args.first:g} s "
          f"and {args.gap:g} s later, restarting it at once")
    load = f.BallotLoad(port, voting, rate=args.rate, threads=args.threads).start()
    outages = []   # (killed at, ready at or None)
    time.sleep(args.first)
    for i in range(2):
        if i:
            time.sleep(args.gap)
        was_alive = server.alive()
        killed = f.now()
        status = server.kill()
        server.start()
        try:
            f.wait_ready(port, timeout=30, proc=server)
            ready = f.now()
        except RuntimeError as error:
            ready = None
            f.log(f"  {error}")
        outages.append((killed, ready, was_alive, status))
        f.log(f"  kill #{i + 1}: serve exited with {status}; "
              + (f"the new one was ready {ready - killed:.2f} s after the kill" if ready else "the new one never got ready"))
    time.sleep(args.after)
    results = load.stop()

    f.log("")
    f.log("results:")
    checks.info("ballots", f"{f.summarize(results)}; latency {f.latency_line(results)}")
    for n, (killed, ready, was_alive, status) in enumerate(outages, 1):
        around = [r for r in results if killed <= r.done and (ready is None or r.sent <= ready + 1)]
        checks.check(f"kill #{n}: serve was running, died by SIGKILL, and the new one got ready",
                     was_alive and status == -9 and ready is not None,
                     (f"ready {ready - killed:.2f} s after the kill" if ready else "never ready")
                     + f"; requests meanwhile: {f.summarize(around)}")
        ok_after = [r for r in results if ready and r.sent >= ready and r.ok]
        checks.check(f"kill #{n}: ballots are acknowledged again after the restart", bool(ok_after),
                     f"first 2xx {min(r.done for r in ok_after) - ready:.3f} s after ready" if ok_after else "none")
    answered_bad = [r for r in results if r.status and not r.ok]
    checks.check("every HTTP answer is 2xx", not answered_bad,
                 f.summarize(answered_bad) if answered_bad else "")

    def in_outage(r):
        return any(killed <= r.done and (ready is None or r.sent <= ready + 1) for killed, ready, _, _ in outages)
    stray = [r for r in results if not r.status and not in_outage(r)]
    checks.check("connection errors only between a kill and 1 s after the new server is ready", not stray,
                 f"{len(stray)} outside: {f.summarize(stray)}" if stray else
                 f"{sum(1 for r in results if not r.status)} connection errors, all within")

    f.check_acknowledged(checks, env.db, voting, results)
    f.check_ballots_have_history(checks, env.db, voting.round_id)
    history = int(env.db.value(f"SELECT count(*) FROM ballot_history WHERE round_id = '{voting.round_id}'"))
    checks.info("committed without an answer", f"{history - sum(1 for r in results if r.ok)} ballots "
                "(history rows minus acknowledged ballots: the kill came between the commit and the answer)")
    t = f.now()
    caught_up = f.wait_caught_up(env.db, voting.round_id, timeout=60)
    checks.check("the worker catches up", caught_up,
                 f"{f.now() - t:.1f} s after the load" if caught_up else "not within 60 s")
    sessions = f.service_sessions(env.db)
    checks.check("no session in a transaction while idle (killed servers leave nothing open)",
                 sessions[2] == 0, f"sessions, in a transaction, idle in transaction: {sessions}")
    server.stop()
    worker.stop()
    return checks.finish([server, worker])


if __name__ == "__main__":
    raise SystemExit(main())
