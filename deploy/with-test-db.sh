#!/usr/bin/env bash
# with-test-db.sh CMD [ARGS...]
#
# Runs CMD with DATABASE_URL pointing at a throwaway PostgreSQL cluster in a
# fresh .werkstatt/test-XXXXXX, destroys the cluster afterwards whatever
# happens (success, failure, Ctrl-C, TERM), and exits with CMD's status.
# If DATABASE_URL is already set, CMD simply runs against that database.
# Used by `make test` and the benchmark targets.
set -euo pipefail

[[ $# -gt 0 ]] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }

if [[ -n ${DATABASE_URL:-} ]]; then
    exec "$@"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
mkdir -p "$top/.werkstatt"
dir=$(mktemp -d "$top/.werkstatt/test-XXXXXX")
# mktemp makes it 700; as root the server runs as `postgres`, which must be
# able to enter it (local-postgres.sh falls back to /tmp where it can't).
chmod 755 "$dir"

child=""
# shellcheck disable=SC2317  # (functions below are only called from traps)
# Quiet: when our output is a pipe whose reader has gone (Ctrl-C on `… | tee`), a
# message would fail and leave the cluster behind.
cleanup() { "$here/local-postgres.sh" destroy "$dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# CMD runs in the background so these traps fire at once instead of after CMD
# ends. Background children of a script ignore SIGINT, so forward TERM
# (`timeout` passes it on to the whole test process group).
# shellcheck disable=SC2317
on_signal() {
    if [[ -n $child ]]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" || true
    fi
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

DATABASE_URL=$("$here/local-postgres.sh" start "$dir")
export DATABASE_URL
# Shown without the password (it is in $dir/password): CI logs are often public.
shown=$DATABASE_URL
if [[ $shown =~ ^([a-z]+://[^:@/]+):[^@/]*@(.*)$ ]]; then
    shown="${BASH_REMATCH[1]}@${BASH_REMATCH[2]} (password in $dir/password)"
fi
echo "with-test-db: DATABASE_URL=$shown" >&2

"$@" </dev/null &
child=$!
rc=0
wait "$child" || rc=$?
child=""
exit "$rc"
