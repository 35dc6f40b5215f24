# shellcheck shell=bash
# MailDev from npm: SMTP for the app, a web UI for people, mail kept in memory.
# Sourced by ops/services after common.sh.

MAILDEV_VERSION=3.0.0
MAILDEV_SMTP_PORT=1025
MAILDEV_WEB_PORT=1080
MAILDEV_DIR="$STATE/maildev"
MAILDEV_BIN="$MAILDEV_DIR/node_modules/.bin/maildev"
MAILDEV_PID="$MAILDEV_DIR/maildev.pid"
MAILDEV_LOG="$MAILDEV_DIR/maildev.log"
MAILDEV_START_TIMEOUT=30

maildev_healthy() {
  curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$MAILDEV_WEB_PORT/api/healthz" 2>/dev/null
}

install_maildev() {
  # Its health check (maildev_healthy) asks the web UI with curl, which a minimal system lacks.
  if ! command -v curl >/dev/null 2>&1; then
    apt_install curl
  fi
  if [ -x "$MAILDEV_BIN" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  say "maildev: installing maildev@$MAILDEV_VERSION with npm into ${MAILDEV_DIR#"$ROOT"/}…"
  mkdir -p "$MAILDEV_DIR"
  # npm's own output, straight to the terminal: its progress while it works (a pipe would hide
  # it), what it added, and on failure the error and where npm kept its full log.
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    --prefix "$MAILDEV_DIR" "maildev@$MAILDEV_VERSION" 9>&- ||
    die "maildev: npm install failed"
  [ -x "$MAILDEV_BIN" ] || die "maildev: $MAILDEV_BIN missing after npm install"
}

maildev_pid() { live_pid "$MAILDEV_PID" maildev; }

# The web UI answers its health check and SMTP accepts connections.
maildev_ready() { maildev_healthy && port_open "$MAILDEV_SMTP_PORT"; }

start_maildev() {
  mkdir -p "$MAILDEV_DIR"
  reuse_spawned maildev "$MAILDEV_PID" maildev maildev_healthy \
    "smtp $MAILDEV_SMTP_PORT, web $MAILDEV_WEB_PORT" "is not healthy" && return 0
  require_free_ports maildev "$MAILDEV_SMTP_PORT" "$MAILDEV_WEB_PORT"
  say "maildev: starting…"
  [ -f "$MAILDEV_LOG" ] && mv -f "$MAILDEV_LOG" "$MAILDEV_LOG.1"
  # Mail is kept in memory (a restart empties it), but MailDev still writes each .eml under
  # $TMPDIR/maildev: keep those inside .services/ and start each run with an empty folder.
  rm -rf "$MAILDEV_DIR/tmp"
  mkdir -p "$MAILDEV_DIR/tmp"
  spawn "$MAILDEV_PID" "$MAILDEV_LOG" \
    env TMPDIR="$MAILDEV_DIR/tmp" "$MAILDEV_BIN" --ip 127.0.0.1 --web-ip 127.0.0.1 \
    --smtp "$MAILDEV_SMTP_PORT" --web "$MAILDEV_WEB_PORT"
  await_spawned maildev "$MAILDEV_PID" "$MAILDEV_LOG" "$MAILDEV_START_TIMEOUT" maildev_ready \
    "smtp $MAILDEV_SMTP_PORT, web $MAILDEV_WEB_PORT"
}

stop_maildev() { stop_spawned maildev "$MAILDEV_PID" maildev; }

status_maildev() {
  local pid
  pid="$(maildev_pid)"
  if [ -n "$pid" ] && maildev_healthy; then
    printf '%-9s up    port %-10s pid %s\n' maildev "$MAILDEV_SMTP_PORT/$MAILDEV_WEB_PORT" "$pid"
  elif [ -n "$pid" ]; then
    printf '%-9s down  port %-10s pid %s (process alive, not healthy)\n' maildev "$MAILDEV_SMTP_PORT/$MAILDEV_WEB_PORT" "$pid"
  else
    printf '%-9s down  port %s\n' maildev "$MAILDEV_SMTP_PORT/$MAILDEV_WEB_PORT"
  fi
}

connections_maildev() {
  printf '  SMTP               127.0.0.1:%s\n' "$MAILDEV_SMTP_PORT"
  printf '  MailDev UI         http://127.0.0.1:%s\n' "$MAILDEV_WEB_PORT"
}
