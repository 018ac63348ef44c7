#!/usr/bin/env bash
# Runs the real Apache Kafka broker (single node, KRaft combined mode, on
# 127.0.0.1) straight from its Maven Central jars. See infra/README.md.
#
#   kafka.sh start [--secure]   fetch jars once, format storage once, start, wait until it serves metadata
#   kafka.sh stop [--secure]    SIGTERM (controlled shutdown), wait, then SIGKILL
#   kafka.sh status [--secure]  exit 0 when the broker answers a metadata request, 1 otherwise
#   kafka.sh logs [--secure] [-f]  the broker log
#   kafka.sh fetch              only download the jars into lib/
#   kafka.sh reset [--secure]   stop and delete the broker's data (topics, offsets, cluster id)
#
# Plaintext (default): 127.0.0.1:9092, no authentication, state in .run/.
# --secure: a second, independent broker on 127.0.0.1:9094 that accepts only
# SASL/SCRAM logins and authorises every request by ACL (deny by default),
# state and generated credentials in .run/secure/. Both can run at once.
#
# start/stop/reset are serialised with a lock file, so two test suites that
# both find no broker never start two of them.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB="$DIR/lib"
STAMP="$LIB/.fetched"
FETCH_LOCK="$DIR/.run/fetch.lock"

COMMAND="${1:-}"
[[ $# -gt 0 ]] && shift
SECURE=0
FOLLOW=0
for arg in "$@"; do
  case "$arg" in
    --secure) SECURE=1 ;;
    -f) FOLLOW=1 ;;
    *) echo "kafka: unknown option $arg" >&2; exit 2 ;;
  esac
done

HOST=127.0.0.1
# Ports are overridable so another broker (a clean-machine timing run) can run
# beside the usual ones; infra/local and the tests expect these defaults.
if (( SECURE )); then
  RUN="$DIR/.run/secure"
  PORT="${KAFKA_PORT:-9094}"
  CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9095}"
else
  RUN="$DIR/.run"
  PORT="${KAFKA_PORT:-9092}"
  CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
fi
DATA="$RUN/data"
LOGS="$RUN/logs"
PID_FILE="$RUN/kafka.pid"
CONFIG="$RUN/server.properties"
LOCK="$RUN/kafka.lock"
CREDENTIALS="$RUN/credentials.env"
ADMIN_CONFIG="$RUN/admin.properties"
BROKERS="$HOST:$PORT"

START_TIMEOUT_S="${KAFKA_START_TIMEOUT_S:-180}"
STOP_TIMEOUT_S="${KAFKA_STOP_TIMEOUT_S:-30}"
# Small heap: the machine has 2 cores and little to spare while tests run.
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
LOG_OPTS=(-Dlog4j2.configurationFile="$DIR/log4j2.properties" -Dkafka.logs.dir="$LOGS")

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
# Its own lock: the plaintext and the secure broker share lib/.
fetch() {
  mkdir -p "$DIR/.run"
  (
    flock -w 600 8 || die "another kafka.sh has been fetching for more than 10 minutes."
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(pom_hash)" ]]; then exit 0; fi
    command -v mvn >/dev/null 2>&1 || die "Maven is required to fetch the broker jars once (apt-get install maven)."
    say "fetching broker jars from Maven Central into $LIB (once)"
    # Into a scratch folder, then swapped in whole: a different pom (another
    # Kafka version) leaves no old jars on the classpath, and a broker running
    # from the old lib/ keeps the files it has open until it is restarted.
    local_tmp="$DIR/.run/lib.tmp"
    local_log="$DIR/.run/fetch.log"
    rm -rf "$local_tmp"
    if ! (cd "$DIR" && mvn -B -Dstyle.color=never -Dkafka.lib.dir="$local_tmp" dependency:copy-dependencies </dev/null >"$local_log" 2>&1); then
      tail -n 30 "$local_log" >&2
      rm -rf "$local_tmp"
      die "mvn dependency:copy-dependencies failed (full output in $local_log)."
    fi
    ls "$local_tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn finished but no kafka_2.13 jar is in $local_tmp."
    pom_hash >"$local_tmp/.fetched"
    rm -rf "$DIR/.run/lib.old"
    if [[ -d "$LIB" ]]; then mv "$LIB" "$DIR/.run/lib.old"; fi
    mv "$local_tmp" "$LIB"
    rm -rf "$DIR/.run/lib.old"
  ) 8>"$FETCH_LOCK"
}

# answers [timeout-ms] [--coordinator]: the broker serves metadata (and, with
# --coordinator, consumer groups). Secure mode: the probe logs in as admin
# (credentials via env, not argv).
answers() {
  local timeout="${1:-2000}"
  [[ $# -gt 0 ]] && shift
  if (( SECURE )); then
    # shellcheck disable=SC1090
    ( set -a; . "$CREDENTIALS"; set +a
      KAFKA_SASL_MECHANISM=SCRAM-SHA-512 KAFKA_SASL_USERNAME="$KAFKA_ADMIN_USERNAME" KAFKA_SASL_PASSWORD="$KAFKA_ADMIN_PASSWORD" \
        "$NODE" "$DIR/probe.mjs" "$BROKERS" --quiet --timeout "$timeout" "$@" ) 2>/dev/null
  else
    "$NODE" "$DIR/probe.mjs" "$BROKERS" --quiet --timeout "$timeout" "$@"
  fi
}

our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  # The pid must still be our broker (this config), not a recycled pid of something else.
  [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka\.Kafka $CONFIG" && { echo "$pid"; return 0; }
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

with_lock() {
  mkdir -p "$RUN"
  exec 9>"$LOCK"
  flock -w 600 9 || die "another kafka.sh holds $LOCK for more than 10 minutes."
}

random_secret() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }

# Secure mode: one set of passwords per data directory, generated once, kept
# only in .run/secure (gitignored, mode 600).
ensure_credentials() {
  [[ -s "$CREDENTIALS" ]] && return 0
  ( umask 077
    { echo "# Generated by kafka.sh for the secure broker at $BROKERS. Do not commit."
      echo "KAFKA_BROKERS=$BROKERS"
      echo "KAFKA_SASL_MECHANISM=scram-sha-512"
      echo "KAFKA_ADMIN_USERNAME=admin"
      echo "KAFKA_ADMIN_PASSWORD=$(random_secret)"
      echo "KAFKA_APP_USERNAME=govsvc"
      echo "KAFKA_APP_PASSWORD=$(random_secret)"
      echo "KAFKA_GUEST_USERNAME=guest"
      echo "KAFKA_GUEST_PASSWORD=$(random_secret)"
      echo "KAFKA_CONTROLLER_PASSWORD=$(random_secret)"
    } >"$CREDENTIALS" )
}

load_credentials() {
  # shellcheck disable=SC1090
  set -a; . "$CREDENTIALS"; set +a
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  ( umask 077
    { cat "$DIR/server.properties"
      if (( SECURE )); then
        printf '\n# ---- secure.properties (kafka.sh --secure) ----\n'
        sed -e "s/@ADMIN_PASSWORD@/$KAFKA_ADMIN_PASSWORD/g" -e "s/@CONTROLLER_PASSWORD@/$KAFKA_CONTROLLER_PASSWORD/g" "$DIR/secure.properties"
      fi
      printf '\n# Added by kafka.sh: machine-specific paths.\nlog.dirs=%s\n' "$DATA"
    } | sed -e "s/127\.0\.0\.1:9092/$HOST:$PORT/g" -e "s/127\.0\.0\.1:9093/$HOST:$CONTROLLER_PORT/g" >"$CONFIG"
    if (( SECURE )); then
      { echo "security.protocol=SASL_PLAINTEXT"
        echo "sasl.mechanism=SCRAM-SHA-512"
        echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$KAFKA_ADMIN_USERNAME\" password=\"$KAFKA_ADMIN_PASSWORD\";"
      } >"$ADMIN_CONFIG"
    fi )
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
  local scram=()
  if (( SECURE )); then
    # SCRAM users must exist before the broker starts: it logs in to itself as admin.
    local user pass mech
    for pair in "$KAFKA_ADMIN_USERNAME:$KAFKA_ADMIN_PASSWORD" "$KAFKA_APP_USERNAME:$KAFKA_APP_PASSWORD" "$KAFKA_GUEST_USERNAME:$KAFKA_GUEST_PASSWORD"; do
      user="${pair%%:*}"; pass="${pair#*:}"
      for mech in SCRAM-SHA-256 SCRAM-SHA-512; do scram+=(--add-scram "$mech=[name=$user,password=$pass]"); done
    done
  fi
  say "formatting storage in $DATA (cluster id $cluster_id)"
  # The output echoes the SCRAM records (salted keys): keep it private, show it only on failure.
  ( umask 077
    "$JAVA" "${LOG_OPTS[@]}" -cp "$(classpath)" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" "${scram[@]}" >"$LOGS/format.out" 2>&1 ) \
    || { tail -n 20 "$LOGS/format.out" >&2; die "kafka-storage format failed."; }
}

acl() { "$JAVA" "${LOG_OPTS[@]}" -cp "$(classpath)" org.apache.kafka.tools.AclCommand --bootstrap-server "$BROKERS" --command-config "$ADMIN_CONFIG" "$@" >>"$LOGS/acls.out" 2>&1; }

# Secure mode: what the application user may do. Everything it needs to
# produce, consume in groups, run transactions and manage its own topics, but
# no cluster administration (ACLs, broker configs, SCRAM users). The guest user
# gets nothing, so tests can show a logged-in but unauthorised client refused.
apply_acls_once() {
  local stamp="$RUN/acls.applied" spec
  spec="$(declare -f apply_acls_once | sha256sum | cut -d' ' -f1)"
  [[ -f "$stamp" && "$(cat "$stamp")" == "$spec" ]] && return 0
  say "granting ACLs to User:$KAFKA_APP_USERNAME"
  local app="User:$KAFKA_APP_USERNAME"
  acl --add --allow-principal "$app" --topic '*' \
      --operation Read --operation Write --operation Create --operation Describe --operation DescribeConfigs --operation Delete \
    && acl --add --allow-principal "$app" --group '*' --operation Read --operation Describe --operation Delete \
    && acl --add --allow-principal "$app" --transactional-id '*' --operation Write --operation Describe \
    && acl --add --allow-principal "$app" --cluster --operation IdempotentWrite --operation Describe \
    || { tail -n 20 "$LOGS/acls.out" >&2; die "granting ACLs failed (see $LOGS/acls.out)."; }
  echo "$spec" >"$stamp"
}

print_connect() {
  say "ready at $BROKERS (pid $(our_pid || echo '?'), log $LOGS/server.log)"
  echo "KAFKA_BROKERS=$BROKERS"
  if (( SECURE )); then
    say "SASL/SCRAM only; credentials (app user $KAFKA_APP_USERNAME, admin, guest) in $CREDENTIALS"
  fi
}

start() {
  need_tools
  with_lock
  if (( SECURE )); then ensure_credentials; load_credentials; fi
  if answers; then
    (( SECURE )) && apply_acls_once
    say "already running"; print_connect; return 0
  fi
  local pid=""
  if ! pid="$(our_pid)"; then
    if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
      die "port $PORT or $CONTROLLER_PORT on $HOST is taken by something that is not this broker answering metadata; free it or set KAFKA_BROKERS."
    fi
    fetch
    write_config
    format_once
    say "starting broker$( (( SECURE )) && echo ' (secure: SASL/SCRAM + ACLs)') (heap: $HEAP_OPTS)"
    # setsid: the broker outlives the shell, test runner or CI step that
    # started it. 9>&-: it must not inherit the lock, or the lock is held for
    # the broker's whole life. All output goes to files so a caller that
    # waits on our stdout (spawnSync) is not held open either.
    cd "$DIR"
    # shellcheck disable=SC2086
    setsid "$JAVA" $HEAP_OPTS $JVM_OPTS "${LOG_OPTS[@]}" \
      -cp "$(classpath)" kafka.Kafka "$CONFIG" \
      </dev/null >"$LOGS/kafka.out" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
  else
    say "broker process $pid exists but does not answer yet; waiting"
  fi
  local waited=0
  # Ready = metadata answers and the group coordinator is loaded, so the
  # first consumer group of a test run does not meet "coordinator loading".
  until answers 2000 --coordinator; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOGS/server.log" "$LOGS/kafka.out" >&2 2>/dev/null || true
      rm -f "$PID_FILE"
      die "broker exited during start-up (logs above, full log in $LOGS)."
    fi
    (( waited >= START_TIMEOUT_S )) && die "broker (pid $pid) did not answer within ${START_TIMEOUT_S}s; see $LOGS/server.log."
    sleep 1
    waited=$((waited + 1))
  done
  (( SECURE )) && apply_acls_once
  print_connect
}

stop() {
  with_lock
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if port_open "$PORT"; then say "something answers at $BROKERS but was not started by this script; leaving it alone"; else say "not running"; fi
    return 0
  fi
  say "stopping broker at $BROKERS (pid $pid)"
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
  if (( SECURE )) && [[ ! -s "$CREDENTIALS" ]]; then say "secure broker never started (no $CREDENTIALS)"; return 1; fi
  (( SECURE )) && load_credentials
  if answers; then
    if [[ -n "$pid" ]]; then say "running at $BROKERS (pid $pid)"; else say "running at $BROKERS (not started by this script)"; fi
    return 0
  fi
  if [[ -n "$pid" ]]; then say "process $pid exists but the broker at $BROKERS does not answer"; else say "not running at $BROKERS"; fi
  return 1
}

logs() {
  [[ -f "$LOGS/server.log" ]] || die "no log yet ($LOGS/server.log)."
  if (( FOLLOW )); then exec tail -n 50 -F "$LOGS/server.log"; fi
  tail -n 200 "$LOGS/server.log"
}

reset() {
  stop
  say "deleting $DATA, the cluster id$( (( SECURE )) && echo ' and the generated credentials')"
  rm -rf "$DATA" "$RUN/cluster.id" "$CONFIG" "$RUN/acls.applied"
  (( SECURE )) && rm -f "$CREDENTIALS" "$ADMIN_CONFIG"
  return 0
}

case "$COMMAND" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  logs) logs ;;
  fetch) fetch ;;
  reset) reset ;;
  *) echo "usage: $0 start|stop|status|logs [-f]|fetch|reset [--secure]" >&2; exit 2 ;;
esac
