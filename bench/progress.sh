#!/usr/bin/env bash
# bench/progress.sh: "as of" and the progress report of a large implementation list, over HTTP.
#
# Against a throwaway PostgreSQL cluster (deploy/with-test-db.sh; or $DATABASE_URL), it
# migrates, starts `werkstatt serve` (release build), creates a workshop through the API
# and fills it in SQL with BENCH_ITEMS recommendations (each on the implementation list),
# ten measures per item in two levels (two at the top, four below each), and a history of
# ten recorded states per item and measure spread over 2017–2019 (BENCH_ITEMS × 110 rows).
# Then it times, BENCH_RUNS times each, as curl measures them:
#   GET …/implementation-list?as_of=2018-06-30                       (JSON)
#   GET …/implementation-list?from=2018-01-01&to=2018-12-31&format=html&lang=de
#   GET …/implementation-list?from=2018-01-01&to=2018-12-31&format=csv
# and prints min, median and max of each.
#
#   make bench-progress               (builds the release binary first)
#
# Settings: BENCH_ITEMS (500: 5,000 measures, 55,000 history rows), BENCH_RUNS (10).
# BENCH_PERF=csv|html then profiles the server (`perf record -g`) during 20 more requests
# of that report and prints the top symbols; BENCH_PERF_KEEP=FILE keeps the perf.data.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

items=${BENCH_ITEMS:-500}
runs=${BENCH_RUNS:-10}

bench_prepare "$@"   # bin, work

bench_serve_api   # migrate; serve on $port (log $work/server.log); $admin; api TOKEN CURL-ARGS…
w=$(api "$admin" -X POST "http://127.0.0.1:$port/v1/workshops" -d "{\"slug\":\"progress-$$\",\"title\":\"Fortschritt\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

started=$SECONDS
bench_sql -v w="$w" -v n="$items" <<'SQL'
INSERT INTO working_groups (workshop_id, code, title)
SELECT :'w', 'AK ' || g, 'Arbeitskreis ' || g FROM generate_series(1, 5) g;
INSERT INTO recommendations (workshop_id, code, title, body, working_group_id, lead, created_at)
SELECT :'w', 'R' || lpad(i::text, 4, '0'), 'Empfehlung ' || i, '',
       (SELECT id FROM working_groups WHERE workshop_id = :'w' AND code = 'AK ' || (1 + i % 5)),
       ARRAY['Amt ' || (i % 17), 'Verband ' || (i % 5)], '2017-01-01'
  FROM generate_series(1, :n) i;
-- Ten measures per item: two at the top, four under each.
INSERT INTO measures (workshop_id, item_id, title, weight, created_at)
SELECT :'w', i.id, 'Maßnahme ' || t, CASE WHEN t = 1 THEN 2 END, '2017-03-15'
  FROM implementation_items i, generate_series(1, 2) t WHERE i.workshop_id = :'w';
INSERT INTO measures (workshop_id, item_id, parent_id, title, milestones, created_at)
SELECT :'w', m.item_id, m.id, m.title || '.' || s,
       jsonb_build_array(jsonb_build_object('title', 'Meilenstein', 'due', (date '2017-06-30' + s * 120)::text)),
       '2017-03-15'
  FROM measures m, generate_series(1, 4) s WHERE m.workshop_id = :'w' AND m.parent_id IS NULL;
-- Ten recorded states per item and measure, every quarter from 2017-06-30 on.
INSERT INTO implementation_history (workshop_id, item_id, entity_id, kind, action, changed, state, at)
SELECT :'w', i.id, i.id, 'item', 'update', ARRAY['review_due'],
       jsonb_build_object('lead', to_jsonb(r.lead), 'timeframe', NULL, 'status', 'in_progress', 'status_explicit', false,
                          'progress', 0, 'review_due', (date '2017-09-30' + q * 91)::text, 'milestones', '[]'::jsonb,
                          'archived', false),
       timestamptz '2017-06-30 12:00Z' + q * interval '91 days'
  FROM implementation_items i JOIN recommendations r ON r.id = i.recommendation_id, generate_series(0, 9) q
 WHERE i.workshop_id = :'w';
INSERT INTO implementation_history (workshop_id, item_id, entity_id, kind, action, changed, state, at)
SELECT :'w', m.item_id, m.id, 'measure', CASE WHEN q = 0 THEN 'create' ELSE 'update' END, ARRAY['progress'],
       jsonb_build_object('parent_id', m.parent_id, 'title', m.title, 'lead', '[]'::jsonb, 'timeframe', NULL,
                          'status', CASE WHEN q = 9 THEN 'done' WHEN q = 0 THEN 'planned' ELSE 'in_progress' END,
                          'status_explicit', false, 'progress', LEAST(100, q * 11 + (hashtext(m.id::text) & 7)),
                          'weight', m.weight, 'review_due', NULL, 'milestones', m.milestones, 'archived', false),
       timestamptz '2017-06-30 12:00Z' + q * interval '91 days' + interval '1 hour'
  FROM measures m, generate_series(0, 9) q WHERE m.workshop_id = :'w';
ANALYZE;
SQL
counts=$(bench_sql -c "SELECT (SELECT count(*) FROM implementation_items WHERE workshop_id = '$w'),
                              (SELECT count(*) FROM measures WHERE workshop_id = '$w'),
                              (SELECT count(*) FROM implementation_history WHERE workshop_id = '$w')")
IFS='|' read -r n_items n_measures n_history <<<"$counts"
echo "== $n_items items, $n_measures measures, $n_history history rows (built in $((SECONDS - started)) s); serve on :$port (release build)"

time_get() {   # label path: BENCH_RUNS requests, then min / median / max in ms
    local label=$1 path=$2 times=() status seconds
    curl -s -o "$work/first.out" -H "Authorization: Bearer $admin" "http://127.0.0.1:$port$path"   # warm-up
    for (( run = 1; run <= runs; run++ )); do
        read -r status seconds < <(curl -s -o "$work/out" -w '%{http_code} %{time_total}\n' \
            -H "Authorization: Bearer $admin" "http://127.0.0.1:$port$path")
        [[ $status == 200 ]] || { echo "bench: $label answered $status" >&2; head -c 500 "$work/out" >&2; exit 1; }
        times+=("$seconds")
    done
    python3 - "$label" "$(wc -c <"$work/out")" "${times[@]}" <<'PY'
import statistics, sys
label, size, times = sys.argv[1], int(sys.argv[2]), sorted(float(t) * 1000 for t in sys.argv[3:])
print(f"{label:<34} min {times[0]:7.1f} ms   median {statistics.median(times):7.1f} ms   max {times[-1]:7.1f} ms   ({size} bytes)")
PY
}
list="/v1/workshops/$w/implementation-list"
time_get "as_of=2018-06-30 (json)" "$list?as_of=2018-06-30"
time_get "list now (json)" "$list"
time_get "progress report 2018 (html, de)" "$list?from=2018-01-01&to=2018-12-31&format=html&lang=de"
time_get "progress report 2018 (csv)" "$list?from=2018-01-01&to=2018-12-31&format=csv"
if [[ -n ${BENCH_PERF:-} ]]; then
    bench_need perf linux-perf
    report="$list?from=2018-01-01&to=2018-12-31&format=$BENCH_PERF&lang=de"
    perf record -q -g -o "$work/perf.data" -p "${bench_pids[server]}" 2>"$work/perf-record.log" &
    recorder=$!
    sleep 0.5
    for (( run = 1; run <= 20; run++ )); do
        curl -sf -o /dev/null -H "Authorization: Bearer $admin" "http://127.0.0.1:$port$report"
    done
    kill -INT "$recorder"; wait "$recorder" || true
    echo "== perf: the server during 20 progress reports ($BENCH_PERF); top 40 symbols (self time)"
    perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 40 \
        | { swift demangle 2>/dev/null || cat; } | cut -c1-200 | sed "s/[[:space:]]*$//" || true
    if [[ -n ${BENCH_PERF_KEEP:-} ]]; then cp "$work/perf.data" "$BENCH_PERF_KEEP"; fi
fi
bench_machine
