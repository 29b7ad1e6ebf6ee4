# shellcheck shell=bash
# Helpers shared by the benchmark scripts; source it (bash).
#
#   bench_bin      path of the release werkstatt binary ($WERKSTATT_BIN, else .build-bench)
#   bench_psql     path of psql (the newest /usr/lib/postgresql/*/bin, else $PATH)
#   bench_machine  prints the machine: CPU, cores, RAM, PostgreSQL and Swift versions
#                  (and the load average: set BENCH_LOAD_START at the start of a run)

bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

bench_bin() {
    local bin=${WERKSTATT_BIN:-$bench_top/.build-bench/release/werkstatt}
    if [[ ! -x $bin ]]; then
        echo "bench: no release binary at $bin; build it with:" >&2
        echo "  swift build -c release --product werkstatt --scratch-path .build-bench" >&2
        return 1
    fi
    printf '%s\n' "$bin"
}

bench_psql() {
    local p best="" best_major=0 major
    for p in /usr/lib/postgresql/*/bin/psql; do
        [[ -x $p ]] || continue
        major=${p#/usr/lib/postgresql/}; major=${major%%/*}
        [[ $major =~ ^[0-9]+$ ]] && (( major > best_major )) && { best=$p; best_major=$major; }
    done
    if [[ -n $best ]]; then printf '%s\n' "$best"; else command -v psql; fi
}

bench_machine() {
    local cpu cores mem pg swift
    cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
    cores=$(nproc)
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    pg=$("$(bench_psql)" -X -At -d "$DATABASE_URL" -c 'SHOW server_version' 2>/dev/null || echo unknown)
    swift=$(swift --version 2>/dev/null | head -n 1 || echo unknown)
    echo "machine:"
    echo "  CPU         ${cpu:-unknown} ($(uname -m))"
    echo "  cores       $cores"
    echo "  load avg    at start ${BENCH_LOAD_START:-?}, at end $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
    echo "  RAM         $mem"
    echo "  PostgreSQL  $pg (shared_buffers $("$(bench_psql)" -X -At -d "$DATABASE_URL" -c 'SHOW shared_buffers' 2>/dev/null || echo ?), fsync $("$(bench_psql)" -X -At -d "$DATABASE_URL" -c 'SHOW fsync' 2>/dev/null || echo ?))"
    echo "  Swift       $swift"
    echo "  kernel      $(uname -sr)"
}
