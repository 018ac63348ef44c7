#!/usr/bin/env bash
# Runs the real Apache Kafka broker (single node, KRaft combined mode, on
# 127.0.0.1) straight from its Maven Central jars. See infra/README.md.
#
#   kafka.sh start    fetch jars once, format storage once, start, wait until it serves metadata
#   kafka.sh stop     SIGTERM (controlled shutdown), wait, then SIGKILL
#   kafka.sh status   exit 0 when the broker answers a metadata request, 1 otherwise
#   kafka.sh logs [-f]  the broker log (.run/logs/server.log)
#   kafka.sh fetch    only download the jars into lib/
#   kafka.sh reset    stop and delete the broker's data (topics, offsets, cluster id)
#
# start/stop/reset are serialised with a lock file, so two test suites that
# both find no broker never start two of them.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB="$DIR/lib"
RUN="$DIR/.run"
DATA="$RUN/data"
LOGS="$RUN/logs"
PID_FILE="$RUN/kafka.pid"
CONFIG="$RUN/server.properties"
LOCK="$RUN/kafka.lock"
STAMP="$LIB/.fetched"

HOST=127.0.0.1
PORT=9092
BROKERS="$HOST:$PORT"
START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-180}"
STOP_TIMEOUT_S="${KAFKA_STOP_TIMEOUT_S:-30}"
# Small heap: the machine has 2 cores and little to spare while tests run.
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
NODE="${NODE:-node}"

say() { printf 'kafka: %s\n' "$*"; }
die() { printf 'kafka: %s\n' "$*" >&2; exit 1; }

need_tools() {
  command -v "$JAVA" >/dev/null 2>&1 || die "Java 17+ is required (java not found; set JAVA_HOME or install openjdk-17-jre-headless)."
  local major
  major="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Java 17+ is required (found specification version '${major:-unknown}')."
  command -v "$NODE" >/dev/null 2>&1 || die "node is required for the readiness probe (probe.mjs)."
}

pom_hash() { sha256sum "$DIR/pom.xml" | cut -d' ' -f1; }

# Downloads kafka_2.13 and its runtime dependencies into lib/ unless the jars
# of exactly this pom are already there (the stamp holds the pom's hash).
fetch() {
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(pom_hash)" ]]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "Maven is required to fetch the broker jars once (apt-get install maven)."
  say "fetching broker jars from Maven Central into $LIB (once)"
  # A different pom (another Kafka version) must not leave old jars on the classpath.
  rm -rf "$LIB"
  mkdir -p "$LIB"
  (cd "$DIR" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies) || { rm -rf "$LIB"; die "mvn dependency:copy-dependencies failed (see above)."; }
  ls "$LIB"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn finished but no kafka_2.13 jar is in $LIB."
  pom_hash >"$STAMP"
}

answers() { "$NODE" "$DIR/probe.mjs" "$BROKERS" --quiet --timeout "${1:-2000}"; }

our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  # The pid must still be our broker, not a recycled pid of something else.
  [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' && { echo "$pid"; return 0; }
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

with_lock() {
  mkdir -p "$RUN"
  exec 9>"$LOCK"
  flock -w 600 9 || die "another kafka.sh holds $LOCK for more than 10 minutes."
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  { cat "$DIR/server.properties"
    printf '\n# Added by kafka.sh: machine-specific paths.\nlog.dirs=%s\n' "$DATA"
  } >"$CONFIG"
}

classpath() { printf '%s/*' "$LIB"; }

format_once() {
  [[ -f "$DATA/meta.properties" ]] && return 0
  local cluster_id
  if [[ -s "$RUN/cluster.id" ]]; then
    cluster_id="$(cat "$RUN/cluster.id")"
  else
    cluster_id="$("$JAVA" -cp "$(classpath)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    [[ -n "$cluster_id" ]] || die "kafka-storage random-uuid printed nothing."
    echo "$cluster_id" >"$RUN/cluster.id"
  fi
  say "formatting storage in $DATA (cluster id $cluster_id)"
  "$JAVA" -Dlog4j2.configurationFile="$DIR/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
    -cp "$(classpath)" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" >"$LOGS/format.out" 2>&1 \
    || { cat "$LOGS/format.out" >&2; die "kafka-storage format failed."; }
}

print_connect() {
  say "ready at $BROKERS (pid $(our_pid || echo '?'), log $LOGS/server.log)"
  echo "KAFKA_BROKERS=$BROKERS"
}

start() {
  need_tools
  with_lock
  if answers; then say "already running"; print_connect; return 0; fi
  local pid=""
  if ! pid="$(our_pid)"; then
    if port_open "$PORT" || port_open 9093; then
      die "port $PORT or 9093 on $HOST is taken by something that is not a Kafka broker answering metadata; free it or set KAFKA_BROKERS."
    fi
    fetch
    write_config
    format_once
    say "starting broker (heap: $HEAP_OPTS)"
    # setsid: the broker outlives the shell, test runner or CI step that
    # started it. 9>&-: it must not inherit the lock, or the lock is held for
    # the broker's whole life. All output goes to files so a caller that
    # waits on our stdout (spawnSync) is not held open either.
    cd "$DIR"
    # shellcheck disable=SC2086
    setsid "$JAVA" $HEAP_OPTS $JVM_OPTS \
      -Dlog4j2.configurationFile="$DIR/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
      -cp "$(classpath)" kafka.Kafka "$CONFIG" \
      </dev/null >"$LOGS/kafka.out" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
  else
    say "broker process $pid exists but does not answer yet; waiting"
  fi
  local waited=0
  until answers 2000; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOGS/server.log" "$LOGS/kafka.out" >&2 2>/dev/null || true
      rm -f "$PID_FILE"
      die "broker exited during start-up (logs above, full log in $LOGS)."
    fi
    (( waited >= START_TIMEOUT_S )) && die "broker (pid $pid) did not answer within ${START_TIMEOUT_S}s; see $LOGS/server.log."
    sleep 1
    waited=$((waited + 1))
  done
  print_connect
}

stop() {
  with_lock
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if answers; then say "a broker answers at $BROKERS but was not started by this script; leaving it alone"; else say "not running"; fi
    return 0
  fi
  say "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= STOP_TIMEOUT_S * 5 )); then
      say "no clean shutdown after ${STOP_TIMEOUT_S}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  say "stopped"
}

status() {
  local pid=""
  pid="$(our_pid)" || pid=""
  if answers; then
    if [[ -n "$pid" ]]; then say "running at $BROKERS (pid $pid)"; else say "running at $BROKERS (not started by this script)"; fi
    return 0
  fi
  if [[ -n "$pid" ]]; then say "process $pid exists but the broker does not answer"; else say "not running"; fi
  return 1
}

logs() {
  [[ -f "$LOGS/server.log" ]] || die "no log yet ($LOGS/server.log)."
  if [[ "${1:-}" == "-f" ]]; then exec tail -n 50 -F "$LOGS/server.log"; fi
  tail -n 200 "$LOGS/server.log"
}

reset() {
  stop
  say "deleting $DATA and the cluster id"
  rm -rf "$DATA" "$RUN/cluster.id" "$CONFIG"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  logs) shift; logs "$@" ;;
  fetch) fetch ;;
  reset) reset ;;
  *) echo "usage: $0 start|stop|status|logs [-f]|fetch|reset" >&2; exit 2 ;;
esac
