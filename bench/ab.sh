#!/usr/bin/env bash
# A/B of two builds of the gateway in one session: what one change bought, per request path. For each pair, each jar
# in turn gets a fresh gateway (rate limits on, bench/application-bench.yml, a scratch database), every scenario is
# warmed up, then ROUNDS interleaved rounds of wrk; the bare Spring Cloud Gateway runs beside each as the floor.
# Prints each round's requests/s and gateway CPU-µs per request, then per jar and scenario the median CPU-µs per
# request over the warm rounds (every round but the first) of all pairs, and the ratio after/before.
#   bench/ab.sh BEFORE.jar AFTER.jar
#   PAIRS=2 ROUNDS=3 DURATION=8s SCENARIOS="bare public full" bench/ab.sh a.jar b.jar   (defaults but the scenarios)
# Builds are compared on the same JVM and flags as bench/run.sh (Java 25 when the machine has it, without the AOT
# cache: the cache changes start-up, not the warm path). Needs wrk, nginx, psql, redis-cli and the bare gateway's jar
# (./mvnw -f bench/bare-gateway/pom.xml -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -eq 2 ] || { echo "usage: bench/ab.sh BEFORE.jar AFTER.jar" >&2; exit 2; }
jars=("$1" "$2")
PAIRS=${PAIRS:-2}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-10s}
SCENARIOS=${SCENARIOS:-"bare public api_key full session unknown malformed"}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}
JAVA=${JAVA:-java}
java_feature=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
if [ "${java_feature%%.*}" -ge 25 ] 2>/dev/null; then # bench/run.sh's flags, the image's
  JAVA_OPTS=${JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:+UseCompactObjectHeaders}
else
  JAVA_OPTS=${JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC}
fi
UPSTREAM_PORT=18090
GW_PORT=18080
GW_MANAGEMENT=18081
BARE_PORT=18380
KEY=s4e_live_BenchAdminKeyForLoadRuns014Iwbwi
TICKS=$(getconf CLK_TCK)
bare_jar=bench/bare-gateway/target/bare-gateway-0.jar

for tool in wrk nginx "$JAVA" psql redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "ab: $tool is needed (apt-get install wrk nginx)" >&2; exit 2; }
done
for f in "${jars[@]}" "$bare_jar"; do [ -f "$f" ] || { echo "ab: no $f" >&2; exit 2; }; done
for port in $UPSTREAM_PORT $GW_PORT $BARE_PORT; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "ab: port $port is taken" >&2; exit 2; fi
done

work=$(mktemp -d)
pids=()
db=
stop_gateways() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  [ -n "$db" ] && psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  db=
}
cleanup() {
  stop_gateways
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$UPSTREAM_PORT; keepalive_requests 1000000; location / { return 200 'ok'; } }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

url_of() {
  case $1 in
    bare) echo "http://127.0.0.1:$BARE_PORT/bench/x" ;;
    public) echo "http://127.0.0.1:$GW_PORT/bench/public/x" ;;
    api_key | unknown | malformed) echo "http://127.0.0.1:$GW_PORT/bench/key/x" ;;
    full | session) echo "http://127.0.0.1:$GW_PORT/bench/full/x" ;;
    *) echo "ab: unknown scenario $1" >&2; exit 2 ;;
  esac
}
header_of() {
  case $1 in
    api_key | full) echo "Authorization: Bearer $KEY" ;;
    session) echo "Cookie: token=$session" ;;
    unknown) echo "Authorization: Bearer s4e_live_BenchUnknownKeyForThe401Pa244g0a" ;;
    malformed) echo "Authorization: Bearer s4e_live_not-a-key" ;;
    *) echo "X-Bench: 1" ;;
  esac
}
expected_of() {
  case $1 in unknown | malformed) echo 401 ;; *) echo 200 ;; esac
}

run_jar() { # label jar
  local label=$1 jar=$2 gw bare s round pid before after out requests rps code
  db="s4e_ab_$$_$label"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db" >/dev/null
  redis-cli --scan --pattern 's4e-bench:*' | xargs -r redis-cli del >/dev/null
  # shellcheck disable=SC2086
  BENCH_GATEWAY_PORT=$GW_PORT BENCH_MANAGEMENT_PORT=$GW_MANAGEMENT BENCH_UPSTREAM_PORT=$UPSTREAM_PORT \
    "$JAVA" $JAVA_OPTS -jar "$jar" --spring.config.additional-location=file:bench/application-bench.yml \
    --spring.r2dbc.url="r2dbc:postgresql://127.0.0.1:5432/$db" --logging.level.root=WARN > "$work/gw-$label.log" 2>&1 &
  gw=$!
  pids+=("$gw")
  # shellcheck disable=SC2086
  BENCH_BARE_PORT=$BARE_PORT BENCH_UPSTREAM_PORT=$UPSTREAM_PORT "$JAVA" $JAVA_OPTS -jar "$bare_jar" \
    --logging.level.root=WARN > "$work/bare-$label.log" 2>&1 &
  bare=$!
  pids+=("$bare")
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$GW_MANAGEMENT/actuator/health/readiness" >/dev/null 2>&1 \
      && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BARE_PORT/bench/x")" = 200 ] && break
    sleep 0.1
  done
  session=$(curl -fs -H 'Content-Type: application/json' \
    -d '{"email":"bench@bench.local","password":"bench-password-local-only"}' \
    "http://127.0.0.1:$GW_PORT/api/user/auth/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  for s in $SCENARIOS; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$(header_of "$s")" "$(url_of "$s")")
    [ "$code" = "$(expected_of "$s")" ] || { echo "ab: $label $s answered $code" >&2; tail -30 "$work/gw-$label.log" >&2; exit 1; }
    wrk -t2 -c64 -d"$WARMUP" -H "$(header_of "$s")" "$(url_of "$s")" >/dev/null
  done
  for round in $(seq 1 "$ROUNDS"); do
    for s in $SCENARIOS; do
      if [ "$s" = bare ]; then pid=$bare; else pid=$gw; fi
      before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      out=$(wrk -t2 -c64 -d"$DURATION" -H "$(header_of "$s")" "$(url_of "$s")")
      after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      requests=$(awk '/requests in/ {print $1}' <<<"$out")
      rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
      awk -v l="$label" -v r="$round" -v s="$s" -v rps="$rps" -v t=$((after - before)) -v n="$requests" -v hz="$TICKS" \
        'BEGIN {printf "%s %d %-10s %7d rps %6.1f cpu_us\n", l, r, s, rps, t * 1e6 / hz / n}' | tee -a "$work/rounds"
    done
  done
  stop_gateways
}

for pair in $(seq 1 "$PAIRS"); do
  run_jar before "${jars[0]}"
  run_jar after "${jars[1]}"
done

echo
echo "median gateway CPU-µs per request over the warm rounds (round 2 on) of $PAIRS pairs:"
for s in $SCENARIOS; do
  b=$(awk -v s="$s" '$1 == "before" && $2 > 1 && $3 == s {print $6}' "$work/rounds" | sort -n \
    | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
  a=$(awk -v s="$s" '$1 == "after" && $2 > 1 && $3 == s {print $6}' "$work/rounds" | sort -n \
    | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
  awk -v s="$s" -v b="$b" -v a="$a" 'BEGIN {printf "  %-10s before %6.1f  after %6.1f  after/before %.3f\n", s, b, a, a / b}'
done
