#!/usr/bin/env bash
# bench/faults/run.sh: fault-injection scenarios against a release build of werkstatt.
#
#   make faults                                  (builds the release binary first, runs all)
#   bench/faults/run.sh [SCENARIO ...] [-- OPTIONS]
#       SCENARIO: db-outage, worker-kill, api-kill, graceful, token-cache (default: all five, in that order)
#       OPTIONS go to every scenario's python script (e.g. -- --rate 100)
#   WERKSTATT_BIN=path/to/werkstatt to pick the binary (default .build-bench/release/werkstatt;
#                 it is copied first, so a rebuild meanwhile does not disturb the run)
#   FAULTS_KEEP=1       keep the cluster of a failed scenario for inspection (the script
#                       says how to remove it); process logs stay in /tmp/werkstatt-faults-*
#   FAULTS_LOG_LEVEL=debug   log level of the werkstatt processes (default info)
#   FAULTS_PG_LOG_ALL=1 PostgreSQL logs every statement with its parameters (forensics)
#
# Every scenario gets its own throwaway PostgreSQL cluster in .werkstatt/test-faults-XXXXXX
# (deploy/local-postgres.sh; `make clean` also removes ones a killed run left behind),
# a migrated database and an admin token, and runs bench/faults/<scenario>.py, which
# starts and kills the werkstatt processes itself and prints its checks. The cluster is
# destroyed afterwards, whatever happens. $DATABASE_URL is ignored: db-outage stops the
# database server, which must be one of our own.
#
# Exit status: 0 when every check of every scenario passed, 1 otherwise (every scenario
# is run even when an earlier one failed), 2 on a usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=bench/lib.sh
source "$top/bench/lib.sh"

all=(db-outage worker-kill api-kill graceful token-cache)
scenarios=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --) shift; break ;;
        db-outage|worker-kill|api-kill|graceful|token-cache) scenarios+=("$1"); shift ;;
        all) scenarios+=("${all[@]}"); shift ;;
        *) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    esac
done
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=("${all[@]}")
options=("$@")

psql=$(bench_psql)
# A private copy of the binary: another build in .build-bench may replace it meanwhile.
work=$(mktemp -d)
cp "$(bench_bin)" "$work/werkstatt"
bin=$work/werkstatt
echo "faults: binary $(bench_bin) built $(date -u -r "$(bench_bin)" '+%F %T UTC'), sha256 $(sha256sum "$bin" | cut -c1-12);" \
     "tree at $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$top" diff --quiet HEAD -- Sources sql 2>/dev/null || echo ' (Sources/sql modified)')"
unset DATABASE_URL
export BENCH_LOAD_START=${BENCH_LOAD_START:-$(cut -d' ' -f1-3 /proc/loadavg)}
mkdir -p "$top/.werkstatt"

dir=""
# After bench_traps has stopped the scenario's driver (which kills the processes it
# started when it gets TERM): the scenario's cluster.
# shellcheck disable=SC2317  # (called from traps)
bench_cleanup_hook() {
    if [[ -n $dir ]]; then
        "$top/deploy/local-postgres.sh" destroy "$dir" >/dev/null 2>&1 || true
        dir=""
    fi
}
bench_traps

# run_scenario NAME: one scenario on its own cluster; returns its exit status.
# (Called in an `if`, where set -e is off: every step is checked by hand.)
run_scenario() {
    local name=$1 status=0
    dir=$(mktemp -d "$top/.werkstatt/test-faults-XXXXXX") || return 1
    # As root the server runs as `postgres`, which must be able to enter it.
    chmod 755 "$dir"
    DATABASE_URL=$("$top/deploy/local-postgres.sh" start "$dir") || return 1
    export DATABASE_URL
    echo "faults: $name on $DATABASE_URL (cluster $dir)"
    if [[ -n ${FAULTS_PG_LOG_ALL:-} ]]; then
        "$psql" -X -q -d "$DATABASE_URL" -c "ALTER SYSTEM SET log_statement = 'all'" \
            -c "ALTER SYSTEM SET log_line_prefix = '%m [%p] %c %x '" -c "SELECT pg_reload_conf()" >/dev/null || return 1
    fi
    LOG_LEVEL=warning "$bin" migrate >/dev/null || return 1
    FAULTS_ADMIN_TOKEN=$("$bin" token create --admin --label "faults-$name") || return 1
    export FAULTS_ADMIN_TOKEN FAULTS_PG_DIR=$dir WERKSTATT_BIN=$bin FAULTS_PSQL=$psql
    bench_run python3 "$here/$name.py" ${options[@]+"${options[@]}"} </dev/null || status=$?
    if [[ $status -ne 0 && -n ${FAULTS_KEEP:-} ]]; then
        "$top/deploy/local-postgres.sh" stop "$dir" >/dev/null 2>&1 || true
        echo "faults: kept the cluster in $dir (log: $dir/cluster/postgres.log);"
        echo "        start it with deploy/local-postgres.sh start $dir, remove it with deploy/local-postgres.sh destroy $dir"
    else
        "$top/deploy/local-postgres.sh" destroy "$dir" >/dev/null 2>&1 || true
    fi
    dir=""
    return "$status"
}

declare -A result
failed=0
for name in "${scenarios[@]}"; do
    echo
    echo "================ $name ================"
    if run_scenario "$name"; then
        result[$name]=passed
    else
        result[$name]="FAILED (exit $?)"
        failed=1
    fi
done

echo
echo "summary:"
for name in "${scenarios[@]}"; do
    printf '  %-12s %s\n' "$name" "${result[$name]}"
done
echo
DATABASE_URL="" bench_machine 2>/dev/null | grep -v PostgreSQL || true
echo "  PostgreSQL  $("$psql" --version | sed 's/^psql (PostgreSQL) //')"
exit "$failed"
