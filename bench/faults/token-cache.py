#!/usr/bin/env python3
"""bench/faults/token-cache.py: no stale token across two API processes, through faults.

Run by bench/faults/run.sh (see bench/benchlib.py, Env, for the environment).

Two `werkstatt serve` processes, A and B, on one database, each with its token cache
(--token-cache-ttl, default 5 s). --members participants are created through A; a
reader thread per process asks GET /v1/workshops/{id} with every token in turn all the
time, so both caches stay warm. Then, one after another, each on tokens both caches hold:
  1. revocations through A's API (DELETE /v1/members/{id}/token);
  2. rotations through B's API (the old token must die, the new one work);
  3. revocations in SQL by a third client (psql), as an operator would;
  4. the LISTEN connections of both processes terminated (pg_terminate_backend), then
     revocations in SQL at once, while the processes may not have noticed yet;
  5. PostgreSQL stopped for --down seconds and started again, then revocations in SQL.
Checks:
  - after each change, both processes refuse the old token (401) within the TTL of its
    commit, and (steps 1-3, where nothing is lost) within --notify seconds;
  - the readers never get 2xx for a token after its change's commit + TTL (no stale
    token served, from the readers' records);
  - both processes' listeners are back (two LISTEN sessions) after steps 4 and 5, and
    each process logged the lost connection;
  - the new tokens of step 2 work in both processes.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib as f  # noqa: E402  (bench/benchlib.py)

LISTENERS = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
             "AND query ILIKE 'LISTEN%werkstatt_caller_changes%'")


def main():
    parser = f.scenario_parser(__doc__, members=40)
    parser.add_argument("--ttl", type=float, default=5, help="--token-cache-ttl of both processes (5)")
    parser.add_argument("--notify", type=float, default=1.0,
                        help="longest a change may take to reach a process that lost nothing, s (1)")
    parser.add_argument("--per-step", type=int, default=6, help="tokens changed in each step (6)")
    parser.add_argument("--down", type=float, default=3, help="seconds PostgreSQL is down in step 5 (3)")
    args = parser.parse_args()
    if args.members < 5 * args.per_step:
        sys.exit("token-cache: --members must be at least 5 × --per-step")

    env, checks = f.Env("token-cache"), f.Checks("token-cache")
    procs = []
    for label in ("a", "b"):
        port = f.free_port()
        proc = f.serve(env, port, label=label)
        proc.args += ["--token-cache-ttl", f"{args.ttl:g}", "--metrics-port", "0"]
        proc.start()
        procs.append((proc, port))
    for proc, port in procs:
        f.wait_ready(port, proc=proc)
    (a, port_a), (b, port_b) = procs
    wait_listeners(env, 2, 30)

    f.log(f"== set-up through A: a workshop and {args.members} participants (logs in {env.work})")
    admin = f.Client(port_a, env.admin_token, timeout=30)
    wid = admin.json("POST", "/v1/workshops", {"slug": f"token-cache-{int(time.time())}-{os.getpid()}",
                                                "title": "Token cache faults"})["id"]
    members = [admin.json("POST", f"/v1/workshops/{wid}/members",
                          {"display_name": f"Member {i}", "role": "participant", "stakeholder_group": "union"})
               for i in range(args.members)]
    path = f"/v1/workshops/{wid}"
    live = {m["token"]: m["id"] for m in members}     # tokens the readers ask with
    changed = {}                                      # token -> commit time of its change (monotonic)
    lock = threading.Lock()
    stop = threading.Event()
    records = {"a": [], "b": []}

    def reader(label, port):
        client = f.Client(port, timeout=10)
        while not stop.is_set():
            with lock:
                tokens = list(live) + list(changed)
            for token in tokens:
                r = client.request("GET", path, token=token)
                records[label].append((token, r))
        client.close()

    threads = [threading.Thread(target=reader, args=(label, port), daemon=True)
               for label, port in (("a", port_a), ("b", port_b))]
    for t in threads:
        t.start()
    time.sleep(1)   # both caches warm

    pending = list(members)

    def take():
        return [pending.pop() for _ in range(args.per_step)]

    def refused_within(token, limit):
        """Seconds until both processes answer 401 for token (polled), or None."""
        start = f.now()
        clients = [f.Client(port_a), f.Client(port_b)]
        try:
            while f.now() - start <= limit:
                if all(c.request("GET", path, token=token).status == 401 for c in clients):
                    return f.now() - start
                time.sleep(0.01)
            return None
        finally:
            for c in clients:
                c.close()

    def step(name, change, limit):
        """change(member) makes the token stale and returns when it has committed."""
        times = []
        for member in take():
            token = member["token"]
            change(member)
            committed = f.now()
            with lock:
                live.pop(token, None)
                changed[token] = committed
            took = refused_within(token, args.ttl + 1)
            times.append(took)
        worst = max((t for t in times if t is not None), default=0)
        within_ttl = all(t is not None and t <= args.ttl for t in times)
        checks.check(f"{name}: both processes refuse the old token within the TTL ({args.ttl:g} s)", within_ttl,
                     "seconds after the commit: " + ", ".join("never" if t is None else f"{t:.3f}" for t in times))
        if limit is not None:
            checks.check(f"{name}: ... and within {limit:g} s (the notification's way)", within_ttl and worst <= limit,
                         f"worst {worst:.3f} s")

    def revoke_api(member):
        admin.json("DELETE", f"/v1/members/{member['id']}/token", expect=(204,))

    fresh = []

    def rotate_api(member):
        rotated = f.Client(port_b, env.admin_token, timeout=30)
        fresh.append(rotated.json("POST", f"/v1/members/{member['id']}/token:rotate", {})["token"])
        rotated.close()

    def revoke_sql(member):
        env.db.rows(f"UPDATE members SET revoked_at = now() WHERE id = '{member['id']}'")

    f.log("== 1. revocations through A")
    step("revoked through A's API", revoke_api, args.notify)
    f.log("== 2. rotations through B")
    step("rotated through B's API", rotate_api, args.notify)
    fresh_ok = all(f.Client(port).request("GET", path, token=t).status == 200 for t in fresh for port in (port_a, port_b))
    checks.check("the rotated tokens work in both processes", fresh_ok)
    f.log("== 3. revocations in SQL")
    step("revoked in SQL", revoke_sql, args.notify)

    f.log("== 4. both LISTEN connections terminated, then revocations in SQL at once")
    lost_before = [p.log_count("listening for token changes failed") for p in (a, b)]
    env.db.rows("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                "AND query ILIKE 'LISTEN%werkstatt_caller_changes%'")
    step("revoked in SQL right after the LISTEN connections were killed", revoke_sql, None)
    checks.check("both listeners are back after the kill", wait_listeners(env, 2, 10))
    lost = [p.log_count("listening for token changes failed") - n for p, n in zip((a, b), lost_before)]
    checks.check("each process logged its lost LISTEN connection", all(n >= 1 for n in lost), f"{lost}")

    f.log(f"== 5. PostgreSQL down for {args.down:g} s, then revocations in SQL")
    env.pg("stop")
    time.sleep(args.down)
    env.pg("start")
    for proc, port in procs:
        f.wait_ready(port, timeout=30, proc=proc)
    step("revoked in SQL after the database came back", revoke_sql, None)
    checks.check("both listeners are back after the outage", wait_listeners(env, 2, 15))

    stop.set()
    for t in threads:
        t.join(timeout=15)
    stale = []
    for label, rs in records.items():
        for token, r in rs:
            at = changed.get(token)
            if at is not None and r.ok and r.sent > at + args.ttl:
                stale.append(f"{label}: 2xx {r.sent - at:.2f} s after the change")
    total = sum(len(rs) for rs in records.values())
    checks.check(f"no token served later than the TTL after its change ({total} reads by both readers)",
                 not stale, "; ".join(stale[:5]))
    for proc, _ in procs:
        proc.stop()
    return checks.finish([a, b])


def wait_listeners(env, count, timeout):
    """Until `count` sessions LISTEN on the token channel; whether they did within timeout."""
    deadline = f.now() + timeout
    while f.now() < deadline:
        try:
            if int(env.db.value(LISTENERS)) >= count:
                return True
        except Exception:
            pass
        time.sleep(0.1)
    return False


if __name__ == "__main__":
    raise SystemExit(main())
