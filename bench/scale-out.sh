#!/usr/bin/env bash
# bench/scale-out.sh: the service scaled out — two API processes and two workers on one
# database — takes ballots from both APIs at once, loses none, and ranks them exactly as a
# single from-scratch computation does.
#
# Against a throwaway PostgreSQL cluster (deploy/with-test-db.sh; or $DATABASE_URL if set,
# whose database must allow CREATE DATABASE … TEMPLATE), it migrates, starts two
# `werkstatt serve --port P --rate-limit 1000000` (no --with-worker; LOG_LEVEL=warning)
# and two `werkstatt worker` (LOG_LEVEL=debug, so each logs its "snapshot written" lines),
# then (bench/scale_out.py):
#   setup   through API a: a workshop in phase voting, 30 recommendations, one open dot
#           round of 5 points; BENCH_MEMBERS members with tokens inserted with COPY (as
#           bench/ingest.py does), each API checked to take the tokens;
#   load    one wrk per API, started together, each -c BENCH_CONNECTIONS -t BENCH_THREADS
#           with bench/ingest.lua: BENCH_DURATION s of load, then BENCH_DRAIN s in which
#           nothing new is sent and the requests in flight are answered, so every request's
#           fate is known. Members are shared: both wrk walk the one member list, API b
#           half a lap behind API a, so every member votes through both processes in turn
#           (a round-robin load balancer does the same) and the two keep replacing each
#           other's ballots; what is checked then includes versions continuing across
#           processes. CPU per process, PostgreSQL and machine over the load, and the
#           connections the services hold (pg_stat_activity, twice a second);
#   report  ballots/s per API and in total, p50/p99, errors; waits until the workers have
#           caught up; check (a): current ballots = distinct members with a 2xx, history
#           rows = 2xx answers, every ballot's version = its history rows;
#   close   closes the round through API a, waits until round_changes is empty and a
#           final (non-provisional) snapshot exists; check (b): it counts the current
#           ballots and its watermark is the highest history id;
# then stops the workers and the APIs, and
#   verify  check (c): both workers logged "snapshot written" lines for the round, those
#           lines are exactly the round's snapshots (matched on ballots and watermark),
#           no state (watermark, digest) was counted twice, the watermark never goes down,
#           exactly one final snapshot, the newest; check (b) from scratch: CREATE
#           DATABASE <db>_scale_out_copy TEMPLATE <db>, a round_changes row for the round
#           in the copy, `werkstatt worker --once` on the copy, and its snapshot's digest,
#           items and ballots against the final one; the copy is dropped.
# Exit 1 if any check fails. Prints the machine. Everything started is stopped at the
# end, whatever happens.
#
#   make bench-scale-out               (builds the release binary first)
#   bench/scale-out.sh                 (WERKSTATT_BIN=path/to/werkstatt to pick the binary)
#
# Settings: BENCH_CONNECTIONS (32, per API), BENCH_THREADS (2, per wrk), BENCH_DURATION (15),
# BENCH_DRAIN (3), BENCH_MEMBERS (20000). Needs wrk (`make bench-tools` installs it as root).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

connections=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
duration=${BENCH_DURATION:-15}
drain=${BENCH_DRAIN:-3}
members=${BENCH_MEMBERS:-20000}
pool=40   # PostgresClient's maximumConnections (DatabaseURL.configuration), per process

bench_need wrk wrk
bench_prepare "$@"   # bin, psql, work
bench_need_connections $(( 4 * pool + 5 )) "two APIs and two workers with pools of up to $pool and a few for psql"
postmaster=$(bench_postmaster_pid)

echo "== werkstatt migrate"
LOG_LEVEL=warning "$bin" migrate
admin=$(LOG_LEVEL=warning "$bin" token create --admin --label bench-scale-out)

declare -A ports=()
for api in a b; do
    # Two calls may hand out the same free port; ask again until they differ.
    while :; do
        port=$(bench_free_port)
        [[ $port != "${ports[a]:-}" ]] && break
    done
    ports[$api]=$port
    echo "== api-$api: werkstatt serve --port $port --rate-limit 1000000 (no worker; LOG_LEVEL=warning)"
    LOG_LEVEL=warning bench_start "api-$api" "$bin" serve --host 127.0.0.1 --port "$port" --rate-limit 1000000 \
        --address-rate-limit 1000000 </dev/null >"$work/api-$api.log" 2>&1
done
for w in 1 2; do
    echo "== worker-$w: werkstatt worker (LOG_LEVEL=debug)"
    LOG_LEVEL=debug bench_start "worker-$w" "$bin" worker </dev/null >"$work/worker-$w.log" 2>&1
done
url_a="http://127.0.0.1:${ports[a]}"
url_b="http://127.0.0.1:${ports[b]}"

echo "== setting up: 30 recommendations, one open dot round, $members members"
bench_run python3 "$here/scale_out.py" setup --api "$url_a" --api "$url_b" --admin-token "$admin" \
    --psql "$psql" --workdir "$work" --members "$members"
# shellcheck disable=SC1091
source "$work/setup.env"   # WORKSHOP ROUND

echo
echo "== load: wrk against api-a and api-b at once, $connections connections and $threads threads each," \
     "${duration} s of load + ${drain} s drain (load avg $(cut -d' ' -f1-3 /proc/loadavg))"
bench_top_start $(( duration / 2 )) 18 "$work/top.txt"
status=0
bench_run python3 "$here/scale_out.py" load --api "a=$url_a" --api "b=$url_b" --psql "$psql" --workdir "$work" --round "$ROUND" \
    --members "$members" --duration "$duration" --drain "$drain" --connections "$connections" --threads "$threads" \
    --pid "api-a=${bench_pids[api-a]}" --pid "api-b=${bench_pids[api-b]}" \
    --pid "worker-1=${bench_pids[worker-1]}" --pid "worker-2=${bench_pids[worker-2]}" --postmaster-pid "$postmaster"
bench_top_wait
for api in a b; do sed "s/^/  api-$api wrk: /" "$work/wrk-$api.txt" | grep -E 'Requests/sec|Latency  |ingest:' || true; done
bench_alive api-a api-b worker-1 worker-2

bench_run python3 "$here/scale_out.py" report --workdir "$work" --psql "$psql" --round "$ROUND" --api a --api b || status=1
bench_run python3 "$here/scale_out.py" close --api "$url_a" --admin-token "$admin" --psql "$psql" --round "$ROUND" || status=1
bench_alive api-a api-b worker-1 worker-2 || status=1

echo
echo "== stopping the workers and the APIs (TERM)"
for name in worker-1 worker-2 api-a api-b; do bench_stop "$name"; done
bench_run python3 "$here/scale_out.py" verify --workdir "$work" --psql "$psql" --round "$ROUND" --bin "$bin" \
    --worker-log "worker-1=$work/worker-1.log" --worker-log "worker-2=$work/worker-2.log" || status=1

if [[ -s $work/top.txt ]]; then
    echo
    echo "top, halfway through the load:"
    sed 's/^/  /' "$work/top.txt"
fi
# What the APIs said at warning level and above (they should say nothing), and what the
# workers said above debug and info.
for name in api-a api-b worker-1 worker-2; do
    lines=$(grep -Ev '^\S+ (debug|info|trace) ' "$work/$name.log" || true)
    if [[ -n $lines ]]; then
        echo
        echo "$name log, warnings and worse ($(wc -l <<<"$lines") lines; the last 10):"
        tail -n 10 <<<"$lines" | cut -c1-400 | sed 's/^/  /'
    fi
done
echo
echo "worker logs: $(wc -l <"$work/worker-1.log") and $(wc -l <"$work/worker-2.log") lines at debug level"
echo
bench_machine
echo
if (( status == 0 )); then echo "scale-out: all checks passed"; else echo "scale-out: FAILED"; fi
exit "$status"
