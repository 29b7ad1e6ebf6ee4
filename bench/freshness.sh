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
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

bench_prepare "$@"   # bin, psql, work

export LOG_LEVEL=${LOG_LEVEL:-warning}
echo "== werkstatt migrate"
"$bin" migrate
BENCH_ADMIN_TOKEN=$("$bin" token create --admin --label bench-freshness)
export BENCH_ADMIN_TOKEN

port=$(bench_free_port)
echo "== werkstatt serve --port $port --with-worker (LOG_LEVEL=$LOG_LEVEL)"
bench_start server "$bin" serve --host 127.0.0.1 --port "$port" --with-worker --address-rate-limit 1000000 \
    </dev/null >"$work/server.log" 2>&1

status=0
bench_run python3 "$here/freshness.py" --base-url "http://127.0.0.1:$port" --psql "$psql" "$@" || status=$?
bench_alive server || status=1
bench_stop server
# What the server said at warning level and above (it should say nothing).
bench_server_log "$work/server.log"
echo
bench_machine
exit "$status"
