# shellcheck shell=bash
# PostgreSQL: a private cluster in .services/postgres, run as the postgres OS user.
# Sourced by ops/services after common.sh.

PG_VERSION=15
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
PG_PORT=5433
PG_DIR="$STATE/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
PG_OS_USER=postgres
APP_DB_USER=accounts
APP_DB_PASSWORD=accounts
APP_DATABASES=(accounts accounts_test)

# Run a command as the postgres OS user (from /, so it never complains about an unreadable cwd).
as_pg() {
  if is_root; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

pg_psql() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres "$@"
}

pg_is_ours_running() {
  [ -f "$PG_DATA/PG_VERSION" ] && [ -x "$PG_BIN/pg_ctl" ] || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

pg_pid() { head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true; }

pg_check_access() {
  is_root || return 0
  if ! runuser -u "$PG_OS_USER" -- test -w "$PG_DIR" 2>/dev/null ||
    ! runuser -u "$PG_OS_USER" -- test -x "$PG_DIR" 2>/dev/null; then
    local d="$PG_DIR" blocked=""
    while [ "$d" != "/" ]; do
      d="$(dirname "$d")"
      if ! runuser -u "$PG_OS_USER" -- test -x "$d" 2>/dev/null; then blocked="$d"; fi
    done
    die "postgres: the '$PG_OS_USER' user cannot use $PG_DIR${blocked:+ (it cannot traverse $blocked)}.
  Every parent directory of the repository must be searchable by '$PG_OS_USER' (e.g. chmod o+x ${blocked:-DIR}),
  or clone the repository somewhere else (e.g. under /work or /tmp)."
  fi
}

install_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql
    [ -x "$PG_BIN/initdb" ] || die "postgres: $PG_BIN/initdb still missing after installing postgresql"
  fi
}

pg_init() {
  mkdir -p "$PG_DIR"
  if is_root; then
    chown "$PG_OS_USER:" "$PG_DIR"
  fi
  chmod 700 "$PG_DIR"
  pg_check_access
  as_pg mkdir -p "$PG_SOCK"
  as_pg chmod 700 "$PG_SOCK"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "postgres: creating a private cluster in ${PG_DATA#"$ROOT"/} (initdb)…"
    rm -rf "$PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
      { cat "$PG_DIR/initdb.log" >&2; die "postgres: initdb failed"; }
    printf "\n# Settings written by ops/services on every start\ninclude_if_exists = 'services.conf'\n" |
      as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
  fi
  # Rewritten on every start so a moved clone still points at its own socket directory.
  local sock_escaped="${PG_SOCK//\'/\'\'}"
  as_pg tee "$PG_DATA/services.conf" >/dev/null <<EOF
# Written by ops/services; overwritten on every start.
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock_escaped'
unix_socket_permissions = 0700
logging_collector = off
EOF
}

pg_setup_app() {
  pg_psql -d postgres >/dev/null <<EOF
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$APP_DB_USER') THEN
    CREATE ROLE $APP_DB_USER LOGIN CREATEDB PASSWORD '$APP_DB_PASSWORD';
  ELSE
    ALTER ROLE $APP_DB_USER LOGIN CREATEDB PASSWORD '$APP_DB_PASSWORD';
  END IF;
END
\$\$;
EOF
  local db
  for db in "${APP_DATABASES[@]}"; do
    pg_psql -d postgres >/dev/null <<EOF
SELECT 'CREATE DATABASE $db OWNER $APP_DB_USER'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')
\gexec
EOF
  done
}

start_postgres() {
  if pg_is_ours_running; then
    pg_setup_app
    say "postgres: already running (pid $(pg_pid), port $PG_PORT), reused"
    return 0
  fi
  pg_init
  if port_open "$PG_PORT"; then
    die "postgres: port $PG_PORT is already in use by another process"
  fi
  say "postgres: starting…"
  as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s 9>&- ||
    { tail -n 30 "$PG_LOG" >&2 || true; die "postgres: pg_ctl start failed (log: $PG_LOG)"; }
  local i
  for ((i = 0; i < 100; i++)); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.1
  done
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" ||
    { tail -n 30 "$PG_LOG" >&2 || true; die "postgres: not ready on 127.0.0.1:$PG_PORT"; }
  pg_setup_app
  say "postgres: ready (port $PG_PORT, pid $(pg_pid))"
}

stop_postgres() {
  if ! pg_is_ours_running; then
    say "postgres: not running"
    return 0
  fi
  say "postgres: stopping (pid $(pg_pid))…"
  if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" -s; then
    say "postgres: fast shutdown timed out, using immediate"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 10 -s
  fi
  say "postgres: stopped"
}

status_postgres() {
  if pg_is_ours_running; then
    printf '%-9s up    port %-10s pid %s\n' postgres "$PG_PORT" "$(pg_pid)"
  elif port_open "$PG_PORT"; then
    printf '%-9s down  port %-10s (port used by another process)\n' postgres "$PG_PORT"
  else
    printf '%-9s down  port %s\n' postgres "$PG_PORT"
  fi
}

connections_postgres() {
  printf '  DATABASE_URL       postgresql://%s:%s@127.0.0.1:%s/accounts\n' "$APP_DB_USER" "$APP_DB_PASSWORD" "$PG_PORT"
  printf '  TEST_DATABASE_URL  postgresql://%s:%s@127.0.0.1:%s/accounts_test\n' "$APP_DB_USER" "$APP_DB_PASSWORD" "$PG_PORT"
}
