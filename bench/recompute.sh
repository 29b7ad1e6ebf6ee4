#!/usr/bin/env bash
# bench/recompute.sh: how long the aggregation worker takes to recompute a big round.
#
# Against a throwaway PostgreSQL cluster (deploy/with-test-db.sh; or $DATABASE_URL if
# set, which then keeps the generated rows), it migrates, generates with SQL one workshop
# with BENCH_ITEMS recommendations, BENCH_MEMBERS members and one open round per method
# (dot, approval, score, ranking), each with a ballot of every member (bench/recompute.sql),
# then runs `werkstatt worker --once` (release build) BENCH_RUNS times, marking every
# round dirty again between runs, and prints the median per method.
#
#   make bench-recompute              (builds the release binary first)
#   bench/recompute.sh                (WERKSTATT_BIN=path/to/werkstatt to pick the binary)
#
# Settings: BENCH_MEMBERS (100000), BENCH_ITEMS (50), BENCH_RUNS (3), BENCH_SEED (0.42),
# BENCH_TARGET_MS (2000: the total a recomputation of BENCH_MEMBERS ballots should stay under).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

members=${BENCH_MEMBERS:-100000}
items=${BENCH_ITEMS:-50}
runs=${BENCH_RUNS:-3}
seed=${BENCH_SEED:-0.42}
target_ms=${BENCH_TARGET_MS:-2000}

bench_prepare "$@"   # bin, psql, work

# The worker is quiet below warning; its timing lines go to stdout.
export LOG_LEVEL=${LOG_LEVEL:-warning}
echo "== werkstatt migrate"
"$bin" migrate

tag=bench-$(date +%s)-$$
echo "== generating $members members and 4 x $members ballots (tag $tag)"
start=$SECONDS
"$psql" -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -v tag="$tag" -v members="$members" \
    -v items="$items" -v seed="$seed" -f "$here/recompute.sql"
echo "  generated in $(( SECONDS - start )) s"

# round id -> method, for reading the worker's output.
bench_sql -F ' ' -c "SELECT id, method FROM rounds WHERE workshop_id = md5('$tag' || '-workshop')::uuid ORDER BY seq" \
    > "$work/rounds"

for (( run = 1; run <= runs; run++ )); do
    if (( run > 1 )); then
        # Dirty again: what one new ballot does to a round.
        bench_sql -c "INSERT INTO round_changes (round_id)
                SELECT id FROM rounds WHERE workshop_id = md5('$tag' || '-workshop')::uuid ORDER BY seq"
    fi
    echo "== run $run: werkstatt worker --once"
    "$bin" worker --once | tee "$work/run-$run"
done

echo
status=0
python3 - "$work" "$runs" "$members" "$target_ms" <<'EOF' || status=$?
import re, statistics, sys
work, runs, members, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
methods = dict(line.split() for line in open(f"{work}/rounds"))
line_re = re.compile(r"round ([0-9a-f-]{36}): (\d+) ballots, load ([\d.]+) ms, count ([\d.]+) ms, total ([\d.]+) ms")
seen = {m: [] for m in methods.values()}
for run in range(1, runs + 1):
    for line in open(f"{work}/run-{run}"):
        m = line_re.search(line)
        if m and m.group(1) in methods:
            seen[methods[m.group(1)]].append(
                (int(m.group(2)), float(m.group(3)), float(m.group(4)), float(m.group(5))))
failed = False
print(f"median of {runs} runs, {members} members, one ballot each:")
print(f"{'method':<10} {'ballots':>8} {'load ms':>9} {'count ms':>9} {'total ms':>9}   totals of the runs")
for method in ["dot", "approval", "score", "ranking"]:
    rows = seen.get(method, [])
    if len(rows) != runs:
        print(f"{method:<10} computed {len(rows)} times instead of {runs}")
        failed = True
        continue
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    if any(r[0] != members for r in rows):
        failed = True
    print(f"{method:<10} {int(med[0]):>8} {med[1]:>9.1f} {med[2]:>9.1f} {med[3]:>9.1f}   "
          + ", ".join(f"{r[3]:.1f}" for r in rows))
    if med[3] >= target:
        print(f"{'':<10} ^ over the target of {target:.0f} ms")
        failed = True
print(f"target: total < {target:.0f} ms for {members} ballots: {'FAILED' if failed else 'met'}")
sys.exit(1 if failed else 0)
EOF
echo
bench_machine
exit "$status"
