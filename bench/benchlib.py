"""bench/benchlib.py: what the benchmarks and the fault-injection scenarios share.
Standard library only. The scripts in bench/ import it directly; those in bench/faults/
put bench/ on sys.path first.

Pieces:
  log, now, host_port, free_port, named
  Env        the fault scenarios' environment from bench/faults/run.sh (DATABASE_URL,
             FAULTS_PG_DIR, FAULTS_ADMIN_TOKEN, WERKSTATT_BIN, FAULTS_PSQL), plus a work
             directory for process logs
  Proc       one werkstatt process we started (serve or worker): start, kill, wait, log
  wait_ready, active_requests   a server's /health/ready and /metrics
  Client     a keep-alive HTTP/1.1 client that records what happened to each request
  Result     one request: times (monotonic seconds), status, content type, error kind
  parallel   work on a few threads
  create_workshop, open_dot_round, insert_members, check_tokens, pgbench_ballot, write_workdir
             set-up pieces
  set_up_voting  a workshop in phase voting with recommendations, members and an open dot round
  dot_ballot     a random valid dot ballot
  BallotLoad, ReadLoad   steady open-loop ballot and ranking load
  DB         psql queries; wait_caught_up, service_sessions, ballot_counts
  proc_stat, machine_busy, cpu_snapshot, log_cpu_table   CPU accounting from /proc
  read_kv, read_wrk, wrk_members          what bench/ingest.lua writes; read_pgbench
  Checks, finish, loss_failures, check_wrk_ballots, check_acknowledged, check_ballots_have_history
  pct, summarize, latency_line
"""

import argparse
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
import urllib.parse
import uuid
import hashlib
import secrets

HERE = os.path.dirname(os.path.abspath(__file__))   # bench/
TOP = os.path.dirname(HERE)

GROUPS = ["industry", "science", "association", "union", "politics", "administration",
          "civil_society", "other"]


def log(message=""):
    print(message, flush=True)


def now():
    return time.monotonic()


def host_port(base_url):
    """'http://127.0.0.1:8080/' -> ('127.0.0.1', 8080)."""
    host, _, port = base_url.removeprefix("http://").rstrip("/").partition(":")
    return host, int(port or 80)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def named(values):
    """["a=1", "b=2"] -> {"a": "1", "b": "2"} (in order)."""
    out = {}
    for v in values or []:
        name, _, value = v.partition("=")
        out[name] = value
    return out


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

    def pg(self, command):
        """deploy/local-postgres.sh stop|start on our cluster; returns its stdout."""
        out = subprocess.run([os.path.join(TOP, "deploy", "local-postgres.sh"), command, self.pg_dir],
                             check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return out.stdout.strip()


# Every process we started, so that they are killed (by pid) whatever happens: at exit,
# and on SIGTERM once the first one is started.
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


class Proc:
    """A werkstatt process. Each start appends to its own log file in the work directory."""

    def __init__(self, env, label, args, log_level=None, database_url=None):
        self.env, self.label, self.args = env, label, args
        self.log_path = os.path.join(env.work, f"{label}.log")
        self.log_level = log_level or os.environ.get("FAULTS_LOG_LEVEL") or "info"
        self.database_url = database_url or env.database_url
        self.popen = None
        self.starts = 0
        if not _procs:
            signal.signal(signal.SIGTERM, _on_term)
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
        return count_in(self.log_path, needle)


def count_in(path, needle):
    """How many lines of the file contain needle (0 if it cannot be read)."""
    try:
        with open(path, errors="replace") as f:
            return sum(needle in line for line in f)
    except OSError:
        return 0


def scenario_parser(doc, rate=200, threads=16, members=400):
    """A fault scenario's argument parser with the ballot load's options."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--rate", type=float, default=rate, help=f"ballots a second ({rate:g})")
    parser.add_argument("--threads", type=int, default=threads, help=f"ballot connections ({threads})")
    parser.add_argument("--members", type=int, default=members)
    return parser


def start_scenario(name, with_worker=False, prepare=None):
    """Env and Checks for the scenario, prepare(env) if given, then `werkstatt serve` on a
    free port, ready; returns (env, checks, port, server)."""
    env = Env(name)
    checks = Checks(name)
    if prepare:
        prepare(env)
    port = free_port()
    server = serve(env, port, with_worker=with_worker).start()
    wait_ready(port, proc=server)
    return env, checks, port, server


def serve(env, port, with_worker=False, label="serve"):
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--rate-limit", "100000", "--address-rate-limit", "100000"]
    if with_worker:
        args.append("--with-worker")
    return Proc(env, label, args)


def wait_ready(port, timeout=60, proc=None, host="127.0.0.1"):
    """Until GET /health/ready answers 200; returns the seconds it took."""
    t = now()
    deadline = t + timeout
    while True:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.label} exited with {proc.popen.returncode} while starting; "
                               f"log: {''.join(proc.log_tail(10))}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/health/ready")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return now() - t
        except (OSError, http.client.HTTPException):
            pass
        if now() > deadline:
            raise RuntimeError(f"the server on {host}:{port} was not ready within {timeout} s")
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
    __slots__ = ("label", "sent", "done", "status", "ctype", "body", "error", "extra", "retry_after")

    def __init__(self, label, sent):
        self.label, self.sent = label, sent
        self.done = None
        self.status = 0          # 0: no HTTP answer (see error)
        self.ctype = ""
        self.body = b""
        self.error = None        # refused, reset, closed, timeout, or the exception's name
        self.extra = None
        self.retry_after = None  # the Retry-After header, if any

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

    def __init__(self, port, token=None, timeout=10.0, host="127.0.0.1"):
        self.host, self.port, self.token, self.timeout = host, port, token, timeout
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
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            r.body = response.read()
            r.status = response.status
            r.ctype = response.getheader("Content-Type") or ""
            r.retry_after = response.getheader("Retry-After")
            if response.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as error:
            r.error = error_kind(error)
            self.close()
        r.done = now()
        return r

    def json(self, method, path, body=None, expect=(200, 201), attempts=5, token=None):
        """For set-up: retries connection errors and 503 after 0.5 s, 429 after its
        Retry-After (1 s without), fails on anything else."""
        for attempt in range(attempts):
            r = self.request(method, path, body, token=token)
            if r.status in expect:
                return json.loads(r.body) if r.body else None
            if r.status in (0, 429, 503) and attempt + 1 < attempts:
                time.sleep(float(r.retry_after or 1) if r.status == 429 else 0.5)
                continue
            raise RuntimeError(f"{method} {path} -> {r.outcome()}: {r.body[:300]!r}")


def run_threads(threads, target, daemon=False):
    """target(t) for t in range(threads), each on a thread of its own; returns the threads
    started, joined unless daemon."""
    pool = [threading.Thread(target=target, args=(t,), daemon=daemon) for t in range(threads)]
    for t in pool:
        t.start()
    if not daemon:
        for t in pool:
            t.join()
    return pool


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

    run_threads(threads, lambda _: run())
    if errors:
        raise errors[0]
    return results


class Voting:
    """What set_up_voting made."""

    def __init__(self, workshop, round_id, recommendations, members):
        self.workshop, self.round_id = workshop, round_id
        self.recommendations = recommendations
        self.members = members        # [(member id, token)]


def create_workshop(client, slug, title, items, theses=0):
    """Through the API: a workshop in phase voting with `items` recommendations and, if
    asked, `theses` theses (brought in while it is collecting, by a participant created
    for them: a thesis is in a member's own name); returns (workshop id, recommendation ids)."""
    wid = client.json("POST", "/v1/workshops", {"slug": slug, "title": title})["id"]
    if theses:
        client.json("POST", f"/v1/workshops/{wid}/phase", {"phase": "collecting"})
        author = client.json("POST", f"/v1/workshops/{wid}/members", {
            "display_name": "Thesis author", "role": "participant", "stakeholder_group": "science"})["token"]
        for i in range(1, theses + 1):
            client.json("POST", f"/v1/workshops/{wid}/theses", {
                "title": f"Thesis {i}", "body": f"What thesis {i} claims, in a sentence or two."}, token=author)
    client.json("POST", f"/v1/workshops/{wid}/phase", {"phase": "voting"})
    recommendations = [client.json("POST", f"/v1/workshops/{wid}/recommendations", {
        "code": f"R{i}", "title": f"Recommendation {i}",
        "body": f"What recommendation {i} proposes, in a few sentences."})["id"]
        for i in range(1, items + 1)]
    return wid, recommendations


def open_dot_round(client, wid, title, **limits):
    """Through the API: an open dot round of 5 points (limits, e.g. max_points_per_item=5);
    returns the round as created."""
    rnd = client.json("POST", f"/v1/workshops/{wid}/rounds",
                      {"title": title, "method": "dot", "points_per_member": 5, **limits})
    client.json("POST", f"/v1/rounds/{rnd['id']}/open")
    return rnd


def insert_members(db, wid, count):
    """`count` participants inserted with COPY, past the API: tokens are 43-character
    url-safe base64 of 32 random bytes, members.token_hash = sha256 of the token's UTF-8
    bytes, as Token.hash does; a table bench_members(n, id) maps 1..count to the member
    ids (for pgbench and the checks). Returns the tokens (member n = tokens[n - 1])."""
    started = time.monotonic()
    tokens = [secrets.token_urlsafe(32) for _ in range(count)]
    ids = [str(uuid.uuid4()) for _ in range(count)]
    rows = []
    for n, (token, mid) in enumerate(zip(tokens, ids), start=1):
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        rows.append(f"{mid}\t{wid}\tMember {n}\tparticipant\t{GROUPS[n % len(GROUPS)]}\t\\\\x{digest}\n")
    db.rows("COPY members (id, workshop_id, display_name, role, stakeholder_group, token_hash) FROM STDIN",
            stdin="".join(rows))
    db.rows("DROP TABLE IF EXISTS bench_members; "
            "CREATE TABLE bench_members (n integer PRIMARY KEY, id uuid NOT NULL UNIQUE)")
    db.rows("COPY bench_members (n, id) FROM STDIN",
            stdin="".join(f"{n}\t{mid}\n" for n, mid in enumerate(ids, start=1)))
    db.rows("ANALYZE members; ANALYZE bench_members")
    log(f"  {count} members with tokens (COPY) in {time.monotonic() - started:.1f} s")
    return tokens


def check_tokens(client, wid, tokens, numbers):
    """The API takes the inserted tokens the way it takes its own: GET /v1/workshops as
    the members numbered `numbers` (1-based) lists the workshop."""
    for n in numbers:
        listed = client.json("GET", "/v1/workshops", token=tokens[n - 1])
        if wid not in json.dumps(listed):
            raise RuntimeError(f"GET /v1/workshops as member {n} does not list workshop {wid}: {listed!r}")
    log(f"  GET /v1/workshops as members {', '.join(map(str, numbers))}: 200, lists the workshop")


def pgbench_ballot(recommendation_ids):
    """The ballot bench/ingest-pgbench.sql writes, as the server stores one: (content, entries).
    The body with upper-case ids (BallotBody.normalisingIds, JSONEncoder without sorted
    keys) and the compact entries [position, points, …] by position."""
    recs = [r.upper() for r in recommendation_ids]
    return json.dumps({"points": {recs[0]: 3, recs[1]: 2}}, separators=(",", ":")), "{0,3,1,2}"


def setup_options(parser, base_url=False):
    """The options of `ingest.py setup`, `http_cost.py setup` and `scale_out.py setup`
    (with --base-url, the API's address, for the first two)."""
    if base_url:
        parser.add_argument("--base-url", required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--psql", default="psql")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--items", type=int, default=30)


def write_workdir(workdir, tokens, recs, setup_env):
    """What bench/ingest.lua reads (tokens.txt: line n = member n; recs.txt: the round's
    recommendation ids), and setup.env for the shell script."""
    os.makedirs(workdir, exist_ok=True)
    with open(f"{workdir}/tokens.txt", "w") as f:
        f.writelines(t + "\n" for t in tokens)
    with open(f"{workdir}/recs.txt", "w") as f:
        f.writelines(r + "\n" for r in recs)
    with open(f"{workdir}/setup.env", "w") as f:
        f.write(setup_env)


def set_up_voting(env, port, members=400, items=10, seed=7, title="Fault injection"):
    """Through the API, as an admin (the server runs with a high --rate-limit)."""
    log(f"== set-up through the API: {members} members, an open dot round (serve on :{port}, logs in {env.work})")
    admin = Client(port, env.admin_token, timeout=30)
    slug = f"faults-{env.name}-{int(time.time())}-{os.getpid()}"
    wid, recommendations = create_workshop(admin, slug, f"{title}: {env.name}", items)
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
    rnd = open_dot_round(admin, wid, "Fault injection dot round", max_points_per_item=5)
    admin.close()
    return Voting(wid, rnd["id"], recommendations, made)


def dot_ballot(rng, recommendations):
    """5 points over 1-5 random recommendations, at least 1 each (as bench/freshness.py)."""
    k = rng.randint(1, 5)
    chosen = rng.sample(recommendations, k)
    cuts = sorted(rng.sample(range(1, 5), k - 1))
    parts = [b - a for a, b in zip([0] + cuts, cuts + [5])]
    return {"points": dict(zip(chosen, parts))}


class OpenLoop:
    """Threads t = 0..threads-1 running self._run(t) from start() until stop(), each
    appending to self.records[t]; request g is due at self.t0 + g / rate."""
    lead = 0.2   # seconds from start() to t0

    def __init__(self, port, voting, rate, threads, timeout):
        self.port, self.voting, self.rate, self.threads, self.timeout = port, voting, rate, threads, timeout
        self.records = [[] for _ in range(threads)]
        self.stopping = threading.Event()
        self.pool = []

    def start(self):
        self.t0 = now() + self.lead
        self.pool = run_threads(self.threads, self._run, daemon=True)
        return self

    def stop(self):
        self.stopping.set()
        for t in self.pool:
            t.join()
        return self.results()

    def results(self):
        return sorted((r for rs in self.records for r in rs), key=lambda r: r.sent)


class BallotLoad(OpenLoop):
    """Open-loop ballots: request g is due at t0 + g / rate, sent by thread g mod threads
    on its keep-alive connection (a thread that falls behind sends at once), as member
    g mod len(members). With len(members) a multiple of threads, each member is always
    served by the same thread, so one member's ballots never overlap and acknowledged
    versions rise one by one. Runs until stop()."""

    def __init__(self, port, voting, rate=200.0, threads=16, seed=42, timeout=10.0, label="ballot"):
        if len(voting.members) % threads:
            raise ValueError("members must be a multiple of threads")
        super().__init__(port, voting, rate, threads, timeout)
        self.seed, self.label = seed, label

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


class ReadLoad(OpenLoop):
    """Open-loop reads of GET /v1/rounds/{id}/ranking as members (one query for the
    token, two for the round and its snapshot), at `rate` a second on `threads`
    keep-alive connections. Runs until stop()."""
    lead = 0.1

    def __init__(self, port, voting, rate=40.0, threads=4, timeout=10.0):
        super().__init__(port, voting, rate, threads, timeout)

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
    """psql -c QUERY on the database at url (or another one), rows split at tabs."""

    def __init__(self, psql, url):
        self.psql, self.url = psql, url

    def rows(self, query, url=None, stdin=None):
        out = subprocess.run([self.psql, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              "-d", url or self.url, "-c", query],
                             input=stdin, check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def value(self, query, url=None):
        rows = self.rows(query, url)
        return rows[0][0] if rows else None

    def name(self):
        """The database's name."""
        return urllib.parse.urlsplit(self.url).path.lstrip("/")

    def with_database(self, name):
        """Our URL with another database name."""
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))


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


def wait_no_sessions(db, timeout=5):
    """service_sessions() once they are (0, 0, 0), or as they are after timeout seconds."""
    deadline = now() + timeout
    while True:
        sessions = service_sessions(db)
        if sessions == (0, 0, 0) or now() > deadline:
            return sessions
        time.sleep(0.1)


def ballot_counts(db, round_id):
    """(current ballots, the bench_members numbers n of the members holding them,
    ballot_history rows, current ballots whose version differs from their history rows)."""
    current = int(db.value(f"SELECT count(*) FROM ballots WHERE round_id = '{round_id}' AND content IS NOT NULL"))
    holders = {int(r[0]) for r in db.rows(f"""
        SELECT bm.n FROM ballots b JOIN bench_members bm ON bm.id = b.member_id
         WHERE b.round_id = '{round_id}' AND b.content IS NOT NULL""")}
    history = int(db.value(f"SELECT count(*) FROM ballot_history WHERE round_id = '{round_id}'"))
    gaps = int(db.value(f"""
        SELECT count(*) FROM ballots b
         WHERE b.round_id = '{round_id}'
           AND b.version <> (SELECT count(*) FROM ballot_history h
                              WHERE h.round_id = b.round_id AND h.member_id = b.member_id)"""))
    return current, holders, history, gaps


# --- CPU, from /proc ----------------------------------------------------------------------

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


def postgres_cpu(postmaster_pid):
    """CPU seconds of the PostgreSQL cluster: the postmaster and all its children."""
    total = 0.0
    pm = proc_stat(postmaster_pid)
    if pm:
        total += pm[1] + pm[2]  # its own time and that of the children it reaped
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            s = proc_stat(int(entry))
            if s and s[0] == postmaster_pid:
                total += s[1]
    return total


def cpu_snapshot(pids, postmaster_pid):
    """CPU seconds so far: the machine's (busy, irq), the PostgreSQL cluster's (postgres),
    and each named process's ({name: pid}; pid 0 or a gone process counts 0)."""
    busy, irq = machine_busy()
    snap = {"busy": busy, "irq": irq, "postgres": postgres_cpu(postmaster_pid) if postmaster_pid else 0.0}
    for name, pid in pids.items():
        s = proc_stat(int(pid)) if int(pid) else None
        snap[name] = s[1] if s else 0.0
    return snap


def log_cpu_table(cpu_rows):
    """Prints the CPU of each run [(label, what `ingest.py measure` wrote)] in cores."""
    if not cpu_rows:
        return
    cores = cpu_rows[0][1]["cores"]
    log("")
    log(f"CPU while each run lasted (seconds of CPU per second of load; {cores} cores = {cores:.1f}):")
    log(f"{'run':>21} | {'werkstatt':>9} {'postgres':>9} {'client':>7} {'irq':>5} {'other':>7} {'machine':>8} "
        f"| load avg after")
    for label, u in cpu_rows:
        w = u["wall"]
        other = max(0.0, u["machine"] - u["irq"] - u["werkstatt"] - u["postgres"] - u["client"])
        log(f"{label:>21} | {u['werkstatt'] / w:>9.2f} {u['postgres'] / w:>9.2f} "
            f"{u['client'] / w:>7.2f} {u['irq'] / w:>5.2f} {other / w:>7.2f} {u['machine'] / w:>8.2f} | {u['load']}")
    log("  client = wrk or pgbench; irq = interrupts and softirqs (mostly loopback TCP, ours included);\n"
        "  other = every other process on the machine (other users' work, kernel threads);\n"
        "  werkstatt includes its aggregation worker; wrk runs are measured over the load, not the drain")


# --- what bench/ingest.lua writes -----------------------------------------------------------


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            out[key] = value
    return out


def read_wrk(run_dir):
    """(summary.txt as a dict, [per thread: issued, ok, clean, sent {member: times}])."""
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


def wrk_members(threads, upper, lower):
    """Adds to `upper` every member the wrk threads sent, to `lower` those certainly
    answered 2xx (all of a clean thread's; of another, those sent more often than it had
    requests without a 2xx). Returns the threads that were not clean, [(index, thread)]."""
    unclean = []
    for t, th in enumerate(threads):
        upper.update(th["sent"])
        if th["clean"]:
            lower.update(th["sent"])
        else:
            unclean.append((t, th))
            slack = th["issued"] - th["ok"]
            lower.update(m for m, n in th["sent"].items() if n > slack)
    return unclean


def read_pgbench(path):
    """pgbench's report: tps, latency average (ms), transactions processed and failed."""
    text = open(path).read()

    def grab(pattern, cast=float):
        m = re.search(pattern, text)
        return cast(m.group(1)) if m else None
    return {"tps": grab(r"tps = ([\d.]+)"), "latency": grab(r"latency average = ([\d.]+) ms"),
            "processed": grab(r"actually processed: (\d+)", int),
            "failed": grab(r"number of failed transactions: (\d+)", int) or 0}


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


def finish(what, failures, ok_text="passed"):
    """Prints the failures and 'WHAT: FAILED' (returns 1), or 'WHAT: OK_TEXT' (returns 0)."""
    if failures:
        for f in failures:
            log(f"  FAILED: {f}")
        log(f"{what}: FAILED")
        return 1
    log(f"{what}: {ok_text}")
    return 0


def loss_failures(exact, upper, lower, holders, current, history, total_ok, total_issued, gaps):
    """Zero loss after a wrk run (see wrk_members, ballot_counts): the members holding a
    current ballot are exactly those with a 2xx (exact) or within the bounds, and the
    history rows match the 2xx answers and the requests issued."""
    failures = []
    if exact:
        if current != len(upper) or holders != upper:
            failures.append(f"current ballots {current} != distinct members with a 2xx {len(upper)} "
                            f"(in the database only: {len(holders - upper)}, acknowledged only: {len(upper - holders)})")
    else:
        if not lower <= holders:
            failures.append(f"{len(lower - holders)} members certainly acknowledged have no current ballot")
        if not holders <= upper:
            failures.append(f"{len(holders - upper)} members have a current ballot but were never sent")
    if history < total_ok:
        failures.append(f"ballot_history {history} < 2xx answers {total_ok}: acknowledged ballots are missing")
    if history > total_issued:
        failures.append(f"ballot_history {history} > requests issued {total_issued}: ballots nobody sent")
    if exact and history != total_ok:
        failures.append(f"ballot_history {history} != 2xx answers {total_ok} although every request was answered 2xx")
    if gaps:
        failures.append(f"{gaps} ballots whose version does not match their history")
    return failures


def check_wrk_ballots(db, round_id, run_dirs):
    """The zero-loss check after wrk runs of bench/ingest.lua on one round (each run's
    directory in run_dirs): prints what it compares and returns (failures, exact)."""
    upper, lower, unclean = set(), set(), []
    total_ok = total_issued = 0
    for run_dir in run_dirs:
        summary, threads = read_wrk(run_dir)
        total_ok += int(summary["ok"])
        total_issued += int(summary["issued"])
        unclean += [f"{os.path.basename(run_dir)}, thread {t}: {th['issued']} issued, {th['ok']} 2xx"
                    for t, th in wrk_members(threads, upper, lower)]
    current, holders, history, gaps = ballot_counts(db, round_id)
    exact = not unclean and lower == upper
    if exact:
        log(f"  every request wrk issued was answered 2xx, so the members with a 2xx are exactly "
            f"the members sent: {len(upper)}")
    else:
        log(f"  not every request was answered 2xx ({'; '.join(unclean)}), so the members with a 2xx "
            f"are known only within bounds: at least {len(lower)}, at most {len(upper)}")
    log(f"  current ballots (content IS NOT NULL): {current}")
    log(f"  ballot_history rows: {history}; 2xx responses: {total_ok}; requests issued: {total_issued}")
    log(f"  current ballots whose version differs from their number of history rows: {gaps}")
    return loss_failures(exact, upper, lower, holders, current, history, total_ok, total_issued, gaps), exact


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
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
