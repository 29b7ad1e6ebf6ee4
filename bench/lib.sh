# shellcheck shell=bash
# What the benchmark and fault-injection scripts share; source it (bash, set -euo pipefail).
#
#   bench_bin      path of the release werkstatt binary ($WERKSTATT_BIN, else .build-bench)
#   bench_psql     path of psql (the newest /usr/lib/postgresql/*/bin, else $PATH)
#   bench_pgbench_prepare COUNTS   sets pgbench (beside $psql, else $PATH; exits 1 if there
#                  is none) and exits 1 unless max_connections has room for the largest of
#                  COUNTS (pgbench clients) beside one service's pool and a few for psql
#   bench_machine  prints the machine: CPU, cores, RAM, PostgreSQL and Swift versions
#                  (and the load average: set BENCH_LOAD_START at the start of a run)
#   bench_need TOOL PACKAGE   exits 1, saying what to install, when TOOL is missing
#   bench_prepare "$@"        sets bin; re-runs the script under deploy/with-test-db.sh (a
#                  throwaway cluster) when DATABASE_URL is unset; exports BENCH_LOAD_START;
#                  sets psql and work (a temporary directory) and bench_traps
#   bench_traps    on exit, whatever happens: stops what bench_run, bench_top_start and
#                  bench_start started, calls bench_cleanup_hook if the script defines
#                  it, and removes $work; INT, TERM and HUP exit 130, 143 and 129
#   bench_sql ARGS...         psql -X -q -At -v ON_ERROR_STOP=1 on $DATABASE_URL
#   bench_start NAME CMD...   CMD in the background, its pid in bench_pids[NAME]
#   bench_stop NAME           TERM, up to 10 s, then KILL; forgets NAME
#   bench_alive NAME...       fails, with the last lines of $work/NAME.log, if one has exited
#   bench_run CMD...          CMD in the background, waited for (so the traps fire at once)
#   bench_top_start S N FILE  a `top` snapshot (N lines) after S seconds, into FILE
#   bench_top_wait            waits for it
#   bench_free_port           a free TCP port on 127.0.0.1
#   bench_postmaster_pid      the PostgreSQL postmaster's pid (0 if unknown)
#   bench_need_connections N WHO   exits 1 if max_connections < N, which WHO need
#   bench_server_log FILE     prints the last 20 lines of a server log, if it has any
#   bench_rss PID             the resident memory of a process in MiB (VmRSS, from /proc)
#   bench_serve_api [ARGS…]   see below

bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
declare -A bench_pids=()
bench_child=""
bench_topjob=""
work=""

bench_bin() {
    local bin=${WERKSTATT_BIN:-$bench_top/.build-bench/release/werkstatt}
    if [[ ! -x $bin ]]; then
        echo "bench: no release binary at $bin; build it with:" >&2
        echo "  swift build -c release --product werkstatt --scratch-path .build-bench" >&2
        return 1
    fi
    printf '%s\n' "$bin"
}

bench_psql() {
    local p best="" best_major=0 major
    for p in /usr/lib/postgresql/*/bin/psql; do
        [[ -x $p ]] || continue
        major=${p#/usr/lib/postgresql/}; major=${major%%/*}
        [[ $major =~ ^[0-9]+$ ]] && (( major > best_major )) && { best=$p; best_major=$major; }
    done
    if [[ -n $best ]]; then printf '%s\n' "$best"; else command -v psql; fi
}

bench_pool=40   # PostgresClient's maximumConnections (DatabaseURL.configuration)

bench_pgbench_prepare() {
    local c max=0
    pgbench=$(dirname "$psql")/pgbench
    if [[ ! -x $pgbench ]]; then
        pgbench=$(command -v pgbench) || { echo "bench: pgbench is missing; it comes with PostgreSQL (apt-get install postgresql)" >&2; exit 1; }
    fi
    for c in $1; do (( c > max )) && max=$c; done
    bench_need_connections $(( max + bench_pool + 5 )) \
        "pgbench's $max clients, the service's pool of $bench_pool and a few for psql"
}

bench_machine() {
    local cpu cores mem pg swift
    cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
    cores=$(nproc)
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    pg=$("$(bench_psql)" -X -At -d "$DATABASE_URL" -c 'SHOW server_version' 2>/dev/null || echo unknown)
    swift=$(swift --version 2>/dev/null | head -n 1 || echo unknown)
    echo "machine:"
    echo "  CPU         ${cpu:-unknown} ($(uname -m))"
    echo "  cores       $cores"
    echo "  load avg    at start ${BENCH_LOAD_START:-?}, at end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
    echo "  RAM         $mem"
    echo "  PostgreSQL  $pg (shared_buffers $("$(bench_psql)" -X -At -d "$DATABASE_URL" -c 'SHOW shared_buffers' 2>/dev/null || echo ?), fsync $("$(bench_psql)" -X -At -d "$DATABASE_URL" -c 'SHOW fsync' 2>/dev/null || echo ?))"
    echo "  Swift       $swift"
    echo "  kernel      $(uname -sr)"
}

bench_need() {
    command -v "$1" >/dev/null && return 0
    echo "bench: $1 is missing; install it (apt-get install $2; \`make bench-tools\` does that as root)" >&2
    exit 1
}

bench_prepare() {
    bin=$(bench_bin) || exit 1
    if [[ -z ${DATABASE_URL:-} ]]; then
        # Re-run the script with DATABASE_URL set to a cluster destroyed afterwards.
        exec "$bench_top/deploy/with-test-db.sh" "$0" "$@"
    fi
    export BENCH_LOAD_START=${BENCH_LOAD_START:-$(cut -d' ' -f1-3 /proc/loadavg)}
    psql=$(bench_psql)
    work=$(mktemp -d)
    bench_traps
}

# shellcheck disable=SC2317  # (called from traps)
bench_cleanup() {
    local name
    if [[ -n $bench_child ]]; then kill -TERM "$bench_child" 2>/dev/null || true; wait "$bench_child" 2>/dev/null || true; fi
    if [[ -n $bench_topjob ]]; then kill -TERM "$bench_topjob" 2>/dev/null || true; wait "$bench_topjob" 2>/dev/null || true; fi
    for name in "${!bench_pids[@]}"; do bench_stop "$name"; done
    if declare -F bench_cleanup_hook >/dev/null; then bench_cleanup_hook; fi
    if [[ -n $work ]]; then rm -rf -- "$work"; fi
}

bench_traps() {
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

bench_sql() { "$psql" -X -q -At -v ON_ERROR_STOP=1 -d "$DATABASE_URL" "$@"; }

bench_start() {
    "${@:2}" &
    bench_pids[$1]=$!
}

bench_stop() {
    local name=$1 pid=${bench_pids[$1]:-}
    [[ -n $pid ]] || return 0
    if kill -TERM "$pid" 2>/dev/null; then
        # Graceful shutdown first; KILL if it hangs.
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "bench_pids[$name]"
}

bench_alive() {
    local name ok=0
    for name in "$@"; do
        if ! kill -0 "${bench_pids[$name]}" 2>/dev/null; then
            echo "bench: $name exited; the last lines of its log:" >&2
            tail -n 20 "$work/$name.log" | sed 's/^/  /' >&2
            ok=1
        fi
    done
    return "$ok"
}

bench_run() {
    local status=0
    "$@" &
    bench_child=$!
    wait "$bench_child" || status=$?
    bench_child=""
    return "$status"
}

bench_top_start() {
    ( sleep "$1"; top -b -n 2 -d 1 -w 160 | awk '/^top -/ { n++ } n == 2' | head -n "$2" >"$3" ) &
    bench_topjob=$!
}

bench_top_wait() {
    wait "$bench_topjob" 2>/dev/null || true
    bench_topjob=""
}

bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_postmaster_pid() {
    head -n 1 "$(bench_sql -c 'SHOW data_directory')/postmaster.pid" 2>/dev/null || echo 0
}

bench_need_connections() {
    local have
    have=$(bench_sql -c 'SHOW max_connections')
    if (( have < $1 )); then
        echo "bench: max_connections is $have; $2 need $1" >&2
        exit 1
    fi
}

bench_server_log() {
    [[ -s $1 ]] || return 0
    echo
    echo "server log ($(wc -l <"$1") lines; the last 20):"
    tail -n 20 "$1" | sed 's/^/  /'
}

bench_rss() {
    awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status"
}

# Migrates, starts `werkstatt serve` (without the worker; ARGS are added to its options,
# e.g. --with-worker) on a free port and waits until it is ready; sets `port` and `admin`
# (an admin token) and defines `api TOKEN CURL-ARGS…` for JSON requests. The server's log
# is $work/server.log, its pid ${bench_pids[server]}; it is stopped on exit.
bench_serve_api() {
    export LOG_LEVEL=${LOG_LEVEL:-warning}
    "$bin" migrate >/dev/null
    port=$(bench_free_port)
    bench_start server "$bin" serve --host 127.0.0.1 --port "$port" --metrics-port 0 "$@" </dev/null >"$work/server.log" 2>&1
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
    # shellcheck disable=SC2034  # (used by the sourcing script)
    admin=$("$bin" token create --admin --label bench 2>/dev/null)
    # shellcheck disable=SC2317  # (called by the sourcing script)
    api() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }
}
