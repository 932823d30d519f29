# shellcheck shell=bash
# .ci/postgres.sh: a throw-away PostgreSQL server for Vigie's tests. Meant to be *sourced* by .ci/run
# (or by hand: `source .ci/postgres.sh`), as root, on Debian 12.
#
# What it does, each step skipped when already done (re-running it is cheap and just re-exports):
#   1. installs Debian's `postgresql` package if no server binaries are under /usr/lib/postgresql/*/bin;
#   2. creates the OS user `vigiepg` (initdb refuses to run as root);
#   3. runs `initdb -k` (data checksums on) into $VIGIE_PG_DIR/data (default /tmp/vigie-pg/data);
#   4. starts the server on 127.0.0.1:54329 only (no other address), fsync=on, synchronous_commit=on,
#      its Unix socket in $VIGIE_PG_DIR/socket, its log in $VIGIE_PG_DIR/server.log, and waits until ready;
#   5. creates the role `vigie` (password generated once, kept in $VIGIE_PG_DIR/password, mode 0600)
#      and the database `vigie_test` owned by it;
#   6. checks over TCP, with that password, that fsync, synchronous_commit and data_checksums are on.
# Then it exports:
#   VIGIE_TEST_PG_URL   postgres://vigie:<password>@127.0.0.1:54329/vigie_test
#   VIGIE_PG_BIN        the server's bin directory (pg_ctl, psql...)
#   VIGIE_PG_DATA       the data directory
#   VIGIE_PG_OS_USER    the OS user that owns it; e.g. to stop the server (fault-injection tests):
#                       runuser -u "$VIGIE_PG_OS_USER" -- "$VIGIE_PG_BIN/pg_ctl" -D "$VIGIE_PG_DATA" -m immediate stop
# On any failure it prints "postgres.sh: FAILED: <why>" (and the server log's tail when relevant) on
# stderr and returns 1 (exits 1 if executed instead of sourced). It never prints the password.
# It does not stop the server when done and does not touch any other PostgreSQL cluster.

_vigie_pg_setup() (
    set -euo pipefail
    local dir="$1" port=54329 os_user=vigiepg
    local data="$dir/data" socket="$dir/socket" log="$dir/server.log" pwfile="$dir/password"
    say() { echo "postgres.sh: $*" >&2; }
    fail() {
        echo "postgres.sh: FAILED: $*" >&2
        if [[ -f "$log" ]]; then
            echo "postgres.sh: last lines of $log:" >&2
            tail -n 20 "$log" >&2 || true
        fi
        exit 1
    }
    find_bin() {
        local candidate
        for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" && -x "$candidate/postgres" && -x "$candidate/psql" ]]; then
                echo "$candidate"
                return 0
            fi
        done
        return 1
    }
    as_pg() { (cd / && runuser -u "$os_user" -- "$@"); }

    # 1. Server binaries.
    local bin
    if ! bin="$(find_bin)"; then
        [[ "$(id -u)" == 0 ]] || fail "no PostgreSQL server under /usr/lib/postgresql/*/bin and not root (cannot apt-get install)"
        say "installing Debian's postgresql package (apt-get update && apt-get install -y postgresql)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >&2 || fail "apt-get update failed"
        apt-get install -y -q postgresql >&2 || fail "apt-get install -y postgresql failed"
        bin="$(find_bin)" || fail "postgresql installed but no initdb/pg_ctl/postgres/psql under /usr/lib/postgresql/*/bin"
    fi
    local major
    major="$("$bin/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')"
    say "using PostgreSQL $major from $bin"

    # 2. OS user.
    if ! id -u "$os_user" >/dev/null 2>&1; then
        [[ "$(id -u)" == 0 ]] || fail "OS user $os_user is missing and not root (cannot useradd)"
        useradd --system --user-group --no-create-home --home-dir "$dir" --shell /usr/sbin/nologin "$os_user" \
            || fail "useradd $os_user failed"
    fi

    # 3. Cluster.
    if [[ ! -f "$data/PG_VERSION" ]]; then
        [[ ! -e "$data" ]] || [[ -z "$(ls -A "$data")" ]] || fail "$data exists, is not empty and holds no cluster; remove it or set VIGIE_PG_DIR"
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
            fail "something else already listens on 127.0.0.1:$port (and $data holds no cluster yet)"
        fi
        say "creating a cluster with data checksums in $data"
        mkdir -p "$dir" "$data" "$socket"
        if [[ ! -s "$pwfile" ]]; then
            (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$pwfile") || fail "cannot write $pwfile"
        fi
        chown "$os_user:$os_user" "$dir" "$data" "$socket" || fail "chown of $dir failed"
        chmod 0700 "$dir" "$data"
        as_pg "$bin/initdb" -k -D "$data" --username="$os_user" --auth-local=peer --auth-host=scram-sha-256 \
            --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; fail "initdb failed (output above)"; }
        # Kept in the cluster's own configuration so that a restart by hand (pg_ctl start) keeps them.
        cat >>"$data/postgresql.conf" <<EOF

# --- Vigie test server (.ci/postgres.sh) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$socket'
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
password_encryption = 'scram-sha-256'
EOF
    else
        local have_major
        have_major="$(cat "$data/PG_VERSION")"
        [[ "$have_major" == "$major" ]] || fail "$data holds a PostgreSQL $have_major cluster but the binaries are $major; remove $dir"
        [[ -s "$pwfile" ]] || fail "$data exists but $pwfile is missing: cannot know the vigie role's password; remove $dir"
    fi
    local password
    password="$(cat "$pwfile")"

    # 4. Server.
    if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        say "server already running (data $data)"
    else
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
            fail "something else already listens on 127.0.0.1:$port (not the cluster in $data)"
        fi
        say "starting the server on 127.0.0.1:$port"
        as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null || fail "pg_ctl start failed"
    fi
    local ready=0 attempt
    for attempt in $(seq 1 60); do
        if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
            ready=1
            break
        fi
        sleep 0.5
    done
    [[ "$ready" == 1 ]] || fail "the server did not accept connections on 127.0.0.1:$port within 30 s"

    # 5. Role and database (the password goes through psql's standard input, never on a command line).
    local -a psql_admin=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket" -p "$port" -d postgres)
    as_pg "${psql_admin[@]}" >/dev/null <<SQL || fail "could not create the role vigie and the database vigie_test"
\set pw '$password'
SELECT format('CREATE ROLE vigie LOGIN PASSWORD %L', :'pw') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vigie')
\gexec
SELECT format('ALTER ROLE vigie LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'pw')
\gexec
SELECT 'CREATE DATABASE vigie_test OWNER vigie' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'vigie_test')
\gexec
SQL

    # 6. Check over TCP as the application will connect, and that durability settings are what we promise.
    local settings
    settings="$(PGPASSWORD="$password" "$bin/psql" -X -A -t -q -v ON_ERROR_STOP=1 \
        "host=127.0.0.1 port=$port user=vigie dbname=vigie_test sslmode=disable" \
        -c "SELECT current_setting('fsync') || ',' || current_setting('synchronous_commit') || ',' || current_setting('data_checksums')")" \
        || fail "cannot connect as vigie to postgres://vigie:***@127.0.0.1:$port/vigie_test"
    [[ "$settings" == "on,on,on" ]] || fail "expected fsync, synchronous_commit, data_checksums = on,on,on; the server says $settings"
    say "ready: postgres://vigie:***@127.0.0.1:$port/vigie_test (fsync, synchronous_commit and data checksums on)"
    printf '%s\n%s\n' "$bin" "$os_user" >"$dir/env"
)

_vigie_pg_main() {
    local dir="${VIGIE_PG_DIR:-/tmp/vigie-pg}"
    _vigie_pg_setup "$dir" || return 1
    local bin os_user password
    { read -r bin && read -r os_user; } <"$dir/env" || { echo "postgres.sh: FAILED: cannot read $dir/env" >&2; return 1; }
    password="$(cat "$dir/password")" || { echo "postgres.sh: FAILED: cannot read $dir/password" >&2; return 1; }
    export VIGIE_TEST_PG_URL="postgres://vigie:${password}@127.0.0.1:54329/vigie_test"
    export VIGIE_PG_BIN="$bin"
    export VIGIE_PG_DATA="$dir/data"
    export VIGIE_PG_OS_USER="$os_user"
}

if ! _vigie_pg_main; then
    unset -f _vigie_pg_setup _vigie_pg_main
    # Sourced: return to the caller with a failure; executed: exit with it.
    return 1 2>/dev/null || exit 1
fi
unset -f _vigie_pg_setup _vigie_pg_main
