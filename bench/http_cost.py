#!/usr/bin/env python3
"""bench/http_cost.py: set-up, report and profile split for bench/http.sh (stdlib only).
(CPU accounting around each run is bench/ingest.py measure.)

  http_cost.py setup   --base-url URL --admin-token T --psql PSQL --workdir DIR [--members N --items K --theses T
                  --ranked M]
      Through the HTTP API: a workshop with T theses (brought in while it collects) and K
      recommendations, in phase voting, with three dot rounds of 5 points: `service` (open;
      wrk's ballots), `pgbench` (open; both pgbench statements) and `ranked`, which the first
      M members vote in through the API and which is then closed; it waits until the worker
      has written its final snapshot. N members with tokens go in with COPY (benchlib's
      insert_members). Each read the benchmark makes is tried once as a member (200).
      Writes DIR/tokens.txt, DIR/recs.txt and DIR/setup.env (shell variables for http.sh).

  http_cost.py settle  --psql PSQL --round ID...
      Waits until the worker has caught up with the rounds (so its catching up after one
      run is not counted in the next).

  http_cost.py report  --workdir DIR --psql PSQL --round ID --connections 32,128 [--soak S]
      Prints a table per path, the ballots against pgbench, the ratios issue 14's goals
      ask for, the CPU split and, after a soak, its memory; checks every acknowledged
      ballot against the database (exit 1 if the check fails).

  http_cost.py perf-split PERF_REPORT_FILE
      Sums `perf report --no-children --sort dso,symbol` (stdio) by where the code lives:
      the kernel, libswiftCore and the other shared libraries, and inside the werkstatt
      binary by Swift module (from the mangled names: NIO, PostgresNIO, Hummingbird,
      Werkstatt…), C and C++ code apart.
"""

import argparse
import json
import os
import random
import re
import sys
import time

from benchlib import DB, Client, check_tokens, check_wrk_ballots, create_workshop, dot_ballot, finish, host_port, \
    insert_members, log, log_cpu_table, open_dot_round, parallel, pgbench_ballot, read_kv, read_pgbench, \
    read_wrk, setup_options, wait_caught_up, wait_ready, write_workdir

READS = [("live", "GET /health/live"), ("workshop", "GET /v1/workshops/{id}"),
         ("theses", "GET /v1/workshops/{id}/theses?limit=50"), ("ranking", "GET /v1/rounds/{id}/ranking")]


# ------------------------------------------------------------------------- setup

def setup(args):
    host, port = host_port(args.base_url)
    wait_ready(port, host=host)
    admin = Client(port, args.admin_token, timeout=30, host=host)
    slug = f"bench-http-{int(time.time())}-{os.getpid()}"
    wid, _ = create_workshop(admin, slug, "Benchmark: HTTP cost per request", args.items, theses=args.theses)
    rounds = {name: open_dot_round(admin, wid, f"HTTP benchmark ({name})") for name in ("service", "pgbench", "ranked")}
    log(f"  workshop {wid}: {args.theses} theses, {args.items} recommendations, rounds "
        + ", ".join(f"{r['id']} ({name})" for name, r in rounds.items()))
    db = DB(args.psql, os.environ["DATABASE_URL"])
    tokens = insert_members(db, wid, args.members)
    check_tokens(admin, wid, tokens, (1, args.members))

    # The ranked round: M ballots through the API, closed, its final snapshot awaited.
    ranked = rounds["ranked"]
    t = time.monotonic()

    def vote(state, n):
        if "client" not in state:
            state["client"] = Client(port, timeout=30, host=host)
            state["rng"] = random.Random(n)
        state["client"].json("PUT", f"/v1/rounds/{ranked['id']}/ballot",
                             dot_ballot(state["rng"], ranked["recommendation_ids"]), token=tokens[n - 1])

    parallel(list(range(1, args.ranked + 1)), 8, vote)
    admin.json("POST", f"/v1/rounds/{ranked['id']}/close")
    deadline = time.monotonic() + 60
    while True:
        r = admin.json("GET", f"/v1/rounds/{ranked['id']}/ranking", token=tokens[0])
        if not r["provisional"] and r["ballots_counted"] == args.ranked:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"no final snapshot of {args.ranked} ballots within 60 s: {json.dumps(r)[:300]}")
        time.sleep(0.2)
    log(f"  ranked round: {args.ranked} ballots through the API, closed, final snapshot of "
        f"{r['ballots_counted']} ballots, {len(r['items'])} items, in {time.monotonic() - t:.1f} s")

    paths = {"live": "/health/live", "workshop": f"/v1/workshops/{wid}",
             "theses": f"/v1/workshops/{wid}/theses?limit=50", "ranking": f"/v1/rounds/{ranked['id']}/ranking"}
    for name, path in paths.items():
        r = admin.request("GET", path, token=tokens[-1])
        if r.status != 200:
            raise RuntimeError(f"GET {path} as member {args.members} -> {r.outcome()}: {r.body[:300]!r}")
    page = json.loads(admin.request("GET", paths["theses"], token=tokens[0]).body)
    log(f"  every read answers 200 to a member; the thesis page holds {len(page['items'])} theses, "
        f"ranking body {len(admin.request('GET', paths['ranking'], token=tokens[0]).body)} bytes")

    content, entries = pgbench_ballot(rounds["pgbench"]["recommendation_ids"])
    write_workdir(args.workdir, tokens, rounds["service"]["recommendation_ids"],
                  f"WORKSHOP={wid}\nROUND={rounds['service']['id']}\nPG_ROUND={rounds['pgbench']['id']}\n"
                  f"PG_CONTENT='{content}'\nPG_ENTRIES='{entries}'\n"
                  + "".join(f"PATH_{name.upper()}='{path}'\n" for name, path in paths.items()))


def settle(args):
    db = DB(args.psql, os.environ["DATABASE_URL"])
    for round_id in args.round:
        if not wait_caught_up(db, round_id, timeout=60):
            log(f"  (the worker had not caught up with round {round_id} after 60 s)")


# ------------------------------------------------------------------------- report

def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def read_run(workdir, name, c):
    """A read run: http.lua's figures and the CPU, or None if it did not run."""
    path = f"{workdir}/{name}-{c}.txt"
    if not os.path.exists(path):
        return None
    s = {k: float(v) for k, v in read_kv(path).items()}
    cpu = load(f"{workdir}/cpu-{name}-{c}.json")
    rate = s["requests"] / s["seconds"]
    return {"rate": rate, "ok": s["ok"], "p50": s["p50_us"] / 1000, "p99": s["p99_us"] / 1000,
            "non2xx": int(s["non2xx"]), "sock": int(s["connect"] + s["read"] + s["write"] + s["timeout"]),
            "cores": cpu["werkstatt"] / cpu["wall"], "cpu_ms": 1000 * cpu["werkstatt"] / max(1, s["requests"]),
            "cpu": cpu}


def ballot_run(workdir, c):
    """The ballot run (bench/ingest.lua): 2xx per second from wrk's start to its last
    response; CPU per 2xx over the load (the drain answers at most c more)."""
    summary, _ = read_wrk(f"{workdir}/ballots-{c}")
    cpu = load(f"{workdir}/cpu-ballots-{c}.json")
    ok, seconds = int(summary["ok"]), float(summary["seconds"])
    return {"rate": ok / seconds if seconds else 0.0, "ok": ok, "p50": int(summary["p50_us"]) / 1000,
            "p99": int(summary["p99_us"]) / 1000, "non2xx": int(summary["non2xx"]), "statuses": summary["statuses"],
            "sock": sum(int(summary[k]) for k in ("connect", "read", "write", "timeout")),
            "cores": cpu["werkstatt"] / cpu["wall"], "cpu_ms": 1000 * cpu["werkstatt"] / max(1, ok), "cpu": cpu}


def report(args):
    conns = [int(c) for c in args.connections.split(",")]
    w = args.workdir
    reads = {(name, c): read_run(w, name, c) for name, _ in READS for c in conns}
    ballots = {c: ballot_run(w, c) for c in conns}
    pg = {(kind, c): read_pgbench(f"{w}/pgbench-{kind}-{c}.txt") for kind in ("upsert", "statement") for c in conns}

    head = (f"{'conns':>5} | {'req/s':>7} {'server cores':>12} {'CPU/req ms':>10} | {'p50 ms':>7} {'p99 ms':>7} | "
            f"{'≥400':>5} {'sock err':>8} | {'CPU/req ÷ live':>14}")
    members = sum(1 for line in open(f"{w}/tokens.txt") if line.strip())
    for name, label in READS:
        log("")
        log(f"{label}{'' if name == 'live' else f' (a member token; {members} members in turn)'}")
        log(head)
        for c in conns:
            r, live = reads[(name, c)], reads[("live", c)]
            if r is None:
                continue
            log(f"{c:>5} | {r['rate']:>7.0f} {r['cores']:>12.2f} {r['cpu_ms']:>10.3f} | {r['p50']:>7.2f} {r['p99']:>7.2f} | "
                f"{r['non2xx']:>5} {r['sock']:>8} | {r['cpu_ms'] / live['cpu_ms']:>14.2f}")

    log("")
    log("PUT /v1/rounds/{id}/ballot (a valid dot ballot, members in turn) against pgbench on the same PostgreSQL")
    log(f"{'conns':>5} | {'ballots/s':>9} {'server cores':>12} {'CPU/req ms':>10} | {'p50 ms':>7} {'p99 ms':>7} | "
        f"{'non-2xx':>7} {'sock err':>8} | {'upsert tps':>10} {'statement tps':>13}")
    for c in conns:
        b = ballots[c]
        log(f"{c:>5} | {b['rate']:>9.0f} {b['cores']:>12.2f} {b['cpu_ms']:>10.3f} | {b['p50']:>7.2f} {b['p99']:>7.2f} | "
            f"{b['non2xx']:>7} {b['sock']:>8} | {pg[('upsert', c)]['tps'] or 0:>10.0f} {pg[('statement', c)]['tps'] or 0:>13.0f}")
        if b["statuses"]:
            log(f"  {c} connections: non-2xx statuses {b['statuses']}")
    log("  upsert = bench/http-pgbench-upsert.sql (the plain single-row upsert: the ballots row alone);\n"
        "  statement = bench/ingest-pgbench.sql (the service's own ballot statement, one ballot a commit);\n"
        "  pgbench -M prepared -j 2 with as many clients as wrk has connections; ballots/s = 2xx / time from\n"
        "  wrk's start to its last response; CPU per request includes the worker recounting the round")

    log("")
    log("issue 14's goals, as ratios:")
    for c in conns:
        live = reads[("live", c)]
        parts = [f"{name} {reads[(name, c)]['cpu_ms'] / live['cpu_ms']:.2f}×" for name, _ in READS[1:]
                 if reads[(name, c)]]
        log(f"  {c:>3} connections  reads, CPU/request ÷ /health/live's (goal ≤ 2): {', '.join(parts)}")
    for c in conns:
        b, up, st = ballots[c], pg[("upsert", c)]["tps"], pg[("statement", c)]["tps"]
        goal = "≥ 0.6, moonshot 1.0" if c <= 32 else "≥ 1.0"
        log(f"  {c:>3} connections  ballots/s ÷ upsert tps (goal {goal}): {b['rate'] / up if up else float('nan'):.2f}; "
            f"÷ statement tps: {b['rate'] / st if st else float('nan'):.2f}; p99 {b['p99']:.1f} ms (goal < 50); "
            f"errors {b['non2xx'] + b['sock']} (goal 0)")

    cpu_rows = [(f"{name} {c}", reads[(name, c)]["cpu"]) for c in conns for name, _ in READS if reads[(name, c)]]
    cpu_rows += [(f"ballots {c}", ballots[c]["cpu"]) for c in conns]
    cpu_rows += [(f"pgbench {kind} {c}", u) for c in conns for kind in ("upsert", "statement")
                 if (u := load(f"{w}/cpu-pgbench-{kind}-{c}.json"))]
    log_cpu_table(cpu_rows)

    run_dirs = [f"{w}/ballots-{c}" for c in conns]
    if args.soak:
        soak_report(w, args.soak)
        run_dirs.append(f"{w}/soak-ballots")

    log("")
    log("check against the database (the service round; pgbench writes in a round of its own):")
    failures, exact = check_wrk_ballots(DB(args.psql, os.environ["DATABASE_URL"]), args.round, run_dirs)
    return finish("check", failures, "every acknowledged ballot is stored" + (" (exact)" if exact else " (within bounds)"))


def soak_report(w, seconds):
    r = {k: float(v) for k, v in read_kv(f"{w}/soak-reads.txt").items()}
    b, _ = read_wrk(f"{w}/soak-ballots")
    samples = [(float(t), float(m)) for t, m in (line.split() for line in open(f"{w}/rss.txt") if line.strip())]
    log("")
    log(f"soak: {seconds} s of steady mixed load (reads and ballots at once, each paced)")
    log(f"  reads   {r['requests'] / r['seconds']:.0f}/s (workshop, thesis page, ranking in turn), "
        f"p99 {r['p99_us'] / 1000:.1f} ms, status >= 400: {int(r['non2xx'])}, socket errors "
        f"{int(r['connect'] + r['read'] + r['write'] + r['timeout'])}")
    log(f"  ballots {int(b['ok']) / float(b['seconds']):.0f}/s, p99 {int(b['p99_us']) / 1000:.1f} ms, "
        f"non-2xx {b['non2xx']}, socket errors {sum(int(b[k]) for k in ('connect', 'read', 'write', 'timeout'))}")
    if samples:
        rss = [m for _, m in samples]
        log(f"  server RSS (MiB, every 10 s): start {rss[0]:.1f}, end {rss[-1]:.1f}, max {max(rss):.1f}, "
            f"min {min(rss):.1f} over {len(rss)} samples")
        log("    " + " ".join(f"{m:.0f}" for m in rss))


# ------------------------------------------------------------------------- perf

LIBRARIES = [("kernel", re.compile(r"\[kernel")), ("libswiftCore", re.compile(r"libswiftCore")),
             ("Swift concurrency", re.compile(r"libswift_Concurrency")), ("Foundation", re.compile(r"Foundation")),
             ("libdispatch", re.compile(r"libdispatch")), ("libc / libm / ld", re.compile(r"^(libc|libm|ld-)")),
             ("libstdc++", re.compile(r"libstdc"))]


def swift_module(symbol):
    """The module of a mangled Swift symbol ($s7NIOCore…: NIOCore), "Swift" for the
    standard library ($ss…, $sS…), else None."""
    if symbol.startswith(("$ss", "$sS")):
        return "Swift"
    m = re.match(r"\$s(\d+)", symbol)
    return symbol[m.end():m.end() + int(m.group(1))] if m else None


def module_group(module):
    if module.startswith("NIO") or module.startswith("_NIO"):
        return "NIO"
    if module.startswith("Postgres"):
        return "PostgresNIO"
    if module.startswith("Hummingbird"):
        return "Hummingbird"
    if module.startswith("Werkstatt"):
        return "Werkstatt code"
    if module == "Swift":  # the standard library's generics, specialised into the binary
        return "stdlib (inlined into werkstatt)"
    return f"other Swift ({module})"


def perf_split(args):
    groups = {}
    for line in open(args.file, errors="replace"):
        m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)", line)
        if not m:
            continue
        share, dso, _, symbol = float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
        group = next((name for name, pattern in LIBRARIES if pattern.search(dso)), None)
        if group is None and dso == "werkstatt":
            module = swift_module(symbol)
            group = module_group(module) if module else "C / C++ in werkstatt"
        groups[group or dso] = groups.get(group or dso, 0.0) + share
    log("where the server's CPU samples fall (perf, --no-children):")
    for name, share in sorted(groups.items(), key=lambda kv: -kv[1]):
        log(f"  {share:>6.2f} %  {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup")
    setup_options(p, base_url=True)
    p.add_argument("--theses", type=int, default=60)
    p.add_argument("--ranked", type=int, default=1000)
    p = sub.add_parser("settle")
    p.add_argument("--psql", default="psql")
    p.add_argument("--round", nargs="+", required=True)
    p = sub.add_parser("report")
    p.add_argument("--workdir", required=True)
    p.add_argument("--psql", default="psql")
    p.add_argument("--round", required=True)
    p.add_argument("--connections", required=True)
    p.add_argument("--soak", type=int, default=0)
    p = sub.add_parser("perf-split")
    p.add_argument("file")
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    elif args.command == "settle":
        settle(args)
    elif args.command == "report":
        sys.exit(report(args))
    else:
        perf_split(args)


if __name__ == "__main__":
    main()
