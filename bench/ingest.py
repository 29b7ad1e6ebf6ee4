#!/usr/bin/env python3
"""bench/ingest.py: set-up, CPU accounting and report for bench/ingest.sh (stdlib only).

  ingest.py setup   --base-url URL --admin-token T --psql PSQL --workdir DIR [--members N --items K]
      Through the HTTP API: a workshop in phase voting with K recommendations and two open
      dot rounds (5 points): one for the service (wrk), one for pgbench, so the two never
      share ballots. N members go in directly with SQL (COPY): tokens are 43-character
      url-safe base64 of 32 random bytes, members.token_hash = sha256 of the token's UTF-8
      bytes, as Token.hash does; a table bench_members(n, id) maps 1..N to the member ids for
      pgbench and the check. Two of the tokens are then tried on GET /v1/workshops.
      Writes DIR/tokens.txt (line n = member n), DIR/recs.txt (the round's recommendation ids
      in round order) and DIR/setup.env (shell variables for ingest.sh).

  ingest.py measure --out FILE.json [--server-pid P] [--postmaster-pid Q] [--window S] -- CMD ARGS...
      Runs CMD (output passed through) and writes the CPU time spent meanwhile (or in its
      first S seconds) by the werkstatt process, the PostgreSQL cluster (postmaster and
      all its children), the whole machine (from /proc/stat), and CMD itself (its whole
      run), with the load average.

  ingest.py report  --workdir DIR --psql PSQL --round ID --pg-round ID --connections 8,32,128
      Prints the table of wrk and pgbench figures, the CPU split, and the check against the
      database; exits 1 if the check fails.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

from benchlib import DB, Client, check_tokens, check_wrk_ballots, cpu_snapshot, create_workshop, finish, \
    host_port, insert_members, log, log_cpu_table, open_dot_round, pgbench_ballot, read_pgbench, read_wrk, \
    setup_options, wait_ready, write_workdir


# ------------------------------------------------------------------------- setup

def setup(args):
    host, port = host_port(args.base_url)
    wait_ready(port, host=host)
    admin = Client(port, args.admin_token, timeout=30, host=host)
    slug = f"bench-ingest-{int(time.time())}-{os.getpid()}"
    wid, _ = create_workshop(admin, slug, "Benchmark: ballot ingest", args.items)
    rounds = {name: open_dot_round(admin, wid, f"Ingest benchmark ({name})") for name in ("service", "pgbench")}
    recs = rounds["service"]["recommendation_ids"]  # in round order (recommendations.seq)
    log(f"  workshop {wid}: {len(recs)} recommendations, rounds {rounds['service']['id']} (service), "
        f"{rounds['pgbench']['id']} (pgbench)")

    tokens = insert_members(DB(args.psql, os.environ["DATABASE_URL"]), wid, args.members)
    check_tokens(admin, wid, tokens, (1, args.members))

    content, entries = pgbench_ballot(rounds["pgbench"]["recommendation_ids"])
    write_workdir(args.workdir, tokens, recs,
                  f"WORKSHOP={wid}\nROUND={rounds['service']['id']}\nPG_ROUND={rounds['pgbench']['id']}\n"
                  f"PG_CONTENT='{content}'\nPG_ENTRIES='{entries}'\n")


# ------------------------------------------------------------------------- measure

def measure(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    pids = {"werkstatt": args.server_pid}
    before = cpu_snapshot(pids, args.postmaster_pid)
    wall0 = time.monotonic()
    child = subprocess.Popen(cmd)
    # With --window, the machine, werkstatt and PostgreSQL are measured over the first
    # WINDOW seconds only (wrk's load, not its drain); the client over its whole run.
    after = {}
    timer = None
    if args.window:
        timer = threading.Timer(args.window, lambda: after.update(cpu_snapshot(pids, args.postmaster_pid),
                                                                   wall=time.monotonic() - wall0))
        timer.start()
    _, status, usage = os.wait4(child.pid, 0)
    if timer:
        timer.cancel()
        timer.join()
    if not after:
        after.update(cpu_snapshot(pids, args.postmaster_pid), wall=time.monotonic() - wall0)
    wall = after["wall"]
    load = open("/proc/loadavg").read().split()[:3]
    result = {
        "wall": wall,
        "machine": after["busy"] - before["busy"],
        "irq": after["irq"] - before["irq"],
        "werkstatt": after["werkstatt"] - before["werkstatt"],
        "postgres": after["postgres"] - before["postgres"],
        "client": usage.ru_utime + usage.ru_stime,
        "cores": os.cpu_count(),
        "load": " ".join(load),
    }
    with open(args.out, "w") as f:
        json.dump(result, f)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


# ------------------------------------------------------------------------- report

def report(args):
    conns = [int(c) for c in args.connections.split(",")]
    rows, cpu_rows = [], []
    for c in conns:
        summary, _ = read_wrk(f"{args.workdir}/wrk-{c}")
        pg = read_pgbench(f"{args.workdir}/pgbench-{c}.txt")
        ok = int(summary["ok"])
        seconds = float(summary["seconds"])
        sock = sum(int(summary[k]) for k in ("connect", "read", "write", "timeout"))
        rate = ok / seconds if seconds > 0 else 0.0
        rows.append((c, rate, int(summary["p50_us"]) / 1000, int(summary["p99_us"]) / 1000,
                     int(summary["non2xx"]), sock, summary["statuses"], pg["tps"], pg["latency"],
                     rate / pg["tps"] if pg["tps"] else float("nan"), seconds))
        for kind in ("wrk", "pgbench"):
            path = f"{args.workdir}/cpu-{kind}-{c}.json"
            if os.path.exists(path):
                cpu_rows.append((f"{kind} {c}", json.load(open(path))))

    log("")
    log("ingest: PUT /v1/rounds/{id}/ballot through the service (wrk) vs its SQL statement alone, "
        "one ballot per transaction (pgbench)")
    log(f"{'conns':>5} | {'ballots/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>7} {'sock err':>8} | "
        f"{'pgbench tps':>11} {'lat avg ms':>10} | {'service/pgbench':>15}")
    for c, rate, p50, p99, non2xx, sock, statuses, tps, lat, ratio, _ in rows:
        log(f"{c:>5} | {rate:>9.0f} {p50:>8.2f} {p99:>8.2f} {non2xx:>7} {sock:>8} | "
            f"{tps if tps is not None else float('nan'):>11.0f} {lat if lat is not None else float('nan'):>10.2f} | "
            f"{ratio:>15.2f}")
    for c, *_, statuses, _tps, _lat, _ratio, seconds in rows:
        if statuses:
            log(f"  {c} connections: non-2xx statuses {statuses}")
    log("  ballots/s = 2xx responses / time from wrk's start to its last response "
        f"({', '.join(f'{r[-1]:.1f} s' for r in rows)}); latencies from wrk --latency")

    log_cpu_table(cpu_rows)

    # ---------------------------------------------------------------- the check
    db = DB(args.psql, os.environ["DATABASE_URL"])
    log("")
    log("check against the database (service round only; pgbench votes in a round of its own):")
    failures, exact = check_wrk_ballots(db, args.round, [f"{args.workdir}/wrk-{c}" for c in conns])
    pg_history = int(db.value(f"SELECT count(*) FROM ballot_history WHERE round_id = '{args.pg_round}'"))
    pg_processed = sum((read_pgbench(f"{args.workdir}/pgbench-{c}.txt")["processed"] or 0) for c in conns)
    log(f"  (pgbench round: {pg_history} ballot_history rows for {pg_processed} transactions pgbench reports)")
    return finish("check", failures, "passed" + (" (exact)" if exact else " (within bounds)"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    setup_options(sub.add_parser("setup"), base_url=True)
    p = sub.add_parser("measure")
    p.add_argument("--out", required=True)
    p.add_argument("--server-pid", type=int, default=0)
    p.add_argument("--postmaster-pid", type=int, default=0)
    p.add_argument("--window", type=float, default=0, help="measure all but the client over these first seconds")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p = sub.add_parser("report")
    p.add_argument("--workdir", required=True)
    p.add_argument("--psql", default="psql")
    p.add_argument("--round", required=True)
    p.add_argument("--pg-round", required=True)
    p.add_argument("--connections", required=True)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    elif args.command == "measure":
        measure(args)
    else:
        sys.exit(report(args))


if __name__ == "__main__":
    main()
