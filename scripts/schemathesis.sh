#!/usr/bin/env bash
# scripts/schemathesis.sh: fuzzes the HTTP API against its own OpenAPI document.
#
# On a throwaway PostgreSQL cluster (deploy/with-test-db.sh; always a fresh one, never
# $DATABASE_URL: the fuzzer writes junk), it migrates, loads the demo workshops, creates
# an admin token, a moderator and a participant of the demo workshop
# "strategiewerkstatt-sachsen" (through the API), opens an approval and a ranking round
# for ballots, starts `werkstatt serve --with-worker --rate-limit 100000` (release build)
# on a free port and runs `schemathesis run http://127.0.0.1:PORT/openapi.yaml` (the
# document the server serves) once per caller: the participant, the admin, and no token
# (the participant first, so the admin's phase moves and round closes don't take its
# data away). Every phase (examples, coverage, fuzzing, stateful), every check, a fixed
# seed. Exits non-zero if any run fails or the server crashed; the server is restarted
# after a crash so that one crash doesn't hide everything else.
#
#   make test-api-fuzz                    (bounded: --max-examples 20, about a minute;
#                                          builds the release binary first)
#   make fuzz                             (longer: --max-examples 200, about three minutes)
#   scripts/schemathesis.sh [--max-examples N] [extra schemathesis run args]
#       e.g. --seed 7, --include-operation-id castBallot, --phases fuzzing, --workers 4
#       (given after the defaults, so they win)
#
# Settings (environment):
#   WERKSTATT_BIN          the werkstatt binary (default .build-bench/release/werkstatt)
#   FUZZ_CALLERS           which runs, in order (default "participant admin anonymous";
#                          "moderator" is possible too)
#   SCHEMATHESIS_VERSION   pinned, so a seed means the same inputs everywhere (4.32.5)
#
# schemathesis lives in a virtualenv in .werkstatt/venv (git-ignored), made with
# `python3 -m venv` and reused. Reports (JUnit XML per run), the server's log and the
# generated schemathesis.toml stay in .werkstatt/schemathesis/<time>/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
source "$top/bench/lib.sh"

version=${SCHEMATHESIS_VERSION:-4.32.5}
venv=$top/.werkstatt/venv
st=$venv/bin/schemathesis

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

max_examples=20
extra=()
while (( $# )); do
    case $1 in
        -h|--help) usage; exit 0 ;;
        --max-examples) [[ $# -ge 2 ]] || { echo "$0: --max-examples needs a number" >&2; exit 2; }
                        max_examples=$2; shift 2 ;;
        --max-examples=*) max_examples=${1#*=}; shift ;;
        *) extra+=("$1"); shift ;;
    esac
done
[[ $max_examples =~ ^[1-9][0-9]*$ ]] || { echo "$0: --max-examples must be a positive whole number" >&2; exit 2; }

# --- outside the cluster: binary and schemathesis, then re-run inside with-test-db.sh ---

if [[ -z ${WERKSTATT_FUZZ_INNER:-} ]]; then
    bench_bin >/dev/null
    if [[ ! -x $st ]] || [[ $("$st" --version 2>/dev/null) != *" $version" ]]; then
        echo "== installing schemathesis $version into ${venv#"$top"/}"
        if [[ ! -x $venv/bin/python ]] && ! python3 -m venv "$venv"; then
            rm -rf "$venv"
            # Debian ships venv's pip bootstrap separately; we may be root in CI.
            (( EUID == 0 )) || { echo "$0: python3 -m venv failed; run: apt-get install python3-venv" >&2; exit 1; }
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            python3 -m venv "$venv"
        fi
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version"
    fi
    # Never the caller's DATABASE_URL: always a fresh cluster, destroyed afterwards.
    exec env -u DATABASE_URL WERKSTATT_FUZZ_INNER=1 "$top/deploy/with-test-db.sh" \
        "${BASH_SOURCE[0]}" --max-examples "$max_examples" "${extra[@]}"
fi
[[ -n ${DATABASE_URL:-} ]] || { echo "$0: no DATABASE_URL inside with-test-db.sh" >&2; exit 1; }

# --- inside: set up, serve, fuzz ---

bin=$(bench_bin)
out=$top/.werkstatt/schemathesis/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
# Keep the reports of the last ten runs.
find "$top/.werkstatt/schemathesis" -mindepth 1 -maxdepth 1 -type d -name '20*Z' | sort | head -n -10 \
    | while read -r old; do rm -rf -- "$old"; done
serve_loop=""
driver=""
stop_file=$out/.stop

# shellcheck disable=SC2317  # (called from traps)
stop_server() {
    [[ -n $serve_loop ]] || return 0
    touch "$stop_file"
    local pid
    pid=$(cat "$out/server.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$serve_loop" 2>/dev/null || true
    serve_loop=""
}
# shellcheck disable=SC2317
cleanup() {
    if [[ -n $driver ]]; then kill -TERM "$driver" 2>/dev/null || true; wait "$driver" 2>/dev/null || true; fi
    stop_server
    rm -f "$out"/.token-*   # (their cluster is gone anyway)
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

export LOG_LEVEL=${LOG_LEVEL:-warning}
# Hypothesis keeps a Unicode table cache; in .werkstatt, not in the working tree.
export HYPOTHESIS_STORAGE_DIRECTORY=$top/.werkstatt/hypothesis
echo "== werkstatt migrate, werkstatt demo"
"$bin" migrate >/dev/null
"$bin" demo
admin=$("$bin" token create --admin --label schemathesis)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
echo "== werkstatt serve --port $port --with-worker --rate-limit 100000 --address-rate-limit 100000 (log: ${out#"$top"/}/server.log)"
# A loop, so that the next run finds a server again after a crash; every exit is logged.
(
    while [[ ! -e $stop_file ]]; do
        "$bin" serve --host 127.0.0.1 --port "$port" --with-worker --rate-limit 100000 --address-rate-limit 100000 \
            </dev/null >>"$out/server.log" 2>&1 &
        echo $! >"$out/server.pid"
        rc=0; wait $! || rc=$?
        [[ -e $stop_file ]] && break
        echo "schemathesis.sh: the server exited with status $rc at $(date -u +%H:%M:%S); restarting" >>"$out/server.log"
        sleep 0.2
    done
) &
serve_loop=$!
ready() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base/health/ready" 2>/dev/null; }
for _ in $(seq 150); do
    ready && break
    sleep 0.2
done
ready || { echo "$0: the server did not become ready" >&2; tail -n 20 "$out/server.log" >&2; exit 1; }

# Members, open rounds and the ids the fuzzer should use (schemathesis.toml), via the API.
echo "== members and rounds of strategiewerkstatt-sachsen; writing ${out#"$top"/}/schemathesis.toml"
ADMIN_TOKEN=$admin BASE_URL=$base OUT=$out python3 - <<'PY'
import json, os, urllib.request

base, out, admin = os.environ["BASE_URL"], os.environ["OUT"], os.environ["ADMIN_TOKEN"]

def api(method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r) if r.status != 204 else None

workshops = api("GET", "/v1/workshops?limit=500", admin)["items"]
sachsen = next(w for w in workshops if w["slug"] == "strategiewerkstatt-sachsen")
W = sachsen["id"]
moderator = api("POST", f"/v1/workshops/{W}/members", admin,
                {"display_name": "Schemathesis Moderation", "role": "moderator", "stakeholder_group": "administration"})
participant = api("POST", f"/v1/workshops/{W}/members", moderator["token"],
                  {"display_name": "Schemathesis Teilnahme", "role": "participant", "stakeholder_group": "union"})
for name, token in [("admin", admin), ("moderator", moderator["token"]), ("participant", participant["token"])]:
    with open(os.path.join(out, f".token-{name}"), "w") as f:
        f.write(token)

def ids(path, limit=8, key="id"):
    return [x[key] for x in api("GET", f"{path}{'&' if '?' in path else '?'}limit={limit}", admin)["items"]]

if sachsen["phase"] != "voting":
    api("POST", f"/v1/workshops/{W}/phase", moderator["token"], {"phase": "voting"})
recommendations = ids(f"/v1/workshops/{W}/recommendations", 500)
rounds = []
for method in ["approval", "ranking"]:
    r = api("POST", f"/v1/workshops/{W}/rounds", moderator["token"],
            {"title": f"Schemathesis {method}", "method": method})
    api("POST", f"/v1/rounds/{r['id']}/open", moderator["token"])
    rounds.append(r["id"])
rounds += [r for r in ids(f"/v1/workshops/{W}/rounds", 50) if r not in rounds]
theses = ids(f"/v1/workshops/{W}/theses")
comments = [c for t in theses[:3] for c in ids(f"/v1/theses/{t}/comments", 3)]
comments += [c for r in recommendations[:3] for c in ids(f"/v1/recommendations/{r}/comments", 3)]
page = api("GET", f"/v1/workshops/{W}/theses?limit=2", admin)
items = [i["id"] for i in api("GET", f"/v1/workshops/{W}/implementation-list", admin)["items"]][:8]
members = ids(f"/v1/workshops/{W}/members", 6)
dictionaries = {
    "workshop_ids": [W],
    "thesis_ids": theses,
    "recommendation_ids": recommendations[:12],
    "round_ids": rounds,
    "comment_ids": comments or theses,   # (should the demo have no comments: ids that are no comment's)
    "item_ids": items,
    "working_group_ids": ids(f"/v1/workshops/{W}/working-groups"),
    "event_ids": ids(f"/v1/workshops/{W}/events"),
    "organisation_ids": ids("/v1/organisations"),
    "member_ids": [moderator["id"], participant["id"]] + members,
    # Rotating or revoking the callers' own tokens would end their runs early: only the
    # demo's members (or, should there be none, an id that is no member's).
    "token_member_ids": [m for m in members if m not in (moderator["id"], participant["id"])]
                        or ["00000000-0000-4000-8000-000000000000"],
    "slugs": [w["slug"] for w in workshops] + ["no-such-workshop"],
    # "" is the first page; cursors are opaque, so only ones the server gave out.
    "cursors": ["", page["next_cursor"]],
}

def toml(value):
    return json.dumps(value, ensure_ascii=False)   # JSON strings and arrays are TOML too

with open(os.path.join(out, "schemathesis.toml"), "w") as f:
    f.write(f"""# Generated by scripts/schemathesis.sh for one run; ids of the demo workshop
# strategiewerkstatt-sachsen ({W}).

[generation]
# No example database and no state kept between runs: the same seed gives the same
# inputs, run after run.
database = "none"

[cache]
enabled = false

# Real ids part of the time, so that requests get past the 404 and reach the rules;
# the rest stays random (404s and other workshops' ids are part of the contract too).
""")
    for name, values in dictionaries.items():
        f.write(f"[dictionaries.{name}]\nvalues = {toml(values)}\n\n")
    f.write(f"""[parameters]
"path.workshop_id" = {{ dictionary = "workshop_ids", probability = 0.7 }}
"path.thesis_id" = {{ dictionary = "thesis_ids", probability = 0.7 }}
"path.recommendation_id" = {{ dictionary = "recommendation_ids", probability = 0.7 }}
"path.round_id" = {{ dictionary = "round_ids", probability = 0.7 }}
"path.comment_id" = {{ dictionary = "comment_ids", probability = 0.7 }}
"path.item_id" = {{ dictionary = "item_ids", probability = 0.7 }}
"path.member_id" = {{ dictionary = "member_ids", probability = 0.7 }}
"path.organisation_id" = {{ dictionary = "organisation_ids", probability = 0.7 }}
"path.slug" = {{ dictionary = "slugs", probability = 0.7 }}
"query.cursor" = {{ dictionary = "cursors" }}
"query.working_group_id" = {{ dictionary = "working_group_ids", probability = 0.7 }}
"body.working_group_id" = {{ dictionary = "working_group_ids", probability = 0.5 }}
"body.event_id" = {{ dictionary = "event_ids", probability = 0.5 }}
"body.organisation_id" = {{ dictionary = "organisation_ids", probability = 0.5 }}
"body.parent_id" = {{ dictionary = "comment_ids", probability = 0.5 }}
# (Not for thesis_ids and recommendation_ids, which must not repeat an id: a binding
# fills every element on its own, so it would repeat them. A ballot without real ids
# never counts, though, and is a 422 anyway when it repeats one.)
"body.approve[*]" = {{ dictionary = "recommendation_ids", probability = 0.7 }}
"body.ranking[*]" = {{ dictionary = "recommendation_ids", probability = 0.7 }}

# A schema-valid request may still be a 422 where the document says the rule lies
# beyond what a schema can say: ids that must exist in the same workshop (or round),
# dates in order, the budget of a round, the rows of a CSV file.
[[operations]]
include-operation-id = [
  "createWorkshop",               # ends_on not before starts_on
  "createMember",                 # organisation_id must exist; 409: e-mail address already in the workshop
  "importMembers",                # the CSV rows, their organisations and e-mail addresses
  "createThesis",                 # working_group_id, event_id of the workshop
  "createThesisComment",          # parent_id of the same thesis, depth below 50
  "createRecommendationComment",  # parent_id of the same recommendation, depth below 50
  "createRecommendation",         # working_group_id, thesis_ids of the workshop
  "importRecommendations",        # the CSV rows and working-group codes
  "createRound",                  # recommendation_ids of the workshop; max_points_per_item <= points_per_member
  "castBallot",                   # the round's method, its recommendations and budget
  "updateImplementationItem",     # a range's to_year after its year; 409: progress of an item with measures
  "getImplementationList",        # as_of not in the future, from not after to, which parameters go together
  "createMeasure",                # parent_id must be a measure of the same item
  "updateMeasure",                # a range's to_year after its year; 409: progress of a measure with sub-measures
  "moveMeasure",                  # parent_id of the same item, no cycle
  "updateWorkshop",               # 409 once closed
  "updateMember",                 # organisation_id must exist; 409: group frozen while a round is open
  "rotateMemberToken",            # 409 once closed
  "updateOrganisation",           # 409: group frozen while a round is open in a workshop with its members
]
checks.positive_data_acceptance.expected-statuses = ["2xx", 401, 403, 404, 409, 422, 429]

# New tokens and revocations only for the demo's members, never the callers' own (the
# participant's token must still work when its run comes). Revoking a token twice is
# a 404, which every operation may answer.
[[operations]]
include-operation-id = ["rotateMemberToken", "revokeMemberToken"]
parameters = {{ "path.member_id" = {{ dictionary = "token_member_ids", probability = 0.7 }} }}
""")
PY

# Callers: participant first (it cannot move phases or close rounds; the admin can).
read -r -a callers <<<"${FUZZ_CALLERS:-participant admin anonymous}"
status=0
summary=()
for caller in "${callers[@]}"; do
    auth=()
    case $caller in
        admin|moderator|participant) auth=(-H "Authorization: Bearer $(cat "$out/.token-$caller")") ;;
        anonymous|none) caller=anonymous ;;
        *) echo "$0: unknown caller '$caller' in FUZZ_CALLERS" >&2; exit 2 ;;
    esac
    ready || sleep 3   # (a crash in the previous run: the loop is restarting the server)
    echo
    echo "== schemathesis as $caller (--max-examples $max_examples)"
    started=$SECONDS
    rc=0
    # In the background, so that the traps above fire at once on a signal.
    "$st" --config-file "$out/schemathesis.toml" run "$base/openapi.yaml" \
        "${auth[@]}" \
        --checks all \
        --phases examples,coverage,fuzzing,stateful \
        --max-examples "$max_examples" \
        --seed 20261124 \
        --workers 1 \
        --request-timeout 30 \
        --report junit --report-junit-path "$out/junit-$caller.xml" \
        "${extra[@]}" </dev/null &
    driver=$!
    wait "$driver" || rc=$?
    driver=""
    summary+=("$(printf '%-12s %s after %ss' "$caller" "$( ((rc == 0)) && echo passed || echo "FAILED (exit $rc)")" $((SECONDS - started)))")
    (( rc == 0 )) || status=1
done

stop_server
crashes=$(grep -c '^schemathesis.sh: the server exited' "$out/server.log" || true)
echo
echo "== summary (reports in ${out#"$top"/})"
printf '  %s\n' "${summary[@]}"
if (( crashes > 0 )); then
    status=1
    echo "  the server crashed $crashes time(s); the first crash in server.log:"
    { grep -m 1 -E 'Fatal error|runtime failure' "$out/server.log" || true
      grep -m 1 -A 5 ' crashed:$' "$out/server.log" || true; } | sed 's/^/    /'
fi
exit "$status"
