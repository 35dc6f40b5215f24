# shellcheck shell=bash
# Redis: reuses a redis already answering on its port; stops only the one it started.
# Sourced by ops/services after common.sh.

REDIS_PORT=6379
REDIS_DIR="$STATE/redis"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

redis_ping() {
  [ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

install_redis() {
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server
  fi
}

start_redis() {
  mkdir -p "$REDIS_DIR"
  local pid
  pid="$(live_pid "$REDIS_PID" redis-server)"
  if [ -n "$pid" ] && redis_ping; then
    say "redis: already running (pid $pid, port $REDIS_PORT), reused"
    return 0
  fi
  if [ -z "$pid" ] && redis_ping; then
    rm -f "$REDIS_PID"
    say "redis: a redis not started by this script already answers on 127.0.0.1:$REDIS_PORT; reusing it (down will not stop it)"
    return 0
  fi
  if [ -z "$pid" ]; then
    rm -f "$REDIS_PID"
    port_open "$REDIS_PORT" && die "redis: port $REDIS_PORT is in use by something that does not answer PING"
    say "redis: starting…"
    (cd "$REDIS_DIR" && redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
      --save "" --appendonly no --dir "$REDIS_DIR" \
      --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" 9>&-) ||
      die "redis: redis-server failed to start (log: $REDIS_LOG)"
  fi
  local i
  for ((i = 0; i < 100; i++)); do
    redis_ping && break
    sleep 0.1
  done
  redis_ping || { tail -n 20 "$REDIS_LOG" >&2 || true; die "redis: no PONG on 127.0.0.1:$REDIS_PORT"; }
  say "redis: ready (port $REDIS_PORT, pid $(read_pid "$REDIS_PID"))"
}

stop_redis() {
  local pid
  pid="$(live_pid "$REDIS_PID" redis-server)"
  if [ -z "$pid" ]; then
    rm -f "$REDIS_PID"
    if redis_ping; then
      say "redis: not started by this script; leaving the redis on port $REDIS_PORT running"
    else
      say "redis: not running"
    fi
    return 0
  fi
  say "redis: stopping (pid $pid)…"
  stop_pid redis "$pid"
  rm -f "$REDIS_PID"
  say "redis: stopped"
}

status_redis() {
  local pid
  pid="$(live_pid "$REDIS_PID" redis-server)"
  if [ -n "$pid" ]; then
    printf '%-9s up    port %-10s pid %s\n' redis "$REDIS_PORT" "$pid"
  elif redis_ping; then
    printf '%-9s up    port %-10s (not started by this script)\n' redis "$REDIS_PORT"
  else
    printf '%-9s down  port %s\n' redis "$REDIS_PORT"
  fi
}

connections_redis() { printf '  REDIS_URL          redis://127.0.0.1:%s/0\n' "$REDIS_PORT"; }
