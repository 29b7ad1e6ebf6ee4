#!/usr/bin/env python3
"""bench/faults/worker-kill.py: aggregation workers SIGKILLed again and again under load.

Run by bench/faults/run.sh (see bench/benchlib.py, Env, for the environment).

`werkstatt serve` (API only) takes --rate ballots a second on an open dot round while
two `werkstatt worker --pause 0` compute snapshots. For --duration seconds, every
0.3-1 s one of the two (at random) gets SIGKILL and is started again at once. Then the
load stops, the surviving workers catch up, the round is closed through the API and the
final snapshot awaited. Checks:
  - no round_changes row is left; the final snapshot is not provisional; its
    ballots_counted equals the current ballots and its watermark the newest
    ballot_history id; snapshot watermarks never go backwards;
  - every acknowledged ballot is in ballot_history, as in db-outage;
  - the workers stop with status 0 on SIGTERM, and no session of theirs is left behind;
  - from scratch: the database is copied (CREATE DATABASE … TEMPLATE, with every
    werkstatt process stopped), the round is marked dirty in the copy, `werkstatt worker
    --once` recomputes it there, and the digest, items, ballots_counted and watermark
    of that snapshot equal the final snapshot's.
How many kills hit an open transaction is read from the PostgreSQL log ("unexpected EOF
on client connection with an open transaction").
"""

import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib as f  # noqa: E402  (bench/benchlib.py)


def main():
    parser = f.scenario_parser(__doc__)
    parser.add_argument("--duration", type=float, default=20, help="seconds of killing (20)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    env, checks, port, server = f.start_scenario("worker-kill")
    rng = random.Random(args.seed)
    voting = f.set_up_voting(env, port, members=args.members)
    workers = [f.Proc(env, f"worker{i + 1}", ["worker", "--pause", "0"]) for i in range(2)]
    for w in workers:
        w.start()
    pg_log = os.path.join(env.pg_dir, "cluster", "postgres.log")
    eof_before = f.count_in(pg_log, "unexpected EOF on client connection with an open transaction")

    f.log(f"== ballots at {args.rate:g}/s; SIGKILL one of two workers every 0.3-1 s for {args.duration:g} s")
    load = f.BallotLoad(port, voting, rate=args.rate, threads=args.threads).start()
    time.sleep(1)
    snapshots_before = int(env.db.value(f"SELECT count(*) FROM ranking_snapshots WHERE round_id = '{voting.round_id}'"))
    kills, lifetimes = 0, []
    end = f.now() + args.duration
    while f.now() < end:
        time.sleep(rng.uniform(0.3, 1.0))
        w = rng.choice(workers)
        if not w.alive():
            checks.check(f"{w.label} was running when its turn came", False,
                         f"exited by itself with {w.popen.returncode}")
        else:
            lifetimes.append(f.now() - w.started_at)
            w.kill()
            kills += 1
        w.start()
    snapshots_during = int(env.db.value(
        f"SELECT count(*) FROM ranking_snapshots WHERE round_id = '{voting.round_id}'")) - snapshots_before
    results = load.stop()
    eof = f.count_in(pg_log, "unexpected EOF on client connection with an open transaction") - eof_before

    f.log("")
    f.log("results:")
    checks.info("kills", f"{kills} SIGKILLs in {args.duration:g} s (a worker lived {min(lifetimes):.2f}-"
                f"{max(lifetimes):.2f} s before its kill); {eof} of them hit an open transaction "
                f"(PostgreSQL log); {snapshots_during} snapshots written meanwhile")
    checks.info("ballots", f"{f.summarize(results)}; latency {f.latency_line(results)}")
    checks.check("both workers are running after the kills", all(w.alive() for w in workers),
                 ", ".join(f"{w.label}: {'running' if w.alive() else f'exited {w.popen.returncode}'}" for w in workers))
    t = f.now()
    caught_up = f.wait_caught_up(env.db, voting.round_id, timeout=60)
    checks.check("the surviving workers catch up", caught_up,
                 f"{f.now() - t:.1f} s after the load" if caught_up else "not within 60 s")

    # Close the round and wait for the final snapshot.
    admin = f.Client(port, env.admin_token, timeout=30)
    admin.json("POST", f"/v1/rounds/{voting.round_id}/close")
    t = f.now()
    final = None
    while f.now() < t + 60:
        rows = env.db.rows(f"""
            SELECT id, provisional, ballots_counted, watermark, digest, items::text FROM ranking_snapshots
             WHERE round_id = '{voting.round_id}' ORDER BY id DESC LIMIT 1""")
        pending = env.db.value(f"SELECT count(*) FROM round_changes WHERE round_id = '{voting.round_id}'")
        if rows and rows[0][1] == "f" and pending == "0":
            final = rows[0]
            break
        time.sleep(0.2)
    checks.check("a final snapshot is written after the close", final is not None,
                 f"{f.now() - t:.2f} s after the close" if final else "none within 60 s")

    stopped = [w.stop() for w in workers]
    checks.check("the workers exit 0 on SIGTERM", all(s == 0 for s, _ in stopped),
                 ", ".join(f"{w.label}: {s} after {d:.2f} s" for w, (s, d) in zip(workers, stopped)))
    server.stop()
    f.check_acknowledged(checks, env.db, voting, results)
    sessions = f.wait_no_sessions(env.db)
    checks.check("no session of a killed or stopped process is left", sessions == (0, 0, 0),
                 f"sessions, in a transaction, idle in transaction: {sessions}")

    # The final snapshot against the database.
    changes = int(env.db.value("SELECT count(*) FROM round_changes"))
    checks.check("round_changes is empty", changes == 0, f"{changes} rows")
    if final is None:
        return checks.finish([server] + workers)
    _, provisional, counted, watermark, digest, items = final
    checks.check("the final snapshot is not provisional", provisional == "f", f"provisional = {provisional}")
    current = int(env.db.value(f"SELECT count(*) FROM ballots WHERE round_id = '{voting.round_id}' AND entries IS NOT NULL"))
    checks.check("its ballots_counted equals the current ballots", int(counted) == current,
                 f"ballots_counted {counted}, current ballots {current}")
    newest = int(env.db.value(f"SELECT COALESCE(max(id), 0) FROM ballot_history WHERE round_id = '{voting.round_id}'"))
    checks.check("its watermark is the newest ballot_history id", int(watermark) == newest,
                 f"watermark {watermark}, newest history id {newest}")
    backwards = env.db.value(f"""
        SELECT count(*) FROM (SELECT watermark < lag(watermark) OVER (ORDER BY id) AS back
                                FROM ranking_snapshots WHERE round_id = '{voting.round_id}') s WHERE back""")
    total = env.db.value(f"SELECT count(*) FROM ranking_snapshots WHERE round_id = '{voting.round_id}'")
    checks.check("snapshot watermarks never go backwards", backwards == "0",
                 f"{total} snapshots, {backwards} with a lower watermark than the one before")

    # From scratch, on a copy.
    admin_url = env.db.with_database("postgres")
    copy = f"werkstatt_copy_{os.getpid()}"
    env.db.rows(f"CREATE DATABASE {copy} TEMPLATE werkstatt", url=admin_url)
    copy_url = env.db.with_database(copy)
    env.db.rows(f"INSERT INTO round_changes (round_id) VALUES ('{voting.round_id}')", url=copy_url)
    once = subprocess.run([env.bin, "worker", "--once"], env=dict(os.environ, DATABASE_URL=copy_url, LOG_LEVEL="warning"),
                          capture_output=True, text=True, timeout=300)
    checks.info("werkstatt worker --once on the copy", (once.stdout + once.stderr).strip().replace("\n", "; "))
    scratch_id, *scratch = env.db.rows(f"""
        SELECT id, provisional, ballots_counted, watermark, digest, items::text FROM ranking_snapshots
         WHERE round_id = '{voting.round_id}' ORDER BY id DESC LIMIT 1""", url=copy_url)[0]
    left = env.db.value("SELECT count(*) FROM round_changes", url=copy_url)
    checks.check("worker --once wrote a new snapshot of the round in the copy",
                 once.returncode == 0 and left == "0" and int(scratch_id) > int(final[0]),
                 f"exit {once.returncode}, snapshot id {scratch_id} (final: {final[0]}), {left} round_changes left")
    checks.check("from scratch: the same digest", scratch[3] == digest, f"final {digest}, from scratch {scratch[3]}")
    same_items = json.loads(scratch[4]) == json.loads(items)
    checks.check("from scratch: the same items", same_items,
                 f"{len(json.loads(items))} items" + ("" if same_items else f"; final {items[:300]} / from scratch {scratch[4][:300]}"))
    checks.check("from scratch: the same ballots_counted, watermark, not provisional",
                 (scratch[0], scratch[1], scratch[2]) == ("f", counted, watermark),
                 f"from scratch {scratch[:3]}, final {('f', counted, watermark)}")
    env.db.rows(f"DROP DATABASE {copy}", url=admin_url)
    return checks.finish([server] + workers)


if __name__ == "__main__":
    raise SystemExit(main())
