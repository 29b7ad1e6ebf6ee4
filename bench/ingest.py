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
import hashlib
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import uuid

GROUPS = ["industry", "science", "association", "union", "politics", "administration",
          "civil_society", "other"]
CHANNEL = "werkstatt_round_changes"


def log(message):
    print(message, flush=True)


class API:
    def __init__(self, host, port, token):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.token = token

    def call(self, method, path, body=None, expect=(200, 201), token=None):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read()
        if response.status not in expect:
            raise RuntimeError(f"{method} {path} -> {response.status}: {text[:500]!r}")
        return json.loads(text) if text else None


def wait_ready(host, port, timeout=60):
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


def psql(args, sql, stdin=None):
    out = subprocess.run([args.psql, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          "-d", os.environ["DATABASE_URL"], "-c", sql],
                         input=stdin, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def host_port(base_url):
    host, _, port = base_url.removeprefix("http://").rstrip("/").partition(":")
    return host, int(port or 80)


# ------------------------------------------------------------------------- setup

def setup(args):
    host, port = host_port(args.base_url)
    wait_ready(host, port)
    admin = API(host, port, args.admin_token)
    slug = f"bench-ingest-{int(time.time())}-{os.getpid()}"
    wid = admin.call("POST", "/v1/workshops", {"slug": slug, "title": "Benchmark: ballot ingest"})["id"]
    admin.call("POST", f"/v1/workshops/{wid}/phase", {"phase": "voting"})
    for i in range(1, args.items + 1):
        admin.call("POST", f"/v1/workshops/{wid}/recommendations", {
            "code": f"R{i}", "title": f"Recommendation {i}",
            "body": f"What recommendation {i} proposes, in a few sentences."})
    rounds = {}
    for name in ("service", "pgbench"):
        rnd = admin.call("POST", f"/v1/workshops/{wid}/rounds", {
            "title": f"Ingest benchmark ({name})", "method": "dot", "points_per_member": 5})
        admin.call("POST", f"/v1/rounds/{rnd['id']}/open")
        rounds[name] = rnd
    recs = rounds["service"]["recommendation_ids"]  # in round order (recommendations.seq)
    log(f"  workshop {wid}: {len(recs)} recommendations, rounds {rounds['service']['id']} (service), "
        f"{rounds['pgbench']['id']} (pgbench)")

    started = time.monotonic()
    tokens = [secrets.token_urlsafe(32) for _ in range(args.members)]
    ids = [str(uuid.uuid4()) for _ in range(args.members)]
    rows = []
    for n, (token, mid) in enumerate(zip(tokens, ids), start=1):
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        rows.append(f"{mid}\t{wid}\tMember {n}\tparticipant\t{GROUPS[n % len(GROUPS)]}\t\\\\x{digest}\n")
    psql(args, "COPY members (id, workshop_id, display_name, role, stakeholder_group, token_hash) FROM STDIN",
         stdin="".join(rows))
    psql(args, "DROP TABLE IF EXISTS bench_members; "
               "CREATE TABLE bench_members (n integer PRIMARY KEY, id uuid NOT NULL UNIQUE)")
    psql(args, "COPY bench_members (n, id) FROM STDIN",
         stdin="".join(f"{n}\t{mid}\n" for n, mid in enumerate(ids, start=1)))
    psql(args, "ANALYZE members; ANALYZE bench_members")
    log(f"  {args.members} members with tokens (COPY) in {time.monotonic() - started:.1f} s")

    # The API must take the tokens the way it takes its own.
    for n in (1, args.members):
        listed = admin.call("GET", "/v1/workshops", token=tokens[n - 1])
        if wid not in json.dumps(listed):
            raise RuntimeError(f"GET /v1/workshops as member {n} does not list workshop {wid}: {listed!r}")
    log(f"  GET /v1/workshops as members 1 and {args.members}: 200, lists the workshop")

    os.makedirs(args.workdir, exist_ok=True)
    with open(f"{args.workdir}/tokens.txt", "w") as f:
        f.writelines(t + "\n" for t in tokens)
    with open(f"{args.workdir}/recs.txt", "w") as f:
        f.writelines(r + "\n" for r in recs)
    # pgbench's ballot, written as the server writes one: the body with upper-case ids
    # (BallotBody.normalisingIds, JSONEncoder without sorted keys) and the compact entries
    # [position, points, …] by position.
    pg_recs = [r.upper() for r in rounds["pgbench"]["recommendation_ids"]]
    content = json.dumps({"points": {pg_recs[0]: 3, pg_recs[1]: 2}}, separators=(",", ":"))
    with open(f"{args.workdir}/setup.env", "w") as f:
        f.write(f"WORKSHOP={wid}\nROUND={rounds['service']['id']}\nPG_ROUND={rounds['pgbench']['id']}\n"
                f"PG_CONTENT='{content}'\nPG_ENTRIES='{{0,3,1,2}}'\n")


# ------------------------------------------------------------------------- measure

TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    """(ppid, utime+stime, cutime+cstime) in seconds, or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    # fields[0] is state (field 3): ppid is field 4, utime..cstime fields 14..17.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def machine_busy():
    """(busy, of which irq + softirq) CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    # user nice system idle iowait irq softirq steal (guest is already in user)
    return (sum(values[:8]) - idle) / TICK, (values[5] + values[6]) / TICK


def snapshot(server_pid, postmaster_pid):
    busy, irq = machine_busy()
    snap = {"busy": busy, "irq": irq, "werkstatt": 0.0, "postgres": 0.0}
    if server_pid:
        s = proc_stat(server_pid)
        snap["werkstatt"] = s[1] if s else 0.0
    if postmaster_pid:
        total = 0.0
        pm = proc_stat(postmaster_pid)
        if pm:
            total += pm[1] + pm[2]  # its own time and that of the children it reaped
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                s = proc_stat(int(entry))
                if s and s[0] == postmaster_pid:
                    total += s[1]
        snap["postgres"] = total
    return snap


def measure(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    before = snapshot(args.server_pid, args.postmaster_pid)
    wall0 = time.monotonic()
    child = subprocess.Popen(cmd)
    # With --window, the machine, werkstatt and PostgreSQL are measured over the first
    # WINDOW seconds only (wrk's load, not its drain); the client over its whole run.
    after = {}
    timer = None
    if args.window:
        timer = threading.Timer(args.window, lambda: after.update(snapshot(args.server_pid, args.postmaster_pid),
                                                                   wall=time.monotonic() - wall0))
        timer.start()
    _, status, usage = os.wait4(child.pid, 0)
    if timer:
        timer.cancel()
        timer.join()
    if not after:
        after.update(snapshot(args.server_pid, args.postmaster_pid), wall=time.monotonic() - wall0)
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

def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            out[key] = value
    return out


def read_wrk(run_dir):
    summary = read_kv(f"{run_dir}/summary.txt")
    threads = []
    for name in sorted(os.listdir(run_dir)):
        if not re.fullmatch(r"thread-\d+\.txt", name):
            continue
        with open(f"{run_dir}/{name}") as f:
            head = f.readline().split()
            h = dict(zip(head[::2], head[1::2]))
            sent = {}
            for line in f:
                m, n = line.split()
                sent[int(m)] = int(n)
        threads.append({"issued": int(h["issued"]), "ok": int(h["ok"]), "clean": h["clean"] == "1", "sent": sent})
    return summary, threads


def read_pgbench(path):
    text = open(path).read()

    def grab(pattern, cast=float):
        m = re.search(pattern, text)
        return cast(m.group(1)) if m else None
    return {"tps": grab(r"tps = ([\d.]+)"), "latency": grab(r"latency average = ([\d.]+) ms"),
            "processed": grab(r"actually processed: (\d+)", int),
            "failed": grab(r"number of failed transactions: (\d+)", int) or 0}


def report(args):
    conns = [int(c) for c in args.connections.split(",")]
    rows, cpu_rows = [], []
    total_ok = total_issued = 0
    s_upper, s_lower = set(), set()
    all_clean = True
    unclean = []
    for c in conns:
        summary, threads = read_wrk(f"{args.workdir}/wrk-{c}")
        pg = read_pgbench(f"{args.workdir}/pgbench-{c}.txt")
        ok, issued = int(summary["ok"]), int(summary["issued"])
        total_ok += ok
        total_issued += issued
        seconds = float(summary["seconds"])
        sock = sum(int(summary[k]) for k in ("connect", "read", "write", "timeout"))
        rate = ok / seconds if seconds > 0 else 0.0
        rows.append((c, rate, int(summary["p50_us"]) / 1000, int(summary["p99_us"]) / 1000,
                     int(summary["non2xx"]), sock, summary["statuses"], pg["tps"], pg["latency"],
                     rate / pg["tps"] if pg["tps"] else float("nan"), seconds))
        for t, th in enumerate(threads):
            s_upper.update(th["sent"])
            if th["clean"]:
                s_lower.update(th["sent"])
            else:
                all_clean = False
                unclean.append(f"{c} connections, thread {t}: {th['issued']} issued, {th['ok']} 2xx")
                slack = th["issued"] - th["ok"]
                s_lower.update(m for m, n in th["sent"].items() if n > slack)
        for kind in ("wrk", "pgbench"):
            path = f"{args.workdir}/cpu-{kind}-{c}.json"
            if os.path.exists(path):
                u = json.load(open(path))
                u["seconds"] = u["wall"]
                cpu_rows.append((kind, c, u))

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

    if cpu_rows:
        log("")
        log("CPU while each run lasted (seconds of CPU per second of load; "
            f"{cpu_rows[0][2]['cores']} cores = {cpu_rows[0][2]['cores']:.1f}):")
        log(f"{'run':>12} | {'werkstatt':>9} {'postgres':>9} {'client':>7} {'irq':>5} {'other':>7} {'machine':>8} "
            f"| load avg after")
        for kind, c, u in cpu_rows:
            w = u["seconds"]
            other = max(0.0, u["machine"] - u["irq"] - u["werkstatt"] - u["postgres"] - u["client"])
            log(f"{kind + ' ' + str(c):>12} | {u['werkstatt'] / w:>9.2f} {u['postgres'] / w:>9.2f} "
                f"{u['client'] / w:>7.2f} {u['irq'] / w:>5.2f} {other / w:>7.2f} {u['machine'] / w:>8.2f} | {u['load']}")
        log("  client = wrk or pgbench; irq = interrupts and softirqs (mostly loopback TCP, ours included);\n"
            "  other = every other process on the machine (other users' work, kernel threads);\n"
            "  werkstatt includes its aggregation worker; wrk runs are measured over the load, not the drain")

    # ---------------------------------------------------------------- the check
    current = int(psql(args, f"SELECT count(*) FROM ballots WHERE round_id = '{args.round}' AND content IS NOT NULL")[0][0])
    d = {int(r[0]) for r in psql(args, f"""
        SELECT bm.n FROM ballots b JOIN bench_members bm ON bm.id = b.member_id
         WHERE b.round_id = '{args.round}' AND b.content IS NOT NULL""")}
    history = int(psql(args, f"SELECT count(*) FROM ballot_history WHERE round_id = '{args.round}'")[0][0])
    gaps = int(psql(args, f"""
        SELECT count(*) FROM ballots b
         WHERE b.round_id = '{args.round}'
           AND b.version <> (SELECT count(*) FROM ballot_history h
                              WHERE h.round_id = b.round_id AND h.member_id = b.member_id)""")[0][0])
    pg_history = int(psql(args, f"SELECT count(*) FROM ballot_history WHERE round_id = '{args.pg_round}'")[0][0])
    pg_processed = sum((read_pgbench(f"{args.workdir}/pgbench-{c}.txt")["processed"] or 0) for c in conns)

    failures = []
    log("")
    log("check against the database (service round only; pgbench votes in a round of its own):")
    exact = all_clean and s_lower == s_upper
    if exact:
        log(f"  every request wrk issued was answered 2xx, so the members with a 2xx are exactly "
            f"the members sent: {len(s_upper)}")
    else:
        log(f"  not every request was answered 2xx ({'; '.join(unclean)}), so the members with a 2xx "
            f"are known only within bounds: at least {len(s_lower)}, at most {len(s_upper)}")
    log(f"  current ballots (content IS NOT NULL): {current}")
    if exact:
        if current != len(s_upper) or d != s_upper:
            failures.append(f"current ballots {current} != members with a 2xx {len(s_upper)}"
                            f" (in the database only: {len(d - s_upper)}, acknowledged only: {len(s_upper - d)})")
    else:
        if not s_lower <= d:
            failures.append(f"{len(s_lower - d)} members certainly acknowledged have no current ballot")
        if not d <= s_upper:
            failures.append(f"{len(d - s_upper)} members have a current ballot but were never sent")
    log(f"  ballot_history rows: {history}; 2xx responses: {total_ok}; requests issued: {total_issued}")
    if history < total_ok:
        failures.append(f"ballot_history {history} < 2xx responses {total_ok}: acknowledged ballots are missing")
    if history > total_issued:
        failures.append(f"ballot_history {history} > requests issued {total_issued}: ballots nobody sent")
    if exact and history != total_ok:
        failures.append(f"ballot_history {history} != 2xx responses {total_ok} although every request was answered 2xx")
    log(f"  current ballots whose version differs from their number of history rows: {gaps}")
    if gaps:
        failures.append(f"{gaps} ballots whose version does not match their history")
    log(f"  (pgbench round: {pg_history} ballot_history rows for {pg_processed} transactions pgbench reports)")
    if failures:
        for f in failures:
            log(f"  FAILED: {f}")
        log("check: FAILED")
        return 1
    log("check: passed" + (" (exact)" if exact else " (within bounds)"))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--base-url", required=True)
    p.add_argument("--admin-token", required=True)
    p.add_argument("--psql", default="psql")
    p.add_argument("--workdir", required=True)
    p.add_argument("--members", type=int, default=20000)
    p.add_argument("--items", type=int, default=30)
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
