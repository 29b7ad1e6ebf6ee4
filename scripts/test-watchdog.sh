#!/usr/bin/env bash
# test-watchdog.sh SECONDS [ARGS...]
#
# Runs `swift test --verbose ARGS...` and passes its output through. If it has not
# ended after SECONDS, says what was still going on before stopping it, so that a
# hang in CI (where only the end of the output is kept) names its test:
#   - every thread's stack, when gdb is installed,
#   - what PostgreSQL was doing ($DATABASE_URL: sessions, waits and locks),
#   - last, so the end of the output holds them: the tests that started and never finished.
# Then it stops the tests (TERM, and KILL 30 s later) and exits 124,
# as timeout(1) does. Otherwise it exits with swift test's status.
set -euo pipefail

[[ $# -ge 1 && $1 =~ ^[0-9]+$ ]] || { echo "usage: $0 SECONDS [swift test ARGS...]" >&2; exit 2; }
limit=$1
shift

log=$(mktemp "${TMPDIR:-/tmp}/werkstatt-test-XXXXXX.log")
trap 'rm -f "$log"' EXIT

# Its own process group, so that stopping it stops the test binary too. Line-buffered:
# into a file the tests' output is otherwise only written when they end, or never.
set -m
stdbuf -oL -eL swift test --verbose "$@" >"$log" 2>&1 &
tests=$!
set +m
tail -n +1 -f --pid="$tests" "$log" &
shown=$!

deadline=$((SECONDS + limit))
while kill -0 "$tests" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 1
done

if ! kill -0 "$tests" 2>/dev/null; then
    rc=0
    wait "$tests" || rc=$?
    wait "$shown" || true
    exit "$rc"
fi

sleep 1  # let tail show what came last
kill "$shown" 2>/dev/null || true
{
    echo
    echo "test-watchdog: swift test has not ended after ${limit} s."
    if command -v gdb >/dev/null; then
        binary=$(pgrep -P "$tests" -f xctest || pgrep -f 'PackageTests.xctest' || true)
        for pid in $binary; do
            echo "test-watchdog: threads of $pid:"
            timeout 120 gdb -p "$pid" -batch -ex 'set pagination off' -ex 'thread apply all bt 12' 2>/dev/null \
                | grep -E '^(Thread|#)' | cut -c1-240 || true
        done
    fi
    if [[ -n ${DATABASE_URL:-} ]] && command -v psql >/dev/null; then
        echo "test-watchdog: PostgreSQL sessions that are not idle, and who waits for whom:"
        psql "$DATABASE_URL" -X -q -P pager=off -c "
            SELECT pid, datname, state, wait_event_type || ':' || wait_event AS waits,
                   pg_blocking_pids(pid) AS blocked_by, now() - xact_start AS in_transaction,
                   left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS query
              FROM pg_stat_activity
             WHERE backend_type = 'client backend' AND state <> 'idle' AND pid <> pg_backend_pid()
             ORDER BY xact_start" 2>&1 || true
    fi
    echo "test-watchdog: tests that started and never finished:"
    # "◇ Test "…" (aka '…') started." against "✔/✘/↷ Test "…" (aka '…') passed/failed/skipped…".
    grep -E '^◇ Test .* started\.$' "$log" | grep -v '^◇ Test run started' \
        | sed -E 's/^◇ (.*) started\.$/\1/' | sort -u >"$log.started" || true
    grep -E '^(✔|✘|↷) Test .* (passed|failed|skipped)' "$log" \
        | sed -E 's/^(✔|✘|↷) (Test .*) (passed|failed|skipped).*$/\2/' | sort -u >"$log.ended" || true
    comm -23 "$log.started" "$log.ended" | sed 's/^/    /'
    rm -f "$log.started" "$log.ended"
} >&2

# TERM, not INT: started in the background by a script (deploy/with-test-db.sh), the
# tests ignore SIGINT.
kill -TERM -- "-$tests" 2>/dev/null || true
for _ in $(seq 30); do kill -0 "$tests" 2>/dev/null || break; sleep 1; done
kill -KILL -- "-$tests" 2>/dev/null || true
wait "$tests" 2>/dev/null || true
echo "test-watchdog: stopped the tests after ${limit} s" >&2
exit 124
