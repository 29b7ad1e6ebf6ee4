#!/usr/bin/env bash
# bench/ingest.sh: how many ballots a second the service takes, against what PostgreSQL
# alone does with the same statement.
#
# Against a throwaway PostgreSQL cluster (deploy/with-test-db.sh; or $DATABASE_URL if set),
# it migrates, starts `werkstatt serve --with-worker --rate-limit 1000000` (release build,
# LOG_LEVEL=warning) on a free port, and sets up (bench/ingest.py setup) a workshop in phase
# voting with 30 recommendations and two open dot rounds of 5 points, one for the service
# and one for pgbench, and BENCH_MEMBERS members with tokens (inserted with COPY, checked
# on GET /v1/workshops). Then, for each connection count in BENCH_CONNECTIONS:
#   wrk      -t min(c,4) -c c --latency -s bench/ingest.lua: PUT /v1/rounds/{id}/ballot as
#            the members in turn, each with a valid dot ballot, for BENCH_DURATION seconds,
#            then BENCH_DRAIN seconds in which nothing new is sent and the requests in
#            flight are answered (so every request's fate is known; see bench/ingest.lua);
#   pgbench  -c c -j 2 -T BENCH_DURATION -n -M prepared -f bench/ingest-pgbench.sql: the
#            statement that writes ballots (BallotWriter, behind RoundRepository.cast) for
#            one random member per transaction, and nothing else (the service batches
#            the ballots arriving together into one such statement, so it can beat this);
# each under bench/ingest.py measure, which records the CPU spent by werkstatt, PostgreSQL,
# the client and the rest of the machine. The server (and its worker) run throughout, so
# both see the same background work. Finally bench/ingest.py report prints the table and
# checks the service round against the database (exit 1 if the check fails), and the
# machine is printed. The server and the cluster are stopped at the end, whatever happens.
#
#   make bench-ingest                 (builds the release binary first)
#   bench/ingest.sh                   (WERKSTATT_BIN=path/to/werkstatt to pick the binary)
#
# Settings: BENCH_CONNECTIONS ("8 32 128"), BENCH_DURATION (20), BENCH_DRAIN (3),
# BENCH_MEMBERS (20000). Needs wrk (`make bench-tools` installs it as root) and pgbench.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

connections=${BENCH_CONNECTIONS:-8 32 128}
duration=${BENCH_DURATION:-20}
drain=${BENCH_DRAIN:-3}
members=${BENCH_MEMBERS:-20000}
bench_need wrk wrk
bench_prepare "$@"   # bin, psql, work
bench_pgbench_prepare "$connections"   # pgbench
postmaster=$(bench_postmaster_pid)

export LOG_LEVEL=${LOG_LEVEL:-warning}
echo "== werkstatt migrate"
"$bin" migrate
admin=$("$bin" token create --admin --label bench-ingest)

port=$(bench_free_port)
url="http://127.0.0.1:$port"
echo "== werkstatt serve --port $port --with-worker --rate-limit 1000000 (LOG_LEVEL=$LOG_LEVEL)"
bench_start server "$bin" serve --host 127.0.0.1 --port "$port" --with-worker --rate-limit 1000000 --address-rate-limit 1000000 \
    </dev/null >"$work/server.log" 2>&1
server=${bench_pids[server]}

echo "== setting up: 30 recommendations, two open dot rounds, $members members"
bench_run python3 "$here/ingest.py" setup --base-url "$url" --admin-token "$admin" --psql "$psql" \
    --workdir "$work" --members "$members"
# shellcheck disable=SC1091
source "$work/setup.env"   # WORKSHOP ROUND PG_ROUND PG_CONTENT PG_ENTRIES

export INGEST_DIR=$work INGEST_ROUND=$ROUND INGEST_DURATION=$duration
run_index=0
for c in $connections; do
    threads=$(( c < 4 ? c : 4 ))
    run_index=$(( run_index + 1 ))
    out=$work/wrk-$c
    mkdir -p "$out"
    echo
    echo "== wrk: $c connections, $threads threads, ${duration} s of load + ${drain} s drain (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    # A top snapshot from the middle of the run, for the record.
    bench_top_start $(( duration / 2 )) 16 "$work/top-$c.txt"
    INGEST_OUT=$out INGEST_THREADS=$threads INGEST_BASE=$(( run_index * 7919 )) \
        bench_run python3 "$here/ingest.py" measure --out "$work/cpu-wrk-$c.json" --window "$duration" \
            --server-pid "$server" --postmaster-pid "$postmaster" -- \
            wrk -t "$threads" -c "$c" -d "$(( duration + drain ))s" --timeout 10s --latency \
                -s "$here/ingest.lua" "$url"
    bench_top_wait
    bench_alive server || exit 1

    echo
    echo "== pgbench: $c clients, 2 threads, ${duration} s (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    bench_run python3 "$here/ingest.py" measure --out "$work/cpu-pgbench-$c.json" \
        --server-pid "$server" --postmaster-pid "$postmaster" -- \
        "$pgbench" -c "$c" -j 2 -T "$duration" -n -M prepared -f "$here/ingest-pgbench.sql" \
            -D round="$PG_ROUND" -D content="$PG_CONTENT" \
            -D entries="$PG_ENTRIES" -D members="$members" "$DATABASE_URL" \
        >"$work/pgbench-$c.txt"
    sed 's/^/  /' "$work/pgbench-$c.txt"
done

status=0
bench_run python3 "$here/ingest.py" report --workdir "$work" --psql "$psql" --round "$ROUND" \
    --pg-round "$PG_ROUND" --connections "$(tr ' ' ',' <<<"$connections")" || status=$?

last=${connections##* }
if [[ -s $work/top-$last.txt ]]; then
    echo
    echo "top, halfway through the wrk run with $last connections:"
    sed 's/^/  /' "$work/top-$last.txt"
fi
bench_stop server
# What the server said at warning level and above (it should say nothing).
bench_server_log "$work/server.log"
echo
bench_machine
exit "$status"
