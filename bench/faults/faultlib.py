"""bench/faults/faultlib.py: what the fault-injection scenarios share. Standard library only.

The scenarios run under bench/faults/run.sh, which provides (environment):
  DATABASE_URL        a migrated database on a throwaway cluster of deploy/local-postgres.sh
  FAULTS_PG_DIR       that cluster's directory (for `local-postgres.sh stop|start DIR`)
  FAULTS_ADMIN_TOKEN  an admin token
  WERKSTATT_BIN       the release binary
  FAULTS_PSQL         psql

Pieces:
  Env        the above, plus a work directory for process logs
  Proc       one werkstatt process we started (serve or worker): start, kill, wait, log
  Client     a keep-alive HTTP/1.1 client that records what happened to each request
  Result     one request: times (monotonic seconds), status, content type, error kind
  set_up_voting  a workshop in phase voting with recommendations, members and an open dot round
  BallotLoad     steady open-loop PUT /v1/rounds/{id}/ballot load, as bench/freshness.py drives it
  DB         psql queries
  Checks     named pass/fail checks with their evidence; the exit status
"""

import atexit
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

GROUPS = ["industry", "science", "association", "union", "politics", "administration",
          "civil_society", "other"]


def log(message=""):
    print(message, flush=True)


def now():
    return time.monotonic()


# --- environment and processes -----------------------------------------------------


class Env:
    def __init__(self, name):
        missing = [k for k in ("DATABASE_URL", "FAULTS_PG_DIR", "FAULTS_ADMIN_TOKEN", "WERKSTATT_BIN")
                   if not os.environ.get(k)]
        if missing:
            sys.exit(f"{name}: run me through bench/faults/run.sh (missing {', '.join(missing)})")
        self.name = name
        self.database_url = os.environ["DATABASE_URL"]
        self.pg_dir = os.environ["FAULTS_PG_DIR"]
        self.admin_token = os.environ["FAULTS_ADMIN_TOKEN"]
        self.bin = os.environ["WERKSTATT_BIN"]
        self.psql = os.environ.get("FAULTS_PSQL") or "psql"
        self.work = tempfile.mkdtemp(prefix=f"werkstatt-faults-{name}-")
        self.db = DB(self.psql, self.database_url)

    def free_port(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        return port

    def pg(self, command):
        """deploy/local-postgres.sh stop|start on our cluster; returns its stdout."""
        out = subprocess.run([os.path.join(TOP, "deploy", "local-postgres.sh"), command, self.pg_dir],
                             check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return out.stdout.strip()


# Every process we started, so that they are killed (by pid) whatever happens.
_procs = []


def _kill_all():
    for p in _procs:
        if p.popen is not None and p.popen.poll() is None:
            try:
                p.popen.kill()
                p.popen.wait(timeout=5)
            except Exception:
                pass


atexit.register(_kill_all)


def _on_term(signum, frame):
    _kill_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_term)


class Proc:
    """A werkstatt process. Each start appends to its own log file in the work directory."""

    def __init__(self, env, label, args, log_level=None, database_url=None):
        self.env, self.label, self.args = env, label, args
        self.log_path = os.path.join(env.work, f"{label}.log")
        self.log_level = log_level or os.environ.get("FAULTS_LOG_LEVEL") or "info"
        self.database_url = database_url or env.database_url
        self.popen = None
        self.starts = 0
        _procs.append(self)

    def start(self):
        environment = dict(os.environ, LOG_LEVEL=self.log_level, DATABASE_URL=self.database_url)
        self.starts += 1
        with open(self.log_path, "a") as out:
            out.write(f"--- start #{self.starts}: {' '.join(self.args)}\n")
            out.flush()
            self.popen = subprocess.Popen([self.env.bin] + self.args, stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=subprocess.STDOUT, env=environment)
        self.started_at = now()
        return self

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.popen.pid, sig)

    def kill(self):
        """SIGKILL and reap."""
        self.signal(signal.SIGKILL)
        return self.popen.wait()

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL after timeout; returns (exit status, seconds to exit)."""
        if not self.alive():
            return self.popen.returncode, 0.0
        t = now()
        self.signal(signal.SIGTERM)
        try:
            status = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            status = self.popen.wait()
        return status, now() - t

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.readlines()[-lines:]
        except OSError:
            return []

    def log_count(self, needle):
        try:
            with open(self.log_path, errors="replace") as f:
                return sum(needle in line for line in f)
        except OSError:
            return 0


def serve(env, port, with_worker=False, label="serve"):
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--rate-limit", "100000", "--address-rate-limit", "100000"]
    if with_worker:
        args.append("--with-worker")
    return Proc(env, label, args)


def wait_ready(port, timeout=60, proc=None):
    """Until GET /health/ready answers 200; returns the seconds it took."""
    t = now()
    deadline = t + timeout
    while True:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.label} exited with {proc.popen.returncode} while starting; "
                               f"log: {''.join(proc.log_tail(10))}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/ready")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return now() - t
        except (OSError, http.client.HTTPException):
            pass
        if now() > deadline:
            raise RuntimeError(f"the server on port {port} was not ready within {timeout} s")
        time.sleep(0.05)


def active_requests(port):
    """(http_server_active_requests by method (this GET not counted),
    werkstatt_requests_abandoned_total) from /metrics, on the metrics listener (the API's
    port + 1000, `serve --metrics-port`'s default)."""
    r = Client(port + 1000, timeout=10).request("GET", "/metrics")
    if r.status != 200:
        return {"(/metrics answered %s)" % r.status: 1}, 0
    active, abandoned = {}, 0
    for line in r.body.decode(errors="replace").splitlines():
        m = re.match(r'http_server_active_requests\{http_request_method="(\w+)"\} ([0-9.]+)', line)
        if m:
            active[m.group(1)] = int(float(m.group(2)))
        m = re.match(r'werkstatt_requests_abandoned_total ([0-9.]+)', line)
        if m:
            abandoned = int(float(m.group(1)))
    active["GET"] = active.get("GET", 1) - 1
    return {k: v for k, v in active.items() if v}, abandoned


# --- HTTP ------------------------------------------------------------------------------


class Result:
    __slots__ = ("label", "sent", "done", "status", "ctype", "body", "error", "extra")

    def __init__(self, label, sent):
        self.label, self.sent = label, sent
        self.done = None
        self.status = 0          # 0: no HTTP answer (see error)
        self.ctype = ""
        self.body = b""
        self.error = None        # refused, reset, closed, timeout, or the exception's name
        self.extra = None

    @property
    def latency(self):
        return self.done - self.sent

    @property
    def ok(self):
        return 200 <= self.status < 300

    def is_problem_503(self):
        if self.status != 503 or not self.ctype.startswith("application/problem+json"):
            return False
        try:
            return json.loads(self.body).get("status") == 503
        except ValueError:
            return False

    def outcome(self):
        return str(self.status) if self.status else f"no answer ({self.error})"


def error_kind(error):
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, (ConnectionResetError, BrokenPipeError)):
        return "reset"
    if isinstance(error, http.client.RemoteDisconnected):
        return "closed"          # the server closed the connection without an answer
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timeout"
    return type(error).__name__


class Client:
    """One keep-alive connection; reconnects after an error or a `Connection: close`."""

    def __init__(self, port, token=None, timeout=10.0):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, label=None, token=None):
        headers = {}
        token = token or self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        r = Result(label or f"{method} {path}", now())
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            r.body = response.read()
            r.status = response.status
            r.ctype = response.getheader("Content-Type") or ""
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as error:
            r.error = error_kind(error)
            self.close()
        r.done = now()
        return r

    def json(self, method, path, body=None, expect=(200, 201), attempts=5):
        """For set-up: retries connection errors and 429/503, fails on anything else."""
        for attempt in range(attempts):
            r = self.request(method, path, body)
            if r.status in expect:
                return json.loads(r.body) if r.body else None
            if r.status in (0, 429, 503) and attempt + 1 < attempts:
                time.sleep(0.5)
                continue
            raise RuntimeError(f"{method} {path} -> {r.outcome()}: {r.body[:300]!r}")


def parallel(jobs, threads, work):
    """work(state, job) for every job on `threads` threads, each with its own state dict."""
    results = [None] * len(jobs)
    errors = []
    lock = threading.Lock()
    index = [0]

    def run():
        state = {}
        while True:
            with lock:
                i = index[0]
                index[0] += 1
            if i >= len(jobs) or errors:
                return
            try:
                results[i] = work(state, jobs[i])
            except Exception as error:
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


class Voting:
    """What set_up_voting made."""

    def __init__(self, workshop, round_id, recommendations, members):
        self.workshop, self.round_id = workshop, round_id
        self.recommendations = recommendations
        self.members = members        # [(member id, token)]


def set_up_voting(env, port, members=400, items=10, seed=7, title="Fault injection"):
    """Through the API, as an admin (the server runs with a high --rate-limit)."""
    admin = Client(port, env.admin_token, timeout=30)
    slug = f"faults-{env.name}-{int(time.time())}-{os.getpid()}"
    wid = admin.json("POST", "/v1/workshops", {"slug": slug, "title": f"{title}: {env.name}"})["id"]
    admin.json("POST", f"/v1/workshops/{wid}/phase", {"phase": "voting"})
    recommendations = [admin.json("POST", f"/v1/workshops/{wid}/recommendations", {
        "code": f"R{i}", "title": f"Recommendation {i}", "body": f"What recommendation {i} proposes."})["id"]
        for i in range(1, items + 1)]
    rng = random.Random(seed)
    groups = [rng.choice(GROUPS) for _ in range(members)]

    def create(state, i):
        if "client" not in state:
            state["client"] = Client(port, env.admin_token, timeout=30)
        m = state["client"].json("POST", f"/v1/workshops/{wid}/members", {
            "display_name": f"Member {i + 1}", "role": "participant", "stakeholder_group": groups[i]})
        return m["id"].lower(), m["token"]   # PostgreSQL prints uuids in lower case

    made = parallel(list(range(members)), 8, create)
    admin.close()
    rnd = admin.json("POST", f"/v1/workshops/{wid}/rounds", {
        "title": "Fault injection dot round", "method": "dot", "points_per_member": 5, "max_points_per_item": 5})
    admin.json("POST", f"/v1/rounds/{rnd['id']}/open")
    admin.close()
    return Voting(wid, rnd["id"], recommendations, made)


def dot_ballot(rng, recommendations):
    """5 points over 1-5 random recommendations, at least 1 each (as bench/freshness.py)."""
    k = rng.randint(1, 5)
    chosen = rng.sample(recommendations, k)
    cuts = sorted(rng.sample(range(1, 5), k - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [5])]
    return {"points": dict(zip(chosen, parts))}


class BallotLoad:
    """Open-loop ballots: request g is due at t0 + g / rate, sent by thread g mod threads
    on its keep-alive connection (a thread that falls behind sends at once), as member
    g mod len(members). With len(members) a multiple of threads, each member is always
    served by the same thread, so one member's ballots never overlap and acknowledged
    versions rise one by one. Runs until stop()."""

    def __init__(self, port, voting, rate=200.0, threads=16, seed=42, timeout=10.0, label="ballot"):
        if len(voting.members) % threads:
            raise ValueError("members must be a multiple of threads")
        self.port, self.voting, self.rate, self.threads = port, voting, rate, threads
        self.seed, self.timeout, self.label = seed, timeout, label
        self.records = [[] for _ in range(threads)]
        self.stopping = threading.Event()
        self.pool = []

    def start(self):
        self.t0 = now() + 0.2
        self.pool = [threading.Thread(target=self._run, args=(t,), daemon=True) for t in range(self.threads)]
        for t in self.pool:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.pool:
            t.join()
        return self.results()

    def results(self):
        return sorted((r for rs in self.records for r in rs), key=lambda r: r.sent)

    def _run(self, t):
        rng = random.Random(self.seed * 1000 + t)
        client = Client(self.port, timeout=self.timeout)
        path = f"/v1/rounds/{self.voting.round_id}/ballot"
        members = self.voting.members
        g = t
        while not self.stopping.is_set():
            due = self.t0 + g / self.rate
            delay = due - now()
            if delay > 0:
                if self.stopping.wait(delay):
                    break
            member = g % len(members)
            ballot = dot_ballot(rng, self.voting.recommendations)
            r = client.request("PUT", path, ballot, label=self.label, token=members[member][1])
            r.extra = (member, ballot, due)
            if r.ok:
                try:
                    r.extra = (member, ballot, due, json.loads(r.body)["version"])
                except (ValueError, KeyError):
                    pass
            self.records[t].append(r)
            g += self.threads
        client.close()


class ReadLoad:
    """Open-loop reads of GET /v1/rounds/{id}/ranking as members (one query for the
    token, two for the round and its snapshot), at `rate` a second on `threads`
    keep-alive connections. Runs until stop()."""

    def __init__(self, port, voting, rate=40.0, threads=4, timeout=10.0):
        self.port, self.voting, self.rate, self.threads, self.timeout = port, voting, rate, threads, timeout
        self.records = [[] for _ in range(threads)]
        self.stopping = threading.Event()

    def start(self):
        self.t0 = now() + 0.1
        self.pool = [threading.Thread(target=self._run, args=(t,), daemon=True) for t in range(self.threads)]
        for t in self.pool:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.pool:
            t.join()
        return sorted((r for rs in self.records for r in rs), key=lambda r: r.sent)

    def _run(self, t):
        client = Client(self.port, timeout=self.timeout)
        path = f"/v1/rounds/{self.voting.round_id}/ranking"
        g = t
        while not self.stopping.is_set():
            delay = self.t0 + g / self.rate - now()
            if delay > 0 and self.stopping.wait(delay):
                break
            token = self.voting.members[(g * 7) % len(self.voting.members)][1]
            self.records[t].append(client.request("GET", path, label="read", token=token))
            g += self.threads
        client.close()


# --- the database ------------------------------------------------------------------------


class DB:
    def __init__(self, psql, url):
        self.psql, self.url = psql, url

    def rows(self, query, url=None):
        out = subprocess.run([self.psql, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              "-d", url or self.url, "-c", query],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def value(self, query, url=None):
        rows = self.rows(query, url)
        return rows[0][0] if rows else None

    def with_database(self, name):
        base, _, _ = self.url.rpartition("/")
        return f"{base}/{name}"


def wait_caught_up(db, round_id, timeout=60):
    """Until the round has no change left and its newest snapshot covers its newest ballot."""
    deadline = now() + timeout
    while True:
        if db.value(f"""
            SELECT COALESCE((SELECT watermark FROM ranking_snapshots WHERE round_id = '{round_id}'
                              ORDER BY id DESC LIMIT 1), 0)
                   >= COALESCE((SELECT max(id) FROM ballot_history WHERE round_id = '{round_id}'), 0)
               AND NOT EXISTS (SELECT 1 FROM round_changes WHERE round_id = '{round_id}')""") == "t":
            return True
        if now() > deadline:
            return False
        time.sleep(0.2)


def service_sessions(db):
    """Sessions on our database other than this query's: (total, in a transaction, idle in transaction)."""
    row = db.rows("""
        SELECT count(*), count(*) FILTER (WHERE xact_start IS NOT NULL),
               count(*) FILTER (WHERE state LIKE 'idle in transaction%')
          FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'""")[0]
    return tuple(int(x) for x in row)


# --- checks ------------------------------------------------------------------------------


class Checks:
    def __init__(self, name):
        self.name = name
        self.results = []

    def check(self, what, ok, evidence=""):
        self.results.append((what, bool(ok), evidence))
        log(f"  [{'PASS' if ok else 'FAIL'}] {what}" + (f": {evidence}" if evidence else ""))
        return ok

    def info(self, what, evidence):
        log(f"  [info] {what}: {evidence}")

    def finish(self, procs=()):
        failed = [w for w, ok, _ in self.results if not ok]
        if failed:
            for p in procs:
                tail = p.log_tail(15)
                if tail:
                    log(f"\n  last lines of {p.label}'s log ({p.log_path}):")
                    for line in tail:
                        log("    " + line.rstrip())
        log("")
        log(f"{self.name}: {len(self.results) - len(failed)} of {len(self.results)} checks passed"
            + (f"; FAILED: {'; '.join(failed)}" if failed else ""))
        return 1 if failed else 0


def pct(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summarize(results):
    """'n requests: 2xx a, 503 b, no answer (reset) c ...'"""
    counts = {}
    for r in results:
        counts[r.outcome()] = counts.get(r.outcome(), 0) + 1
    return f"{len(results)} requests: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def latency_line(results):
    ms = [r.latency * 1000 for r in results]
    if not ms:
        return "no requests"
    return f"p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms"


def check_acknowledged(checks, db, voting, results):
    """Every acknowledged ballot (member, round, version) is in ballot_history with the
    content that was sent, and each member's current ballot is at least that version."""
    acked = [r for r in results if r.ok]
    without_version = [r for r in acked if len(r.extra) < 4]
    checks.check("every 2xx ballot answer carries its version", not without_version,
                 f"{len(without_version)} without" if without_version else f"{len(acked)} acknowledged ballots")
    history = {}
    for member, version, content in db.rows(f"""
            SELECT member_id, version, COALESCE(content::text, 'null') FROM ballot_history
             WHERE round_id = '{voting.round_id}'"""):
        history[(member.lower(), int(version))] = json.loads(content)
    current = {m.lower(): int(v) for m, v in db.rows(
        f"SELECT member_id, version FROM ballots WHERE round_id = '{voting.round_id}'")}
    missing, different, highest = [], [], {}
    for r in acked:
        if len(r.extra) < 4:
            continue
        member, ballot, _, version = r.extra
        member_id = voting.members[member][0]
        highest[member_id] = max(highest.get(member_id, 0), version)
        stored = history.get((member_id, version))
        if stored is None:
            missing.append((member_id, version))
            continue
        if canonical(ballot) != canonical(stored):
            different.append(r)
    checks.check("every acknowledged ballot is in ballot_history (member, round, version)", not missing,
                 f"{len(acked)} acknowledged, {len(history)} history rows"
                 + (f"; MISSING {len(missing)}, e.g. {missing[:3]}" if missing else ""))
    checks.check("with the content that was sent", not different,
                 f"{len(different)} differ" if different else "all equal")
    if different:
        # Whose ballot is stored under the version this request was told?
        by_content = {}
        for r in results:
            by_content.setdefault(canonical(r.extra[1]), []).append(r)
        t0 = min(r.sent for r in results)
        for r in different[:5]:
            member, ballot, _, version = r.extra
            member_id = voting.members[member][0]
            stored = history[(member_id, version)]
            log(f"      member {member_id} sent {canonical(ballot)} at {r.sent - t0:.3f} s (answered after "
                f"{r.latency * 1000:.1f} ms) and was told version {version}; ballot_history has {canonical(stored)} "
                f"for that version")
            mine = [(v, c) for (m, v), c in history.items() if m == member_id and canonical(c) == canonical(ballot)]
            log(f"        this member's sent content is in history as version(s) {[v for v, _ in mine] or 'none'}")
            for other in by_content.get(canonical(stored), [])[:3]:
                log(f"        the stored content was sent by member {voting.members[other.extra[0]][0]} at "
                    f"{other.sent - t0:.3f} s, answered {other.outcome()} "
                    + (f"version {other.extra[3]}" if len(other.extra) > 3 else ""))
    behind = [(m, current.get(m), v) for m, v in highest.items() if current.get(m, 0) < v]
    checks.check("each member's current ballot version >= its highest acknowledged version", not behind,
                 f"{len(highest)} members" + (f"; BEHIND {len(behind)}, e.g. {behind[:3]}" if behind else ""))


def canonical(ballot):
    """A dot ballot's points with upper-case ids, sorted, as a string."""
    points = (ballot or {}).get("points") or {}
    return json.dumps(sorted((k.upper(), v) for k, v in points.items()))


def check_ballots_have_history(checks, db, round_id):
    """Every current ballots row has its ballot_history row with the same content, and no
    history row is newer than the current ballot."""
    orphans = db.rows(f"""
        SELECT b.member_id, b.version FROM ballots b
         WHERE b.round_id = '{round_id}'
           AND NOT EXISTS (SELECT 1 FROM ballot_history h
                            WHERE h.round_id = b.round_id AND h.member_id = b.member_id
                              AND h.version = b.version AND h.content IS NOT DISTINCT FROM b.content)""")
    rows = db.value(f"SELECT count(*) FROM ballots WHERE round_id = '{round_id}'")
    checks.check("every ballots row has its ballot_history row (round, member, version, same content)",
                 not orphans, f"{rows} ballots rows" + (f"; {len(orphans)} WITHOUT, e.g. {orphans[:3]}" if orphans else ""))
    ahead = db.rows(f"""
        SELECT h.member_id, max(h.version), b.version FROM ballot_history h
          LEFT JOIN ballots b ON b.round_id = h.round_id AND b.member_id = h.member_id
         WHERE h.round_id = '{round_id}'
         GROUP BY h.member_id, b.version HAVING b.version IS NULL OR max(h.version) <> b.version""")
    checks.check("no ballot_history version beyond the current ballot (history and ballots agree)", not ahead,
                 f"{len(ahead)} members disagree, e.g. {ahead[:3]}" if ahead else "agree for every member")
