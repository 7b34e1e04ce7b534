# Starts a throwaway PostgreSQL for the tests: initdb into a temporary directory, a loopback
# port, scram-sha-256 password authentication, and a streaming standby of it (pg_basebackup -R)
# on a second port. Source this file, then call start_postgres; it exports
# HEALTHRUN_TEST_PG_{HOST,PORT,STANDBY_PORT,USER,PASSWORD,DATABASE}; stop_postgres stops both.

pg_bindir() {
    # On Debian the psql/pg_isready on PATH are Perl wrappers; the real binaries live here.
    local dir
    dir=$(pg_config --bindir 2>/dev/null || true)
    if [[ ! -x "$dir/initdb" ]]; then
        dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
    [[ -x "$dir/initdb" ]] || { echo "postgres.sh: no initdb found (install postgresql)" >&2; return 1; }
    echo "$dir"
}

as_postgres() {
    # initdb refuses to run as root.
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
    if [[ -n "${HEALTHRUN_PG_DIR:-}" && -d "$HEALTHRUN_PG_DIR/data" ]]; then
        if [[ -d "$HEALTHRUN_PG_DIR/standby" ]]; then
            as_postgres "$HEALTHRUN_PG_BIN/pg_ctl" -D "$HEALTHRUN_PG_DIR/standby" -m immediate stop >/dev/null 2>&1 || true
        fi
        as_postgres "$HEALTHRUN_PG_BIN/pg_ctl" -D "$HEALTHRUN_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$HEALTHRUN_PG_DIR"
    fi
}

start_postgres() {
    HEALTHRUN_PG_BIN=$(pg_bindir) || return 1
    HEALTHRUN_PG_DIR=$(mktemp -d /tmp/healthrun-pg.XXXXXX)
    chmod 755 "$HEALTHRUN_PG_DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres "$HEALTHRUN_PG_DIR"
    local port password
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    password="pg-canary-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$password" > "$HEALTHRUN_PG_DIR/pwfile"
    [[ $(id -u) -eq 0 ]] && chown postgres "$HEALTHRUN_PG_DIR/pwfile"
    as_postgres "$HEALTHRUN_PG_BIN/initdb" -D "$HEALTHRUN_PG_DIR/data" -U healthrun --pwfile="$HEALTHRUN_PG_DIR/pwfile" \
        --auth=scram-sha-256 -E UTF8 --no-sync >"$HEALTHRUN_PG_DIR/initdb.log" 2>&1 \
        || { cat "$HEALTHRUN_PG_DIR/initdb.log" >&2; return 1; }
    rm -f "$HEALTHRUN_PG_DIR/pwfile"
    as_postgres "$HEALTHRUN_PG_BIN/pg_ctl" -D "$HEALTHRUN_PG_DIR/data" -l "$HEALTHRUN_PG_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $HEALTHRUN_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$HEALTHRUN_PG_DIR/server.log" >&2; return 1; }
    local standby_port
    standby_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres env PGPASSWORD="$password" "$HEALTHRUN_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$port" -U healthrun \
        -D "$HEALTHRUN_PG_DIR/standby" -R -X stream >"$HEALTHRUN_PG_DIR/basebackup.log" 2>&1 \
        || { cat "$HEALTHRUN_PG_DIR/basebackup.log" >&2; return 1; }
    as_postgres "$HEALTHRUN_PG_BIN/pg_ctl" -D "$HEALTHRUN_PG_DIR/standby" -l "$HEALTHRUN_PG_DIR/standby.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $standby_port -k $HEALTHRUN_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$HEALTHRUN_PG_DIR/standby.log" >&2; return 1; }
    export HEALTHRUN_TEST_PG_STANDBY_PORT=$standby_port
    export HEALTHRUN_PG_BIN HEALTHRUN_PG_DIR
    export HEALTHRUN_TEST_PG_HOST=127.0.0.1 HEALTHRUN_TEST_PG_PORT=$port HEALTHRUN_TEST_PG_USER=healthrun
    export HEALTHRUN_TEST_PG_PASSWORD=$password HEALTHRUN_TEST_PG_DATABASE=postgres
    echo "postgres.sh: PostgreSQL $("$HEALTHRUN_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, standby on :$standby_port" >&2
}
