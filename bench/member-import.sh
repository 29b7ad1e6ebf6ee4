#!/usr/bin/env bash
# bench/member-import.sh: one bulk member import of BENCH_ROWS rows over HTTP.
#
# Against a throwaway PostgreSQL cluster (deploy/with-test-db.sh; or $DATABASE_URL), it
# migrates, starts `werkstatt serve` (release build), creates a workshop and a moderator,
# and posts BENCH_RUNS CSV files of BENCH_ROWS members each (every row with an e-mail
# address and one of 200 organisations, created by the first import) to
# POST /v1/workshops/{id}/members:import, each into a workshop of its own. It prints the
# time of each request as curl measured it, and checks that every row came back with a token.
#
#   make bench-member-import          (builds the release binary first)
#
# Settings: BENCH_ROWS (5000), BENCH_RUNS (3). The request deadline is 4.5 s.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

rows=${BENCH_ROWS:-5000}
runs=${BENCH_RUNS:-3}

bench_prepare "$@"   # bin, work

bench_serve_api   # migrate; serve on $port (log $work/server.log); $admin; api TOKEN CURL-ARGS…

PYTHONPATH=$here python3 - "$rows" >"$work/members.csv" <<'PY'
import sys
from benchlib import GROUPS
rows = int(sys.argv[1])
print("display_name,role,organisation,stakeholder_group,email")
for i in range(rows):
    org = i % 200
    print(f"Teilnehmende {i},participant,Betrieb {org} GmbH,{GROUPS[org % 8]},person{i}@example.org")
PY
echo "== $rows rows, $(wc -c <"$work/members.csv") bytes; serve on :$port (release build)"
for (( run = 1; run <= runs; run++ )); do
    w=$(api "$admin" -X POST "http://127.0.0.1:$port/v1/workshops" -d "{\"slug\":\"import-$run-$$\",\"title\":\"Import $run\"}" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    timing=$(curl -s -o "$work/tokens.csv" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $admin" \
        -H 'Content-Type: text/csv' --data-binary @"$work/members.csv" \
        "http://127.0.0.1:$port/v1/workshops/$w/members:import?create_organisations=true")
    read -r status seconds <<<"$timing"
    tokens=$(( $(wc -l <"$work/tokens.csv") - 1 ))
    echo "run $run: HTTP $status, $(python3 -c "print(round($seconds * 1000))") ms, $tokens members with tokens"
    [[ $status == 201 && $tokens == "$rows" ]] || { echo "bench: the import failed" >&2; tail -5 "$work/server.log" >&2; exit 1; }
done
bench_machine
