#!/usr/bin/env bash
# Measures what the audit log costs on the 401 path: wrk against two gateways started side by side from the same
# jar, one with the audit log on (every request is a request.refused event: a log line on s4e.audit, queued, written
# in batches) and one with s4e.audit.enabled=false, in interleaved rounds of one session. The key is well formed
# (valid checksum) but unknown, so after its first refusal it is answered from the negative cache, as a flood of bad
# keys would be.
#   bench/audit.sh                       defaults: 20 s warm-up per gateway, then 3 rounds of 15 s, 32 connections
#   ROUNDS=5 DURATION=30s bench/audit.sh
# Needs wrk and psql (apt-get install wrk postgresql-client), and PostgreSQL and Redis as for the tests. Both gateways
# use a scratch database (created here, dropped at the end), so the run leaves no events behind.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-20s}
ON_PORT=${ON_PORT:-18180}
OFF_PORT=${OFF_PORT:-18280}
BAD_KEY=s4e_live_BenchUnknownKeyForThe401Pa244g0a

for tool in wrk java curl psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install wrk)" >&2; exit 2; }
done

# Rate-limit state an earlier run left under the bench's Redis prefix (a refused-key block) would answer 429.
if command -v redis-cli >/dev/null; then
  redis-cli --scan --pattern 's4e-bench:rl:*' | xargs -r redis-cli del >/dev/null
fi

work=$(mktemp -d)
pids=()
DB="s4e_audit_wrk_$$"
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done; done
  psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $DB"

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "bench: building the jar" >&2
  ./mvnw -q -B -DskipTests package
fi
jar=$(ls target/s4e-gateway-*.jar | grep -v plain | head -1)

start_gateway() { # name port management-port audit-enabled
  BENCH_GATEWAY_PORT=$2 BENCH_MANAGEMENT_PORT=$3 java -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$jar" \
    --spring.config.additional-location=file:bench/application-bench.yml \
    --logging.level.root=WARN --logging.level.s4e.audit=INFO \
    --spring.data.redis.timeout=5s --spring.data.redis.connect-timeout=5s \
    --spring.r2dbc.url="r2dbc:postgresql://127.0.0.1:5432/$DB?connectTimeout=PT2S" \
    --s4e.audit.enabled="$4" > "$work/$1.log" 2>&1 &
  pids+=($!)
}
start_gateway on "$ON_PORT" $((ON_PORT + 1)) true
start_gateway off "$OFF_PORT" $((OFF_PORT + 1)) false
for port in $((ON_PORT + 1)) $((OFF_PORT + 1)); do
  for _ in $(seq 1 180); do
    curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null \
    || { echo "bench: a gateway did not become ready" >&2; tail -n 50 "$work"/*.log >&2; exit 1; }
done
for port in "$ON_PORT" "$OFF_PORT"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $BAD_KEY" "http://127.0.0.1:$port/bench/key/x")" = 401 ] \
    || { echo "bench: the bad key is not answered 401 on :$port" >&2; exit 1; }
done

run_wrk() { # name port
  local out rps p50 p99
  local code
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $BAD_KEY" "http://127.0.0.1:$2/bench/key/x")
  [ "$code" = 401 ] || { echo "bench: the gateway on :$2 answered $code" >&2; tail -n 30 "$work"/*.log >&2; exit 1; }
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $BAD_KEY" \
    -H "X-Request-ID: bench-audit-$1" "http://127.0.0.1:$2/bench/key/x")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  [ -n "$rps" ] || { echo "bench: wrk failed against :$2: $out" >&2; exit 1; }
  echo "$1 $rps $p50 $p99"
}

echo "bench: warming up" >&2
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $BAD_KEY" "http://127.0.0.1:$ON_PORT/bench/key/x" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $BAD_KEY" "http://127.0.0.1:$OFF_PORT/bench/key/x" >/dev/null

results="$work/results"
for round in $(seq 1 "$ROUNDS"); do
  echo "bench: round $round of $ROUNDS" >&2
  if (( round % 2 )); then
    run_wrk audit_on "$ON_PORT" >> "$results"; run_wrk audit_off "$OFF_PORT" >> "$results"
  else
    run_wrk audit_off "$OFF_PORT" >> "$results"; run_wrk audit_on "$ON_PORT" >> "$results"
  fi
done
sleep 2
metrics=$(curl -fs "http://127.0.0.1:$((ON_PORT + 1))/actuator/prometheus" | grep -E '^s4e_audit_(written|dropped|write_failures|queue_depth)' || true)

printf '%-10s %-6s %12s %10s %10s\n' scenario round rps p50 p99
awk '{n[$1]++; printf "%-10s %-6s %12s %10s %10s\n", $1, n[$1], $2, $3, $4}' "$results"
echo
echo "$metrics"
awk '
  { sum[$1] += $2; cnt[$1]++ }
  END {
    on = sum["audit_on"] / cnt["audit_on"]; off = sum["audit_off"] / cnt["audit_off"];
    printf "\nmean rps of the 401 path: audit on %.0f, audit off %.0f; on/off %.3f\n", on, off, on / off;
    printf "{\"audit_on_rps\":%.0f,\"audit_off_rps\":%.0f,\"ratio_on_off\":%.3f,\"rounds\":%d}\n", on, off, on / off, cnt["audit_on"];
  }' "$results"
