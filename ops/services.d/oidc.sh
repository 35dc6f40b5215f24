# shellcheck shell=bash
# An OpenID Provider for local runs and tests: the npm package oidc-provider, configured by
# ops/oidc/provider.mjs (one client, PKCE required, test accounts, development login pages).
# Sourced by ops/services after common.sh.

OIDC_PROVIDER_VERSION=9.13.3
OIDC_PROVIDER_PORT="${OIDC_PROVIDER_PORT:-9010}"
OIDC_DIR="$STATE/oidc"
OIDC_SCRIPT="$SCRIPT_DIR/oidc/provider.mjs"
OIDC_PID="$OIDC_DIR/oidc.pid"
OIDC_LOG="$OIDC_DIR/oidc.log"
OIDC_START_TIMEOUT=30

oidc_healthy() {
  curl -fsS -o /dev/null --max-time 2 \
    "http://127.0.0.1:$OIDC_PROVIDER_PORT/.well-known/openid-configuration" 2>/dev/null
}

install_oidc() {
  if ! command -v curl >/dev/null 2>&1; then
    apt_install curl
  fi
  if [ -f "$OIDC_DIR/node_modules/oidc-provider/package.json" ] &&
    grep -q "\"version\": \"$OIDC_PROVIDER_VERSION\"" "$OIDC_DIR/node_modules/oidc-provider/package.json"; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  say "oidc: installing oidc-provider@$OIDC_PROVIDER_VERSION with npm into ${OIDC_DIR#"$ROOT"/}…"
  mkdir -p "$OIDC_DIR"
  # An exact version, no lock file written: as for MailDev (maildev.sh).
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    --prefix "$OIDC_DIR" "oidc-provider@$OIDC_PROVIDER_VERSION" 9>&- ||
    die "oidc: npm install failed"
}

oidc_pid() { live_pid "$OIDC_PID" provider.mjs; }

start_oidc() {
  mkdir -p "$OIDC_DIR"
  reuse_spawned oidc "$OIDC_PID" provider.mjs oidc_healthy \
    "http://127.0.0.1:$OIDC_PROVIDER_PORT" "is not healthy" && return 0
  require_free_ports oidc "$OIDC_PROVIDER_PORT"
  say "oidc: starting…"
  [ -f "$OIDC_LOG" ] && mv -f "$OIDC_LOG" "$OIDC_LOG.1"
  # Run beside the node_modules npm filled: an ES module finds its imports from where it lies.
  cp "$OIDC_SCRIPT" "$OIDC_DIR/provider.mjs"
  spawn "$OIDC_PID" "$OIDC_LOG" \
    env OIDC_PROVIDER_PORT="$OIDC_PROVIDER_PORT" node "$OIDC_DIR/provider.mjs"
  await_spawned oidc "$OIDC_PID" "$OIDC_LOG" "$OIDC_START_TIMEOUT" oidc_healthy \
    "http://127.0.0.1:$OIDC_PROVIDER_PORT"
}

stop_oidc() { stop_spawned oidc "$OIDC_PID" provider.mjs; }

status_oidc() {
  local pid
  pid="$(oidc_pid)"
  if [ -n "$pid" ] && oidc_healthy; then
    printf '%-9s up    port %-10s pid %s\n' oidc "$OIDC_PROVIDER_PORT" "$pid"
  elif [ -n "$pid" ]; then
    printf '%-9s down  port %-10s pid %s (process alive, not healthy)\n' oidc "$OIDC_PROVIDER_PORT" "$pid"
  else
    printf '%-9s down  port %s\n' oidc "$OIDC_PROVIDER_PORT"
  fi
}

connections_oidc() {
  printf '  OpenID Provider    http://127.0.0.1:%s (client accounts / accounts-local-secret)\n' \
    "$OIDC_PROVIDER_PORT"
}
