# shellcheck shell=bash
# Kafka (KRaft, single node) from Maven jars; configuration templates in ops/kafka/.
# Sourced by ops/services after common.sh.

KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
KAFKA_CONF_SRC="$SCRIPT_DIR/kafka"
KAFKA_DIR="$STATE/kafka"
KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_DATA="$KAFKA_DIR/data"
KAFKA_PROPS="$KAFKA_DIR/server.properties"
KAFKA_LOG="$KAFKA_DIR/kafka.log"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_CLUSTER_ID="$KAFKA_DIR/cluster-id"
KAFKA_START_TIMEOUT=60

install_kafka() {
  if ! command -v java >/dev/null 2>&1; then
    apt_install openjdk-17-jre-headless
  fi
  if [ -f "$KAFKA_LIBS/.complete" ]; then
    return 0
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    apt_install maven
  fi
  say "kafka: downloading Kafka jars (~44 MB) with Maven into ${KAFKA_LIBS#"$ROOT"/}…"
  local tmp="$KAFKA_DIR/libs.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  # Maven's own lines, one per file as it downloads, show the progress; mvn.log keeps them.
  {
    mvn -B -f "$KAFKA_CONF_SRC/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 | tee "$KAFKA_DIR/mvn.log"
  } 9>&- || die "kafka: mvn dependency:copy-dependencies failed (log: $KAFKA_DIR/mvn.log)"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  say "kafka: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars downloaded"
}

kafka_pid() { live_pid "$KAFKA_PID" kafka.Kafka; }

kafka_write_config() {
  local template content
  template="$(<"$KAFKA_CONF_SRC/server.properties")"
  content="${template//@KAFKA_LOG_DIRS@/$KAFKA_DATA}"
  printf '%s\n' "$content" >"$KAFKA_PROPS.tmp"
  mv "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

kafka_format() {
  if [ -f "$KAFKA_DATA/meta.properties" ]; then
    return 0
  fi
  if [ ! -s "$KAFKA_CLUSTER_ID" ]; then
    java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$KAFKA_CLUSTER_ID.tmp"
    [ -s "$KAFKA_CLUSTER_ID.tmp" ] || die "kafka: could not generate a cluster id"
    mv "$KAFKA_CLUSTER_ID.tmp" "$KAFKA_CLUSTER_ID"
  fi
  say "kafka: formatting storage in ${KAFKA_DATA#"$ROOT"/} (cluster id $(<"$KAFKA_CLUSTER_ID"))…"
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_CONF_SRC/log4j2.yaml" \
    kafka.tools.StorageTool format -t "$(<"$KAFKA_CLUSTER_ID")" -c "$KAFKA_PROPS" --ignore-formatted \
    >"$KAFKA_DIR/format.log" 2>&1 9>&- ||
    { cat "$KAFKA_DIR/format.log" >&2; die "kafka: storage format failed"; }
}

# The broker has logged its start and accepts connections.
kafka_started() {
  grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null && port_open "$KAFKA_PORT"
}

kafka_answers() { port_open "$KAFKA_PORT"; }

start_kafka() {
  mkdir -p "$KAFKA_DIR"
  reuse_spawned kafka "$KAFKA_PID" kafka.Kafka kafka_answers "port $KAFKA_PORT" \
    "does not answer on port $KAFKA_PORT" && return 0
  require_free_ports kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
  kafka_write_config
  kafka_format
  say "kafka: starting…"
  [ -f "$KAFKA_LOG" ] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  : >"$KAFKA_LOG"
  spawn "$KAFKA_PID" "$KAFKA_LOG" \
    java -Xms512m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$KAFKA_DIR" -Dlog4j2.configurationFile="$KAFKA_CONF_SRC/log4j2.yaml" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS"
  await_spawned kafka "$KAFKA_PID" "$KAFKA_LOG" "$KAFKA_START_TIMEOUT" kafka_started \
    "port $KAFKA_PORT"
}

stop_kafka() { stop_spawned kafka "$KAFKA_PID" kafka.Kafka; }

status_kafka() {
  local pid
  pid="$(kafka_pid)"
  if [ -n "$pid" ] && port_open "$KAFKA_PORT"; then
    printf '%-9s up    port %-10s pid %s\n' kafka "$KAFKA_PORT" "$pid"
  elif [ -n "$pid" ]; then
    printf '%-9s down  port %-10s pid %s (process alive, port not answering)\n' kafka "$KAFKA_PORT" "$pid"
  elif port_open "$KAFKA_PORT"; then
    printf '%-9s down  port %-10s (port used by another process)\n' kafka "$KAFKA_PORT"
  else
    printf '%-9s down  port %s\n' kafka "$KAFKA_PORT"
  fi
}

connections_kafka() { printf '  KAFKA_BOOTSTRAP    127.0.0.1:%s\n' "$KAFKA_PORT"; }
