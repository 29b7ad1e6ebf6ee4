#!/usr/bin/env bash
# bench/http.sh: what a request costs the server, per path, against what HTTP alone costs
# it (`GET /health/live`) and what PostgreSQL alone does with a ballot (issue 14).
#
# Against a throwaway PostgreSQL cluster (deploy/with-test-db.sh; or $DATABASE_URL if set),
# it migrates and starts `werkstatt serve --with-worker` (release build, LOG_LEVEL=warning,
# rate limits out of the way) on a free port, and sets up (bench/http_cost.py setup) a
# workshop with 60 theses and 30 recommendations, BENCH_MEMBERS members with tokens
# (COPY), an open dot round for wrk's ballots, one for pgbench, and a closed one that
# 1 000 members voted in through the API, whose final snapshot the worker has written.
# Then, for each connection count c in BENCH_CONNECTIONS, each run for BENCH_DURATION s
# under bench/ingest.py measure (CPU of werkstatt, PostgreSQL, the client, the machine,
# from /proc):
#   wrk -t 2 -c c --latency -s bench/http.lua, one run per path:
#       live      GET /health/live (no token: what HTTP costs in this server)
#       workshop  GET /v1/workshops/{id}
#       theses    GET /v1/workshops/{id}/theses?limit=50 (a full page of 50)
#       ranking   GET /v1/rounds/{id}/ranking (the closed round's final snapshot)
#     each authenticated read as the members in turn (a different token each request);
#   ballots  wrk -t min(c,4) -c c -s bench/ingest.lua: PUT /v1/rounds/{id}/ballot as the
#            members in turn, each a valid dot ballot, then BENCH_DRAIN s in which nothing
#            new is sent and what is in flight is answered, so every request's fate is known;
#   pgbench  -c c -j 2 -M prepared: bench/http-pgbench-upsert.sql (the plain single-row
#            upsert, the goal's reference), then bench/ingest-pgbench.sql (the service's own
#            statement, one ballot a commit), each in the pgbench round;
# and waits for the worker to catch up before the next connection count.
#   BENCH_PERF=S   then profiles the server with `perf record -g` for S seconds during one
#            more run of a read (BENCH_PERF_READ: live, workshop (default), theses, ranking) at
#            the first connection count: the top symbols and where the samples fall (kernel,
#            libswiftCore, NIO, PostgresNIO, Werkstatt code, …); BENCH_PERF_KEEP=FILE keeps
#            the perf.data there (for `perf report -i FILE -G` and the like).
#   BENCH_SOAK=S   then S seconds of steady mixed load: wrk -c 4 paced reads (workshop,
#            thesis page, ranking in turn) beside wrk -c 4 paced ballots, the server's RSS
#            sampled every 10 s (start, end, max are printed; issue 14 asks for 300 s).
# Finally bench/http_cost.py report prints a table per path, the ballots against pgbench,
# the ratios issue 14's goals ask for and the CPU split, and checks every acknowledged
# ballot (soak included) against the database (exit 1 if the check fails); then the machine.
# The server and the cluster are stopped at the end, whatever happens.
#
#   make bench-http                                 (builds the release binary first)
#   WERKSTATT_BIN=path/to/werkstatt bench/http.sh   (BENCH_PERF=10 BENCH_SOAK=300 …)
#
# Settings: BENCH_CONNECTIONS ("32 128"), BENCH_DURATION (10), BENCH_DRAIN (3),
# BENCH_MEMBERS (20000), BENCH_PERF (0: off), BENCH_SOAK (0: off), BENCH_SOAK_PACE_MS (20:
# each soak connection's pause before a request). Needs wrk (`make bench-tools`), pgbench,
# and perf for BENCH_PERF.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

connections=${BENCH_CONNECTIONS:-32 128}
duration=${BENCH_DURATION:-10}
drain=${BENCH_DRAIN:-3}
members=${BENCH_MEMBERS:-20000}
perf_seconds=${BENCH_PERF:-0}
perf_read=${BENCH_PERF_READ:-workshop}
soak=${BENCH_SOAK:-0}
pace=${BENCH_SOAK_PACE_MS:-20}

bench_need wrk wrk
if (( perf_seconds > 0 )); then bench_need perf linux-perf; fi
bench_prepare "$@"   # bin, psql, work
bench_pgbench_prepare "$connections"   # pgbench
postmaster=$(bench_postmaster_pid)
started=$SECONDS

echo "== werkstatt serve --with-worker (LOG_LEVEL=${LOG_LEVEL:-warning}), rate limits out of the way"
bench_serve_api --with-worker --rate-limit 1000000 --address-rate-limit 1000000   # port, admin
server=${bench_pids[server]}
url="http://127.0.0.1:$port"

echo "== setting up: 60 theses, 30 recommendations, $members members, three dot rounds"
bench_run python3 "$here/http_cost.py" setup --base-url "$url" --admin-token "$admin" --psql "$psql" \
    --workdir "$work" --members "$members"
# shellcheck disable=SC1091
source "$work/setup.env"   # WORKSHOP ROUND PG_ROUND PG_CONTENT PG_ENTRIES PATH_LIVE PATH_WORKSHOP PATH_THESES PATH_RANKING

# measure OUT-NAME [--window S] -- CMD…: CMD under bench/ingest.py measure.
measure() {
    local name=$1; shift
    bench_run python3 "$here/ingest.py" measure --out "$work/cpu-$name.json" \
        --server-pid "$server" --postmaster-pid "$postmaster" "$@"
}

# read_run NAME C PATH TOKENS [SECONDS]: wrk GETs of PATH on C connections (tokens.txt or none).
read_run() {
    HTTP_PATHS=$3 HTTP_TOKENS=$4 HTTP_OUT=$work/$1-$2.txt \
        measure "$1-$2" -- wrk -t 2 -c "$2" -d "${5:-$duration}s" --timeout 10s --latency -s "$here/http.lua" "$url" \
        >"$work/wrk-$1-$2.log"
    grep -F 'status >= 400' "$work/wrk-$1-$2.log" || true
}

pgbench_run() {   # KIND SCRIPT C
    measure "pgbench-$1-$3" -- "$pgbench" -c "$3" -j 2 -T "$duration" -n -M prepared -f "$2" \
        -D round="$PG_ROUND" -D workshop="$WORKSHOP" -D content="$PG_CONTENT" -D entries="$PG_ENTRIES" \
        -D members="$members" "$DATABASE_URL" >"$work/pgbench-$1-$3.txt"
    echo "  $(grep -E '^tps' "$work/pgbench-$1-$3.txt" | head -n 1)"
}

export INGEST_DIR=$work INGEST_ROUND=$ROUND
run_index=0
for c in $connections; do
    run_index=$(( run_index + 1 ))
    for name in live workshop theses ranking; do
        path_var=PATH_${name^^}
        tokens=$work/tokens.txt
        [[ $name == live ]] && tokens=""
        echo
        echo "== $name: GET ${!path_var}, wrk -c $c -t 2, ${duration} s (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
        read_run "$name" "$c" "${!path_var}" "$tokens"
        bench_alive server || exit 1
    done

    threads=$(( c < 4 ? c : 4 ))
    mkdir -p "$work/ballots-$c"
    echo
    echo "== ballots: PUT /v1/rounds/$ROUND/ballot, wrk -c $c -t $threads, ${duration} s + ${drain} s drain (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    INGEST_OUT=$work/ballots-$c INGEST_THREADS=$threads INGEST_BASE=$(( run_index * 7919 )) INGEST_DURATION=$duration \
        measure "ballots-$c" --window "$duration" -- \
        wrk -t "$threads" -c "$c" -d "$(( duration + drain ))s" --timeout 10s --latency -s "$here/ingest.lua" "$url" \
        >"$work/wrk-ballots-$c.log"
    grep '^ingest:' "$work/wrk-ballots-$c.log" | sed 's/^/  /'
    bench_alive server || exit 1

    echo
    echo "== pgbench: plain single-row upsert, then the service's statement, $c clients, ${duration} s each (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    pgbench_run upsert "$here/http-pgbench-upsert.sql" "$c"
    pgbench_run statement "$here/ingest-pgbench.sql" "$c"
    bench_run python3 "$here/http_cost.py" settle --psql "$psql" --round "$ROUND" "$PG_ROUND"
done
first=${connections%% *}

if (( perf_seconds > 0 )); then
    path_var=PATH_${perf_read^^}
    tokens=$work/tokens.txt
    [[ $perf_read == live ]] && tokens=""
    echo
    echo "== perf: the server during GET ${!path_var} at $first connections, ${perf_seconds} s"
    HTTP_PATHS=${!path_var} HTTP_TOKENS=$tokens HTTP_OUT=$work/perf-run.txt \
        wrk -t 2 -c "$first" -d "$(( perf_seconds + 2 ))s" --timeout 10s -s "$here/http.lua" "$url" >"$work/wrk-perf.log" &
    wrk_perf=$!
    sleep 1
    perf record -q -g -o "$work/perf.data" -p "$server" -- sleep "$perf_seconds" 2>"$work/perf-record.log" || true
    wait "$wrk_perf" || true
    grep -F 'status >= 400' "$work/wrk-perf.log" || true
    if [[ -s $work/perf.data ]]; then
        perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null \
            | grep -E '^ +[0-9.]+%' | head -n 30 >"$work/perf-top.txt" || true
        echo "top 30 symbols (self time):"
        { swift demangle <"$work/perf-top.txt" 2>/dev/null || cat "$work/perf-top.txt"; } | cut -c1-180 | sed "s/[[:space:]]*$//"
        perf report -i "$work/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null >"$work/perf-dso.txt" || true
        python3 "$here/http_cost.py" perf-split "$work/perf-dso.txt"
        if [[ -n ${BENCH_PERF_KEEP:-} ]]; then cp "$work/perf.data" "$BENCH_PERF_KEEP"; fi
    else
        echo "perf recorded nothing:"; sed 's/^/  /' "$work/perf-record.log"
    fi
fi

if (( soak > 0 )); then
    echo
    echo "== soak: ${soak} s of paced reads (wrk -c 4) and ballots (wrk -c 4), RSS every 10 s (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
    mkdir -p "$work/soak-ballots"
    HTTP_PATHS="$PATH_WORKSHOP $PATH_THESES $PATH_RANKING" HTTP_TOKENS=$work/tokens.txt HTTP_OUT=$work/soak-reads.txt \
    HTTP_PACE_MS=$pace bench_start soak-reads wrk -t 1 -c 4 -d "${soak}s" --timeout 10s --latency -s "$here/http.lua" "$url" \
        >"$work/soak-reads.log" 2>&1
    INGEST_OUT=$work/soak-ballots INGEST_THREADS=1 INGEST_BASE=$(( (run_index + 1) * 7919 )) INGEST_DURATION=$soak \
    INGEST_PACE_MS=$pace bench_start soak-ballots wrk -t 1 -c 4 -d "$(( soak + drain ))s" --timeout 10s --latency \
        -s "$here/ingest.lua" "$url" >"$work/soak-ballots.log" 2>&1
    : >"$work/rss.txt"
    for (( t = 0; t <= soak; t += 10 )); do
        echo "$t $(bench_rss "$server")" >>"$work/rss.txt"
        if (( t + 10 <= soak )); then sleep 10; fi
    done
    wait "${bench_pids[soak-reads]}" "${bench_pids[soak-ballots]}" || true
    unset 'bench_pids[soak-reads]' 'bench_pids[soak-ballots]'
    bench_alive server || exit 1
fi

status=0
bench_run python3 "$here/http_cost.py" report --workdir "$work" --psql "$psql" --round "$ROUND" \
    --connections "$(tr ' ' ',' <<<"$connections")" --soak "$soak" || status=$?
bench_stop server
bench_server_log "$work/server.log"
echo
echo "bench-http took $(( SECONDS - started )) s (set-up included)"
bench_machine
exit "$status"
