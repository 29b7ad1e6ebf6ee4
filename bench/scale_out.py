#!/usr/bin/env python3
"""bench/scale_out.py: set-up, load, checks and report for bench/scale-out.sh (stdlib only).

Shares bench/benchlib.py with bench/ingest.py (set-up, psql, the CPU readings, wrk's per-thread files).

  scale_out.py setup  --api URL --api URL --admin-token T --psql PSQL --workdir DIR [--members N --items K]
      Through the first API: a workshop in phase voting with K recommendations and one open
      dot round (5 points); N members with tokens inserted with COPY, as bench/ingest.py
      does (token_hash = sha256 of the token), and bench_members(n, id). One token is then
      tried on GET /v1/workshops against every API. Writes DIR/tokens.txt, DIR/recs.txt and
      DIR/setup.env (WORKSHOP, ROUND).

  scale_out.py load   --api NAME=URL --api NAME=URL --workdir DIR --round ID --members N
                      --duration S --drain S --connections C --threads T
                      --pid NAME=PID ... --postmaster-pid P
      Starts one wrk per API at the same moment (bench/ingest.lua; -c C -t T, S seconds of
      load then the drain), all walking the one member list: API i starts at member
      1 + i * N / #APIs, so every member votes through every API in turn (what a
      round-robin load balancer does) and the processes keep replacing each other's
      ballots. Records the CPU spent in the first S seconds by each named process, the
      PostgreSQL cluster, wrk and the machine, and samples pg_stat_activity twice a second
      for the connections open and busy (DIR/cpu.json).

  scale_out.py report --workdir DIR --psql PSQL --round ID --api NAME ... [--wait S]
      Prints ballots/s per API and in total, p50/p99 and errors, the CPU split, waits for
      the workers to catch up, and checks (a) zero loss against the database. Exit 1 on
      a failed check.

  scale_out.py close  --api URL --admin-token T --psql PSQL --round ID [--wait S]
      Closes the round through that API, waits until round_changes is empty and a
      non-provisional snapshot exists, and checks its ballots_counted against the current
      ballots (part of check b). Exit 1 on a failed check.

  scale_out.py verify --workdir DIR --psql PSQL --round ID --bin WERKSTATT --worker-log NAME=FILE ...
      With the services stopped: (c) both workers wrote snapshots (their "snapshot written"
      debug lines) and those lines are exactly the round's snapshots; no set of ballots was
      counted twice; then (b) a copy of the database (CREATE DATABASE … TEMPLATE), a change
      row for the round in it, `werkstatt worker --once` on the copy, and its snapshot's
      digest and items against the final one. Drops the copy. Exit 1 on a failed check.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time

from benchlib import DB, Client, ballot_counts, cpu_snapshot, create_workshop, finish, host_port, \
    insert_members, log, loss_failures, named, open_dot_round, read_wrk, setup_options, wait_ready, write_workdir, \
    wrk_members


def database(args):
    return DB(args.psql, os.environ["DATABASE_URL"])


# ------------------------------------------------------------------------- setup

def setup(args):
    apis = [host_port(u) for u in args.api]
    for host, port in apis:
        wait_ready(port, host=host)
    host, port = apis[0]
    admin = Client(port, args.admin_token, timeout=30, host=host)
    slug = f"bench-scale-out-{int(time.time())}-{os.getpid()}"
    wid, _ = create_workshop(admin, slug, "Benchmark: scale-out", args.items)
    rnd = open_dot_round(admin, wid, "Scale-out benchmark")
    recs = rnd["recommendation_ids"]
    log(f"  workshop {wid}: {len(recs)} recommendations, open dot round {rnd['id']}")

    tokens = insert_members(database(args), wid, args.members)

    # Every API process must take the tokens (they share nothing but the database).
    for i, (host, port) in enumerate(apis):
        n = 1 + i * (args.members - 1) // max(1, len(apis) - 1)
        listed = Client(port, tokens[n - 1], timeout=30, host=host).json("GET", "/v1/workshops")
        if wid not in json.dumps(listed):
            raise RuntimeError(f"GET /v1/workshops on port {port} as member {n} does not list workshop {wid}")
        log(f"  GET /v1/workshops on :{port} as member {n}: 200, lists the workshop")

    write_workdir(args.workdir, tokens, recs, f"WORKSHOP={wid}\nROUND={rnd['id']}\n")


# ------------------------------------------------------------------------- load

def load(args):
    apis = named(args.api)
    pids = named(args.pid)
    here = os.path.dirname(os.path.abspath(__file__))
    wrks = {}
    db = database(args)
    lsn0 = db.value("SELECT pg_current_wal_lsn()")
    before = cpu_snapshot(pids, args.postmaster_pid)
    t0 = time.monotonic()
    for i, (name, url) in enumerate(apis.items()):
        out = f"{args.workdir}/wrk-{name}"
        os.makedirs(out, exist_ok=True)
        env = dict(os.environ, INGEST_DIR=args.workdir, INGEST_OUT=out, INGEST_ROUND=args.round,
                   INGEST_DURATION=str(args.duration), INGEST_THREADS=str(args.threads),
                   INGEST_BASE=str(i * args.members // len(apis)))
        stdout = open(f"{args.workdir}/wrk-{name}.txt", "w")
        wrks[name] = (subprocess.Popen(
            ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{round(args.duration + args.drain)}s",
             "--timeout", "10s", "--latency", "-s", f"{here}/ingest.lua", url],
            env=env, stdout=stdout, stderr=subprocess.STDOUT), stdout)
    # CPU over the load only (not the drain), as bench/ingest.py measure --window does.
    # Meanwhile, twice a second: how many connections the services hold and how many are busy.
    conns = []
    while time.monotonic() - t0 < args.duration - 0.6:
        row = db.rows(f"""SELECT count(*), count(*) FILTER (WHERE state <> 'idle')
                            FROM pg_stat_activity WHERE datname = '{db.name()}' AND pid <> pg_backend_pid()""")[0]
        conns.append((int(row[0]), int(row[1])))
        time.sleep(0.5)
    time.sleep(max(0.0, args.duration - (time.monotonic() - t0)))
    after = cpu_snapshot(pids, args.postmaster_pid)
    window = time.monotonic() - t0
    status = 0
    client = 0.0
    for name, (proc, stdout) in wrks.items():
        _, raw, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(raw)
        client += usage.ru_utime + usage.ru_stime
        stdout.close()
        if code != 0:
            log(f"  wrk against {name} exited with {code}:")
            with open(f"{args.workdir}/wrk-{name}.txt") as f:
                for line in f.read().splitlines()[-10:]:
                    log(f"    {line}")
            status = 1
    ended = time.time()
    wal = int(db.value(f"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{lsn0}')"))
    result = {"window": window, "cores": os.cpu_count(), "load": open("/proc/loadavg").read().split()[:3],
              "ended": ended, "client": client, "wal": wal,
              "connections": max((c for c, _ in conns), default=0),
              "busy_max": max((b for _, b in conns), default=0),
              "busy_mean": sum(b for _, b in conns) / len(conns) if conns else 0.0}
    for key in after:
        result[key] = after[key] - before[key]
    with open(f"{args.workdir}/cpu.json", "w") as f:
        json.dump(result, f)
    return status


# ------------------------------------------------------------------------- report

def report(args):
    names = args.api
    failures = []
    per_api = {}
    upper, lower = set(), set()
    total_ok = total_issued = 0
    exact = True
    db = database(args)
    for name in names:
        summary, threads = read_wrk(f"{args.workdir}/wrk-{name}")
        per_api[name] = summary
        total_ok += int(summary["ok"])
        total_issued += int(summary["issued"])
        for t, th in wrk_members(threads, upper, lower):
            exact = False
            log(f"  {name}, wrk thread {t}: {th['issued']} issued, {th['ok']} answered 2xx")

    log("")
    log("scale-out: PUT /v1/rounds/{id}/ballot against two API processes at once (one wrk each), "
        "two workers, one database")
    log(f"{'API':>6} | {'2xx':>6} {'seconds':>7} {'ballots/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"| {'non-2xx':>7} {'sock err':>8}")
    seconds_max = 0.0
    for name in names:
        s = per_api[name]
        ok, seconds = int(s["ok"]), float(s["seconds"])
        seconds_max = max(seconds_max, seconds)
        sock = sum(int(s[k]) for k in ("connect", "read", "write", "timeout"))
        log(f"{name:>6} | {ok:>6} {seconds:>7.2f} {ok / seconds:>9.0f} {int(s['p50_us']) / 1000:>7.2f} "
            f"{int(s['p99_us']) / 1000:>7.2f} {int(s['max_us']) / 1000:>7.1f} | {int(s['non2xx']):>7} {sock:>8}"
            + (f"  statuses {s['statuses']}" if s["statuses"] else ""))
        if int(s["non2xx"]) or sock:
            failures.append(f"{name}: {s['non2xx']} non-2xx answers, {sock} socket errors")
    log(f"{'total':>6} | {total_ok:>6} {seconds_max:>7.2f} {total_ok / seconds_max:>9.0f} "
        f"{'':>7} {'':>7} {'':>7} | {sum(int(per_api[n]['non2xx']) for n in names):>7}")
    log("  ballots/s = 2xx answers / time from wrk's start to its last answer (load + the part of the drain "
        "still answering);\n  total = all 2xx / the longer of the two; p50/p99 per API from wrk --latency "
        "(two histograms can't be merged from wrk's summary)")

    cpu_path = f"{args.workdir}/cpu.json"
    if os.path.exists(cpu_path):
        u = json.load(open(cpu_path))
        w = u["window"]
        known = [k for k in u if k.startswith(("api-", "worker-"))]
        log("")
        log(f"CPU during the {w:.1f} s of load (seconds of CPU per second; {u['cores']} cores = {u['cores']:.1f}):")
        other = max(0.0, u["busy"] - u["irq"] - u["postgres"] - u["client"] - sum(u[k] for k in known))
        log("  " + "  ".join(f"{k} {u[k] / w:.2f}" for k in known)
            + f"  postgres {u['postgres'] / w:.2f}  wrk {u['client'] / w:.2f}  irq {u['irq'] / w:.2f}"
            + f"  other {other / w:.2f}  machine {u['busy'] / w:.2f}")
        log(f"  (wrk over its whole run, the drain included; other = every other process on the machine; "
            f"load avg after: {' '.join(u['load'])})")
        log(f"  PostgreSQL connections of the four processes, sampled twice a second: at most {u['connections']} "
            f"open, {u['busy_mean']:.1f} busy on average (at most {u['busy_max']})")
        api_cpu = sum(u[k] for k in known if k.startswith("api-"))
        if total_ok:
            log(f"  per ballot: {1000 * api_cpu / total_ok:.2f} ms CPU in the API processes, "
                f"{1000 * u['postgres'] / total_ok:.2f} ms in PostgreSQL, "
                f"{1000 * sum(u[k] for k in known if k.startswith('worker-')) / total_ok:.2f} ms in the workers "
                f"(CPU over the load / every 2xx)")

    if os.path.exists(cpu_path) and total_ok:
        sizes = db.rows("""SELECT relname, pg_total_relation_size(oid) FROM pg_class
                               WHERE relkind = 'r' AND relname IN ('ballots', 'ballot_history', 'ranking_snapshots')""")
        counts = {t: int(db.value(f"SELECT count(*) FROM {t}")) for t in ("ballots", "ballot_history", "ranking_snapshots")}
        log(f"  WAL written during the load and drain: {u['wal'] / 1e6:.1f} MB, {u['wal'] / total_ok / 1000:.1f} kB per ballot "
            f"(snapshots included); on disk with indexes: " + ", ".join(
                f"{name} {int(size) / counts[name] / 1000:.2f} kB/row" for name, size in sorted(sizes)))

    # The workers catch up: wait until nothing is dirty, then say how long that took.
    started = time.monotonic()
    while int(db.value(f"SELECT count(*) FROM round_changes WHERE round_id = '{args.round}'")) > 0:
        if time.monotonic() - started > args.wait:
            failures.append(f"round_changes still not empty {args.wait:.0f} s after the load")
            break
        time.sleep(0.1)
    snaps, last_ballots, last_mark = db.rows(f"""
        SELECT count(*), (array_agg(ballots_counted ORDER BY id DESC))[1], (array_agg(watermark ORDER BY id DESC))[1]
          FROM ranking_snapshots WHERE round_id = '{args.round}'""")[0]
    log("")
    log(f"workers: {snaps} snapshots written during the load; nothing dirty "
        f"{time.monotonic() - started:.1f} s after wrk ended; the latest counts {last_ballots} ballots "
        f"(watermark {last_mark})")

    # ---------------------------------------------------------------- check (a)
    current, in_db, history, gaps = ballot_counts(db, args.round)
    log("")
    log("check (a), zero loss:")
    if exact:
        log(f"  every request both wrk processes issued was answered 2xx, so the members with a 2xx are "
            f"exactly the members sent: {len(upper)}")
    else:
        log(f"  not every request was answered 2xx, so the members with a 2xx are known within bounds: "
            f"at least {len(lower)}, at most {len(upper)}")
    log(f"  current ballots in the database: {current}; distinct members with a 2xx: {len(upper)}")
    log(f"  ballot_history rows: {history}; 2xx answers: {total_ok}; requests issued: {total_issued}")
    log(f"  current ballots whose version differs from their number of history rows: {gaps}")
    failures += loss_failures(exact, upper, lower, in_db, current, history, total_ok, total_issued, gaps)
    return finish("check (a)", failures, "passed" + (" (exact)" if exact else " (within bounds)"))


# ------------------------------------------------------------------------- close

def close(args):
    db = database(args)
    failures = []
    host, port = host_port(args.api)
    admin = Client(port, args.admin_token, timeout=30, host=host)
    log("")
    t0 = time.monotonic()
    closed = admin.json("POST", f"/v1/rounds/{args.round}/close", attempts=1)
    log(f"closed the round through :{port} ({closed['state']}, closed_at {closed.get('closed_at')}); "
        f"waiting for the final snapshot")
    final = None
    while True:
        dirty = int(db.value(f"SELECT count(*) FROM round_changes WHERE round_id = '{args.round}'"))
        rows = db.rows(f"""SELECT id, ballots_counted, watermark, digest FROM ranking_snapshots
                               WHERE round_id = '{args.round}' AND NOT provisional ORDER BY id DESC LIMIT 1""")
        if dirty == 0 and rows:
            final = rows[0]
            break
        if time.monotonic() - t0 > args.wait:
            failures.append(f"no final snapshot (or round_changes not empty: {dirty}) {args.wait:.0f} s after closing")
            break
        time.sleep(0.1)
    log("check (b), final snapshot:")
    if final:
        current = int(db.value(f"SELECT count(*) FROM ballots WHERE round_id = '{args.round}' AND content IS NOT NULL"))
        mark = int(db.value(f"SELECT COALESCE(max(id), 0) FROM ballot_history WHERE round_id = '{args.round}'"))
        log(f"  final snapshot {final[0]} {time.monotonic() - t0:.2f} s after the close: ballots_counted {final[1]}, "
            f"watermark {final[2]}, digest {final[3][:16]}…")
        log(f"  current ballots {current}; highest ballot_history id {mark}; round_changes empty")
        if int(final[1]) != current:
            failures.append(f"the final snapshot counts {final[1]} ballots, the database holds {current}")
        if int(final[2]) != mark:
            failures.append(f"the final snapshot's watermark {final[2]} != the highest history id {mark}")
    return finish("check (b), final snapshot", failures)


# ------------------------------------------------------------------------- verify

LINE = re.compile(r"snapshot written")


def worker_lines(path, round_id):
    """(written [(ballots, watermark)], failures [line]) for the round, from a debug log."""
    written, failed = [], []
    with open(path, errors="replace") as f:
        for line in f:
            if LINE.search(line):
                m_round = re.search(r"\bround=(\S+)", line)
                m_ballots = re.search(r"\bballots=(\d+)", line)
                m_mark = re.search(r"\bwatermark=(\d+)", line)
                if not (m_round and m_ballots and m_mark):
                    raise RuntimeError(f"cannot read a 'snapshot written' line of {path}: {line!r}")
                if m_round.group(1).lower() == round_id.lower():
                    written.append((int(m_ballots.group(1)), int(m_mark.group(1))))
            elif " error " in line or "failed" in line:
                failed.append(line.rstrip())
    return written, failed


def verify(args):
    db = database(args)
    failures = []
    logs = named(args.worker_log)
    log("")
    log("check (c), two workers:")
    table = db.rows(f"""SELECT id, ballots_counted, watermark, digest, provisional FROM ranking_snapshots
                            WHERE round_id = '{args.round}' ORDER BY id""")
    snaps = [(int(i), int(b), int(w), d, p == "t") for i, b, w, d, p in table]
    from_logs = collections.Counter()
    for name, path in logs.items():
        written, failed = worker_lines(path, args.round)
        from_logs.update(written)
        log(f"  {name}: {len(written)} 'snapshot written' lines for the round; {len(failed)} error/failure lines")
        for line in failed[:5]:
            log(f"    {line[:300]}")
        if not written:
            failures.append(f"{name} wrote no snapshot of the round")
    from_table = collections.Counter((b, w) for _, b, w, _, _ in snaps)
    log(f"  snapshots of the round in the table: {len(snaps)}; lines in the two logs: {sum(from_logs.values())}")
    if from_logs != from_table:
        failures.append(f"the workers' log lines and the table differ: only in the logs "
                        f"{dict(from_logs - from_table)}, only in the table {dict(from_table - from_logs)}")
    else:
        log("  every snapshot in the table has its worker's log line and every line its snapshot "
            "(matched on ballots counted and watermark)")
    # No set of ballots counted twice: two workers computing the same state would give two
    # snapshots with the same watermark and the same digest.
    dup = collections.Counter((w, d, p) for _, _, w, d, p in snaps)
    twice = {k: n for k, n in dup.items() if n > 1}
    if twice:
        failures.append(f"{len(twice)} states counted more than once: {list(twice.items())[:3]}")
    prov = [s for s in snaps if s[4]]
    finals = [s for s in snaps if not s[4]]
    same_mark = collections.Counter(s[2] for s in prov)
    shared = sum(n - 1 for n in same_mark.values() if n > 1)
    backwards = sum(1 for a, b in zip(snaps, snaps[1:]) if b[2] < a[2])
    log(f"  provisional snapshots: {len(prov)}, {len(same_mark)} distinct watermarks"
        f" ({shared} sharing a watermark with an earlier one); final snapshots: {len(finals)}")
    log(f"  watermark going down from one snapshot to the next (by id): {backwards} times; "
        f"states (watermark, digest) counted twice: {len(twice)}")
    if shared:
        log("  (a shared provisional watermark with a different digest is the commit-order case of "
            "docs/performance.md: a ballot with a lower history id committed after the snapshot that "
            "saw a higher one)")
    if backwards:
        failures.append(f"the watermark went down {backwards} times from one snapshot to the next")
    if len(finals) != 1 or snaps[-1][4]:
        failures.append(f"expected exactly one final snapshot, the newest; found {len(finals)}")
    elif prov:
        log(f"  the final snapshot repeats the watermark of the last provisional one "
            f"({prov[-1][2]} → {finals[0][2]}) because closing adds no ballot: the same ballots, counted "
            f"once more as final{'' if prov[-1][3] == finals[0][3] else ' (digest differs!)'}")
    rc = finish("check (c), two workers", failures)

    # ---------------------------------------------------------------- check (b), from scratch
    failures = []
    log("")
    log("check (b), the final snapshot against a from-scratch computation on a copy of the database:")
    copy = f"{db.name()}_scale_out_copy"
    admin_url = db.with_database("postgres")
    copy_url = db.with_database(copy)

    def on(url, sql):
        return db.rows(sql, url=url)

    on(admin_url, f'DROP DATABASE IF EXISTS "{copy}"')
    # Everything of ours is stopped; whatever is still connected would make TEMPLATE fail.
    left = on(admin_url, f"""SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                              WHERE datname = '{db.name()}' AND pid <> pg_backend_pid()""")[0][0]
    log(f"  connections to {db.name()} terminated before copying: {left}")
    for attempt in range(20):
        try:
            on(admin_url, f'CREATE DATABASE "{copy}" TEMPLATE "{db.name()}"')
            break
        except subprocess.CalledProcessError as e:
            if attempt == 19:
                raise RuntimeError(f"CREATE DATABASE … TEMPLATE failed: {e.stderr}")
            time.sleep(0.5)
    try:
        before = int(on(copy_url, f"SELECT count(*) FROM ranking_snapshots WHERE round_id = '{args.round}'")[0][0])
        on(copy_url, f"INSERT INTO round_changes (round_id) VALUES ('{args.round}')")
        t0 = time.monotonic()
        once = subprocess.run([args.bin, "worker", "--once", "--database-url", copy_url],
                              env=dict(os.environ, LOG_LEVEL="warning"), capture_output=True, text=True)
        log(f"  werkstatt worker --once on {copy} ({time.monotonic() - t0:.2f} s, exit {once.returncode}):")
        for line in (once.stdout + once.stderr).splitlines():
            log(f"    {line}")
        if once.returncode != 0:
            failures.append(f"werkstatt worker --once exited with {once.returncode}")
        after = int(on(copy_url, f"SELECT count(*) FROM ranking_snapshots WHERE round_id = '{args.round}'")[0][0])
        if after != before + 1:
            failures.append(f"the copy has {after} snapshots of the round, expected {before} + 1")
        q = f"""SELECT id, ballots_counted, watermark, digest, provisional, items::text,
                       jsonb_array_length(items), md5(items::text)
                  FROM ranking_snapshots WHERE round_id = '{args.round}' {{}} ORDER BY id DESC LIMIT 1"""
        mine = db.rows(q.format("AND NOT provisional"))[0]
        scratch = on(copy_url, q.format(""))[0]
        for label, row in (("final snapshot, original", mine), ("from scratch, copy      ", scratch)):
            log(f"  {label}: id {row[0]}, ballots {row[1]}, watermark {row[2]}, provisional {row[4]}, "
                f"{row[6]} items (md5 {row[7]}), digest {row[3]}")
        if mine[3] != scratch[3]:
            failures.append(f"digest differs: {mine[3]} vs {scratch[3]}")
        if mine[5] != scratch[5] or json.loads(mine[5]) != json.loads(scratch[5]):
            a, b = json.loads(mine[5]), json.loads(scratch[5])
            diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
            failures.append(f"items differ (first differing positions {diff[:5]})")
        if mine[1] != scratch[1]:
            failures.append(f"ballots_counted differs: {mine[1]} vs {scratch[1]}")
        if scratch[4] != "f":
            failures.append("the from-scratch snapshot is provisional")
        top = json.loads(mine[5])[:5]
        log("  top 5: " + ", ".join(f"{i['rank']}. {i['code']} ({i['score']:g}, interval {i['rank_interval']})"
                                     for i in top))
    finally:
        on(admin_url, f'DROP DATABASE IF EXISTS "{copy}"')
    return rc | finish("check (b), from scratch", failures)


# ------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--api", action="append", required=True)
    setup_options(p)
    p = sub.add_parser("load")
    p.add_argument("--api", action="append", required=True, help="NAME=URL")
    p.add_argument("--pid", action="append", help="NAME=PID, for the CPU split")
    p.add_argument("--postmaster-pid", type=int, default=0)
    p.add_argument("--psql", default="psql")
    p.add_argument("--workdir", required=True)
    p.add_argument("--round", required=True)
    p.add_argument("--members", type=int, required=True)
    p.add_argument("--duration", type=int, required=True)
    p.add_argument("--drain", type=int, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--threads", type=int, required=True)
    p = sub.add_parser("report")
    p.add_argument("--workdir", required=True)
    p.add_argument("--psql", default="psql")
    p.add_argument("--round", required=True)
    p.add_argument("--api", action="append", required=True, help="NAME")
    p.add_argument("--wait", type=float, default=60)
    p = sub.add_parser("close")
    p.add_argument("--api", required=True, help="URL")
    p.add_argument("--admin-token", required=True)
    p.add_argument("--psql", default="psql")
    p.add_argument("--round", required=True)
    p.add_argument("--wait", type=float, default=60)
    p = sub.add_parser("verify")
    p.add_argument("--workdir", required=True)
    p.add_argument("--psql", default="psql")
    p.add_argument("--round", required=True)
    p.add_argument("--bin", required=True)
    p.add_argument("--worker-log", action="append", required=True, help="NAME=FILE")
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    else:
        sys.exit({"load": load, "report": report, "close": close, "verify": verify}[args.command](args))


if __name__ == "__main__":
    main()
