#!/usr/bin/env bash
# Private, throwaway PostgreSQL clusters for development and tests.
#
#   local-postgres.sh start   DIR   create/start a cluster, print its URL on stdout
#   local-postgres.sh stop    DIR   stop it (fast mode) if running
#   local-postgres.sh destroy DIR   stop it and delete everything it owns
#   local-postgres.sh url     DIR   print the recorded URL
#   local-postgres.sh psql    DIR [psql args...]
#
# Layout of DIR (DIR itself belongs to whoever runs this script):
#   DIR/url       postgres://werkstatt:PASSWORD@127.0.0.1:PORT/werkstatt (mode 600)
#   DIR/password  the password of the database superuser werkstatt (mode 600)
#   DIR/.lock     flock(1) lock, so two `make` invocations don't race
#   DIR/cluster   directory owned by the server's OS user, holding
#                   data/          the cluster (its unix socket lives here too)
#                   postgres.log   server log
#                 or, when the server's OS user cannot reach DIR (running as
#                 root in a mode-700 /root, or a path too long for a unix
#                 socket), a symlink to /tmp/werkstatt-pg.XXXXXX with the same
#                 contents. `destroy` removes that /tmp directory too.
#
# PostgreSQL refuses to run as root, so as root the server runs as `postgres`
# (created by Debian's package) or, failing that, a system user `werkstatt-pg`.
# Only stdout carries the URL; all progress goes to stderr, so callers can do
# DATABASE_URL=$(local-postgres.sh start DIR).
#
# Authentication: every connection, TCP and unix socket alike, needs the password
# (scram-sha-256), a random one made for each cluster and kept in DIR/password, which
# only the user running this script can read. (The server listens on 127.0.0.1, where
# every local user of the machine can reach it.) The password never appears on a
# command line or in a log: psql gets it in PGPASSWORD, initdb from a file in the
# cluster directory. A cluster made by an older version of this script with
# `trust` is upgraded on its next `start`: it gets a password and the new
# pg_hba.conf, and its data stays.
set -euo pipefail

DB_NAME=werkstatt
DB_SUPERUSER=werkstatt
MIN_PG_MAJOR=15
# The first line of the pg_hba.conf this script writes; a cluster without it still
# trusts every local connection and is upgraded by `start`.
HBA_MARKER='# werkstatt local-postgres.sh: scram-sha-256'

log() { printf 'local-postgres: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# --- PostgreSQL binaries -----------------------------------------------------

# Prints the bin dir of the highest installed PostgreSQL >= MIN_PG_MAJOR.
find_pg_bindir() {
    local ctl major best="" best_major=0
    for ctl in /usr/lib/postgresql/*/bin/pg_ctl; do
        [[ -x $ctl ]] || continue
        major=${ctl#/usr/lib/postgresql/}; major=${major%%/*}
        [[ $major =~ ^[0-9]+$ ]] || continue
        if (( major >= MIN_PG_MAJOR && major > best_major )); then
            best_major=$major; best=${ctl%/pg_ctl}
        fi
    done
    [[ -n $best ]] && printf '%s\n' "$best"
}

install_pg() {
    local -a pkgs=(postgresql postgresql-contrib)
    log "no PostgreSQL >= $MIN_PG_MAJOR server found; installing ${pkgs[*]} with apt-get"
    if (( EUID == 0 )); then
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${pkgs[@]}" >&2
    elif command -v sudo >/dev/null; then
        sudo apt-get update >&2
        sudo DEBIAN_FRONTEND=noninteractive apt-get install -y "${pkgs[@]}" >&2
    else
        die "PostgreSQL >= $MIN_PG_MAJOR is not installed and neither root nor sudo is available; run: apt-get install postgresql postgresql-contrib"
    fi
}

# Sets BINDIR. For an existing cluster, its own major version is required
# (a data dir can't be opened by a different major version).
need_bindir() {
    local data_version=${1:-}
    if [[ -n $data_version ]]; then
        BINDIR=/usr/lib/postgresql/$data_version/bin
        [[ -x $BINDIR/pg_ctl ]] \
            || die "cluster was created with PostgreSQL $data_version, whose binaries are gone; run: $0 destroy $DIR"
        return
    fi
    BINDIR=$(find_pg_bindir) || true
    if [[ -z $BINDIR ]]; then
        install_pg
        BINDIR=$(find_pg_bindir) || die "apt-get did not install PostgreSQL >= $MIN_PG_MAJOR"
    fi
}

# --- OS user that runs the server ---------------------------------------------

# Sets PGUSER_OS. Non-root: ourselves. Root: postgres, or werkstatt-pg.
pick_os_user() {
    if (( EUID != 0 )); then
        PGUSER_OS=$(id -un)
    elif id -u postgres >/dev/null 2>&1; then
        PGUSER_OS=postgres
    else
        PGUSER_OS=werkstatt-pg
        if ! id -u "$PGUSER_OS" >/dev/null 2>&1; then
            log "creating system user $PGUSER_OS to run PostgreSQL (it refuses to run as root)"
            useradd --system --user-group --no-create-home \
                --home-dir /nonexistent --shell /usr/sbin/nologin "$PGUSER_OS"
        fi
    fi
}

# Runs a command as the server's OS user; cwd / because ours may be unreadable.
as_pg() {
    if [[ $PGUSER_OS == "$(id -un)" ]]; then
        (cd / && "$@")
    else
        (cd / && runuser -u "$PGUSER_OS" -- "$@")
    fi
}

# --- helpers ------------------------------------------------------------------

# Closes every fd above 2. Used before launching the server: the postmaster
# inherits all open fds, and keeping our lock (fd 9) or a caller's pipe open
# would block the next `start` or a `$(...)` reading our output.
close_fds() {
    local fd
    for fd in "/proc/$BASHPID/fd"/*; do
        fd=${fd##*/}
        if (( fd > 2 )); then eval "exec $fd>&-"; fi
    done
}

# True if something listens on 127.0.0.1:$1 (ss when available, else connect).
port_in_use() {
    local p=$1
    if command -v ss >/dev/null && [[ -n $(ss -Hltn "sport = :$p" 2>/dev/null) ]]; then
        return 0
    fi
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null
}

# Prints a free port, starting at a random one in 20000-40000 so that parallel
# test runs rarely collide (start() retries if they do anyway).
free_port() {
    local p=$(( 20000 + RANDOM % 20001 )) i
    for (( i = 0; i < 1000; i++ )); do
        port_in_use "$p" || { echo "$p"; return; }
        p=$(( p >= 40000 ? 20000 : p + 1 ))
    done
    die "no free TCP port found in 20000-40000"
}

# The URL without the password, for logs and for psql (which gets it in PGPASSWORD).
plain_url() { printf 'postgres://%s@127.0.0.1:%s/%s\n' "$DB_SUPERUSER" "$1" "${2:-$DB_NAME}"; }
# The URL with the password, as DIR/url and stdout carry it. (Hex: nothing to escape.)
make_url() { printf 'postgres://%s:%s@127.0.0.1:%s/%s\n' "$DB_SUPERUSER" "$PASSWORD" "$1" "$DB_NAME"; }

# Writes $2 (and a newline) to the file $1, readable only by us (0600), replacing it
# whole. A builtin printf: the content is never on a command line.
write_private() {
    local file=$1 tmp=$1.new
    rm -f -- "$tmp"
    (umask 077 && printf '%s\n' "$2" > "$tmp")
    chmod 600 -- "$tmp"
    mv -f -- "$tmp" "$file"
}

# Sets PASSWORD from DIR/password, first making one (128 random bits, hex) if there is none.
load_password() {
    if [[ ! -s $DIR/password ]]; then
        write_private "$DIR/password" "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    fi
    chmod 600 -- "$DIR/password"
    PASSWORD=$(<"$DIR/password")
    [[ $PASSWORD =~ ^[0-9a-f]{32}$ ]] || die "$DIR/password is not a password this script made; run: $0 destroy $DIR"
}

# psql as ourselves, with the password in its environment, never on its command line.
run_psql() { PGPASSWORD=$PASSWORD "$BINDIR/psql" "$@"; }

# Writes pg_hba.conf of the cluster in data dir $1: the password for everyone.
write_hba() {
    as_pg tee "$1/pg_hba.conf" >/dev/null <<EOF
$HBA_MARKER
# Written by deploy/local-postgres.sh: a development/test cluster on 127.0.0.1, where
# every local user can connect, so every connection needs the password (DIR/password).
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
EOF
}

# True if the cluster still has a pg_hba.conf of before the password (trust).
needs_auth_upgrade() { ! as_pg grep -qxF -- "$HBA_MARKER" "$DATA/pg_hba.conf"; }

# A cluster made with --auth=trust by an older version of this script: give the
# superuser the password (while trust still lets us in), then require it. Safe to
# repeat if interrupted: the pg_hba.conf is written last.
upgrade_auth() {
    log "$DIR: the cluster lets every local user in without a password (trust); setting the password in $DIR/password and requiring it (scram-sha-256)"
    # The statement goes on stdin; the server is told not to log it.
    printf "SET log_statement = 'none';\nSET log_min_error_statement = 'panic';\nSET password_encryption = 'scram-sha-256';\nALTER ROLE %s PASSWORD '%s';\n" \
            "$DB_SUPERUSER" "$PASSWORD" \
        | run_psql -X -q -v ON_ERROR_STOP=1 -d "$(plain_url "$PORT" postgres)" -f - >/dev/null \
        || die "could not set the password of $DB_SUPERUSER in $DIR; run: $0 destroy $DIR"
    write_hba "$DATA"
    as_pg "$BINDIR/pg_ctl" -D "$DATA" reload >/dev/null
}

# Sets DIR to the absolute path of $1; creates it when $2 == create.
resolve_dir() {
    [[ -n ${1:-} ]] || usage
    if [[ ${2:-} == create ]]; then
        mkdir -p -- "$1"
    fi
    if [[ -d $1 ]]; then
        DIR=$(cd -- "$1" && pwd -P)
    else
        DIR=$(realpath -m -- "$1")
    fi
}

lock_dir() {
    exec 9>"$DIR/.lock"
    flock 9
}

# Sets CLUSTER (real path) and DATA, or returns 1 if DIR has no cluster.
find_cluster() {
    CLUSTER=""; DATA=""
    if [[ -L $DIR/cluster && ! -e $DIR/cluster ]]; then
        # /tmp was wiped (e.g. reboot): the data is gone, start over.
        log "cluster dir $(readlink "$DIR/cluster") vanished; forgetting it"
        rm -f "$DIR/cluster" "$DIR/url"
        return 1
    fi
    [[ -d $DIR/cluster ]] || return 1
    CLUSTER=$(readlink -f "$DIR/cluster")
    DATA=$CLUSTER/data
}

# 0 = running, 1 = not running (pg_ctl status: 0 running, 3 stopped, 4 no dir).
is_running() { as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

# Port of the running server (line 4 of postmaster.pid).
running_port() { sed -n 4p "$DATA/postmaster.pid"; }

# --- cluster creation ---------------------------------------------------------

# Creates DIR/cluster (or the /tmp fallback) owned by PGUSER_OS; sets CLUSTER/DATA.
create_cluster_dir() {
    local longest_socket="$DIR/cluster/data/.s.PGSQL.40000"
    if ! as_pg test -x "$DIR"; then
        log "$PGUSER_OS cannot reach $DIR (a parent is not traversable); using /tmp"
    elif (( ${#longest_socket} > 107 )); then
        log "$DIR is too deep for a unix socket path (max 107 bytes); using /tmp"
    else
        mkdir "$DIR/cluster"
        [[ $PGUSER_OS == "$(id -un)" ]] || chown "$PGUSER_OS:" "$DIR/cluster"
        chmod 700 "$DIR/cluster"
        CLUSTER=$DIR/cluster; DATA=$CLUSTER/data
        return
    fi
    CLUSTER=$(mktemp -d /tmp/werkstatt-pg.XXXXXX)
    [[ $PGUSER_OS == "$(id -un)" ]] || chown "$PGUSER_OS:" "$CLUSTER"
    ln -s "$CLUSTER" "$DIR/cluster"
    DATA=$CLUSTER/data
}

init_cluster() {
    local locale=C staging pwfile
    # (grep without -q: with pipefail, an early exit could SIGPIPE the writer)
    locale -a 2>/dev/null | grep -iE '^c\.utf-?8$' >/dev/null && locale=C.UTF-8
    staging=$CLUSTER/data.initdb
    pwfile=$CLUSTER/pwfile
    as_pg rm -rf "$staging"   # leftover of an interrupted run
    # initdb reads the superuser's password from a file the server's OS user can read:
    # one in the cluster dir (mode 700, that user's), written from our stdin, removed after.
    printf '%s\n' "$PASSWORD" | as_pg sh -c 'umask 077 && cat > "$1"' sh "$pwfile"
    log "initdb ($("$BINDIR/pg_ctl" --version), locale $locale) in $DATA"
    if ! as_pg "$BINDIR/initdb" -D "$staging" -U "$DB_SUPERUSER" \
            --auth=scram-sha-256 --pwfile="$pwfile" \
            --encoding=UTF8 --locale="$locale" >/dev/null; then
        as_pg rm -f "$pwfile"
        die "initdb failed"
    fi
    as_pg rm -f "$pwfile"
    write_hba "$staging"
    # Localhost TCP only; socket inside the data dir (not /var/run/postgresql,
    # which may not exist or belong to another cluster).
    as_pg tee -a "$staging/postgresql.conf" >/dev/null <<EOF

# --- werkstatt dev/test settings (deploy/local-postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DATA'
fsync = on
max_connections = 200
shared_buffers = 128MB
EOF
    # Rename only once fully configured, so a half-made cluster is never started.
    as_pg mv "$staging" "$DATA"
}

# Starts the server on a free port (retrying if the port got taken meanwhile).
start_server() {
    local port="" before _
    [[ -f $DIR/url ]] && port=$(sed -E 's#.*:([0-9]+)/.*#\1#' "$DIR/url")
    for _ in 1 2 3 4 5; do
        if [[ ! $port =~ ^[0-9]+$ ]]; then
            port=$(free_port)
        elif port_in_use "$port"; then
            log "recorded port $port is taken; picking another"
            port=$(free_port)
        fi
        before=$(stat -c %s "$CLUSTER/postgres.log" 2>/dev/null || echo 0)
        log "starting PostgreSQL on 127.0.0.1:$port (log: $CLUSTER/postgres.log)"
        if (close_fds; as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$CLUSTER/postgres.log" \
                -w -t 60 -o "-p $port" start >/dev/null); then
            PORT=$port
            return
        fi
        if tail -c +$(( before + 1 )) "$CLUSTER/postgres.log" | grep 'Address already in use' >/dev/null; then
            log "port $port was taken; retrying"
            port=""
            continue
        fi
        break
    done
    log "PostgreSQL failed to start; end of $CLUSTER/postgres.log:"
    tail -n 20 "$CLUSTER/postgres.log" >&2 || true
    exit 1
}

ensure_database() {
    local admin_url
    admin_url=$(plain_url "$PORT" postgres)
    if [[ -z $(run_psql -X -q -At -d "$admin_url" \
            -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
        log "creating database $DB_NAME"
        run_psql -X -q -d "$admin_url" -c "CREATE DATABASE $DB_NAME" >/dev/null
    fi
}

# --- subcommands ----------------------------------------------------------------

cmd_start() {
    resolve_dir "${1:-}" create
    lock_dir
    if find_cluster; then
        # Use the cluster's owner, so a cluster made by root keeps working for root.
        PGUSER_OS=$(stat -c %U "$CLUSTER")
        (( EUID == 0 )) || [[ $PGUSER_OS == "$(id -un)" ]] \
            || die "$DIR belongs to $PGUSER_OS; run as root or destroy it"
        if [[ -f $DATA/PG_VERSION ]]; then
            need_bindir "$(cat "$DATA/PG_VERSION")"
            if ! needs_auth_upgrade && [[ ! -s $DIR/password ]]; then
                die "$DIR/password is gone, and the cluster requires it; run: $0 destroy $DIR"
            fi
            load_password
        else
            # An earlier start died before initdb finished: do it again.
            log "no complete cluster in $CLUSTER; running initdb again"
            need_bindir
            as_pg rm -rf "$DATA"
            load_password
            init_cluster
        fi
    else
        pick_os_user
        need_bindir
        create_cluster_dir
        load_password
        init_cluster
    fi
    if is_running; then
        PORT=$(running_port)
    else
        start_server
    fi
    if needs_auth_upgrade; then upgrade_auth; fi
    ensure_database
    write_private "$DIR/url" "$(make_url "$PORT")"
    cat "$DIR/url"
}

cmd_stop() {
    resolve_dir "${1:-}"
    [[ -d $DIR ]] || return 0
    lock_dir
    find_cluster || return 0
    [[ -f $DATA/PG_VERSION ]] || return 0
    PGUSER_OS=$(stat -c %U "$CLUSTER")
    need_bindir "$(cat "$DATA/PG_VERSION")"
    if is_running; then
        log "stopping PostgreSQL in $DATA"
        as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    fi
}

cmd_destroy() {
    resolve_dir "${1:-}"
    [[ -e $DIR || -L $DIR ]] || return 0
    # Refuse to rm -rf anything that doesn't look like ours (e.g. `destroy .`).
    local f
    for f in "$DIR"/* "$DIR"/.[!.]*; do
        [[ -e $f || -L $f ]] || continue
        case ${f##*/} in cluster|url|password|url.new|password.new|.lock) ;; *) die "refusing to delete $DIR: unexpected file $f" ;; esac
    done
    cmd_stop "$DIR"
    if [[ -L $DIR/cluster ]]; then
        local target
        target=$(readlink "$DIR/cluster")
        [[ $target == /tmp/werkstatt-pg.* ]] && rm -rf -- "$target"
    fi
    rm -rf -- "$DIR"
    log "destroyed $DIR"
}

cmd_url() {
    resolve_dir "${1:-}"
    [[ -f $DIR/url ]] || die "no cluster in $DIR; run: $0 start $DIR"
    cat "$DIR/url"
}

# The password goes in PGPASSWORD: a URL with it on psql's command line would show
# in `ps` to every local user.
cmd_psql() {
    local url port
    resolve_dir "${1:-}"
    shift || true
    [[ -f $DIR/url ]] || die "no cluster in $DIR; run: $0 start $DIR"
    [[ -r $DIR/password ]] || die "cannot read $DIR/password"
    url=$(<"$DIR/url")
    [[ $url =~ :([0-9]+)/[^/]*$ ]] || die "$DIR/url is not a URL this script wrote"
    port=${BASH_REMATCH[1]}
    BINDIR=$(find_pg_bindir) || true
    PGPASSWORD=$(<"$DIR/password")
    export PGPASSWORD
    exec "${BINDIR:+$BINDIR/}psql" "$(plain_url "$port")" "$@"
}

case ${1:-} in
    start|stop|destroy|url|psql) cmd=$1; shift; "cmd_$cmd" "$@" ;;
    *) usage ;;
esac
