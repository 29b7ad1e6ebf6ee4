#!/usr/bin/env bash
# bench/freshness.sh: how fresh the ranking stays under 1000 ballots per second.
#
# Against a throwaway PostgreSQL cluster (deploy/with-test-db.sh; or $DATABASE_URL if
# set), it migrates, creates an admin token, starts `werkstatt serve --with-worker`
# (release build) on a free port, and runs bench/freshness.py, which sets up a voting
# workshop through the HTTP API, drives PUT /v1/rounds/{id}/ballot and reports the
# freshness of the ranking. The server and the cluster are stopped at the end, whatever
# happens.
#
#   make bench-freshness              (builds the release binary first)
#   bench/freshness.sh [freshness.py options: --rate 1000 --duration 30 --threads 32 ...]
#                                     (WERKSTATT_BIN=path/to/werkstatt to pick the binary)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

bin=$(bench_bin)
if [[ -z ${DATABASE_URL:-} ]]; then
    # Re-run this script with DATABASE_URL set to a cluster destroyed afterwards.
    exec "$top/deploy/with-test-db.sh" "${BASH_SOURCE[0]}" "$@"
fi
export BENCH_LOAD_START=${BENCH_LOAD_START:-$(cut -d' ' -f1-3 /proc/loadavg)}
psql=$(bench_psql)
work=$(mktemp -d)
server=""
driver=""

# shellcheck disable=SC2317  # (called from traps)
stop_server() {
    [[ -n $server ]] || return 0
    if kill -TERM "$server" 2>/dev/null; then
        # Graceful shutdown first; KILL if it hangs.
        for _ in $(seq 100); do
            kill -0 "$server" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server" 2>/dev/null || true
    fi
    wait "$server" 2>/dev/null || true
    server=""
}
# shellcheck disable=SC2317
cleanup() {
    if [[ -n $driver ]]; then kill -TERM "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; fi
    stop_server
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

export LOG_LEVEL=${LOG_LEVEL:-warning}
echo "== werkstatt migrate"
"$bin" migrate
BENCH_ADMIN_TOKEN=$("$bin" token create --admin --label bench-freshness)
export BENCH_ADMIN_TOKEN

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== werkstatt serve --port $port --with-worker (LOG_LEVEL=$LOG_LEVEL)"
"$bin" serve --host 127.0.0.1 --port "$port" --with-worker --address-rate-limit 1000000 </dev/null >"$work/server.log" 2>&1 &
server=$!

# In the background, so that the traps above fire at once on a signal.
python3 "$here/freshness.py" --base-url "http://127.0.0.1:$port" --psql "$psql" "$@" &
driver=$!
status=0
wait "$driver" || status=$?
driver=""

if ! kill -0 "$server" 2>/dev/null; then
    echo "bench: the server exited during the run" >&2
    status=1
fi
stop_server
# What the server said at warning level and above (it should say nothing).
if [[ -s $work/server.log ]]; then
    echo
    echo "server log ($(wc -l <"$work/server.log") lines; the last 20):"
    tail -n 20 "$work/server.log" | sed 's/^/  /'
fi
echo
bench_machine
exit "$status"
