# shellcheck shell=bash
# Helpers every service file uses: messages, ports, pid files, detached processes, apt-get.
# Sourced by ops/services (which sets ROOT and STATE); not meant to run on its own.

STOP_TIMEOUT=20

say() { printf '[services] %s\n' "$*"; }
err() { printf '[services] ERROR: %s\n' "$*" >&2; }
die() { err "$@"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# TCP port on 127.0.0.1 accepts connections.
port_open() {
  # shellcheck disable=SC2016  # $1 is for the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Process $1 is alive and its command line contains $2.
pid_matches() {
  local pid="$1" pattern="$2" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"$pattern"* ]]
}

# shellcheck disable=SC2015  # an empty answer either way is what callers expect
read_pid() { [ -s "$1" ] && tr -dc '0-9' <"$1" || true; }

# Pid from pidfile $1 if that process is alive and matches $2; prints nothing otherwise.
live_pid() {
  local pid
  pid="$(read_pid "$1")"
  if [ -n "$pid" ] && pid_matches "$pid" "$2"; then
    printf '%s' "$pid"
  fi
}

# SIGTERM, wait up to STOP_TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local name="$1" pid="$2" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "$name: still running after ${STOP_TIMEOUT}s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  err "$name: pid $pid did not exit"
  return 1
}

# Run a command detached (own session, no terminal, stdin from /dev/null, fd 9 closed),
# appending output to $2; the process writes its own pid to $1 before exec.
spawn() {
  local pidfile="$1" logfile="$2"
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016  # $$, $0 and $@ are for the inner shell
  setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&-
  local i
  for ((i = 0; i < 50; i++)); do
    [ -s "$pidfile" ] && return 0
    sleep 0.1
  done
  err "could not start: $*"
  return 1
}

apt_install() {
  is_root || die "$* not installed, and installing it needs root: apt-get install -y $*"
  say "installing $* with apt-get (one-time)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

# --- processes this script spawns itself (kafka, maildev) ------------------------------------

# Before starting service $1 (pidfile $2, command line containing $3): 0 when its process runs
# and the check `$4` passes, so it is reused (the message shows $5). Otherwise a live process of
# it, a start in progress or a hung one ($6 says what is wrong), is stopped, the pidfile cleared,
# and 1 tells the caller to start a new one.
reuse_spawned() {
  local name="$1" pidfile="$2" pattern="$3" healthy="$4" shown="$5" symptom="$6" pid
  pid="$(live_pid "$pidfile" "$pattern")"
  if [ -n "$pid" ] && "$healthy"; then
    say "$name: already running (pid $pid, $shown), reused"
    return 0
  fi
  if [ -n "$pid" ]; then
    say "$name: pid $pid $symptom, restarting it"
    # Callers test this function's status, which turns set -e off in here.
    stop_pid "$name" "$pid" || exit 1
  fi
  rm -f "$pidfile"
  return 1
}

# Service $1 cannot start: one of the ports after it already accepts connections.
require_free_ports() {
  local name="$1" port
  shift
  for port in "$@"; do
    port_open "$port" && die "$name: port $port is already in use by another process"
  done
  return 0
}

# Waits up to $4 seconds for service $1, just spawned (pidfile $2, log $3), until `$5` succeeds,
# then says it is ready ($6 shows where). If the process exits first or time runs out, shows the
# end of its log and dies.
await_spawned() {
  local name="$1" pidfile="$2" log="$3" seconds="$4" ready="$5" shown="$6" pid i
  pid="$(read_pid "$pidfile")"
  for ((i = 0; i < seconds * 5; i++)); do
    if "$ready"; then
      say "$name: ready ($shown, pid $pid)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log" >&2 || true
      rm -f "$pidfile"
      die "$name: exited during startup (log: $log)"
    fi
    sleep 0.2
  done
  tail -n 40 "$log" >&2 || true
  die "$name: not ready after ${seconds}s (log: $log; pid $pid left running, 'ops/services stop $name' to stop it)"
}

# Stops service $1's process (pidfile $2, command line containing $3) if it runs.
stop_spawned() {
  local name="$1" pidfile="$2" pid
  pid="$(live_pid "$pidfile" "$3")"
  if [ -z "$pid" ]; then
    rm -f "$pidfile"
    say "$name: not running"
    return 0
  fi
  say "$name: stopping (pid $pid)…"
  stop_pid "$name" "$pid"
  rm -f "$pidfile"
  say "$name: stopped"
}
