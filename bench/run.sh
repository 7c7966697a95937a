#!/usr/bin/env bash
# Measures the gateway with wrk: requests/s of a public route (no authentication) against the same route shape
# with an API key and with a session cookie, in interleaved rounds of one session, in front of nginx returning a
# fixed 200.
#   bench/run.sh                      defaults: 30 s warm-up per route, then 3 rounds of 15 s, 32 connections, 1 wrk thread
#   ROUNDS=5 DURATION=30s CONNECTIONS=64 bench/run.sh
# Needs wrk and nginx (apt-get install wrk nginx), and PostgreSQL and Redis as for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-30s}
export BENCH_GATEWAY_PORT=${BENCH_GATEWAY_PORT:-18080}
export BENCH_MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-18081}
export BENCH_UPSTREAM_PORT=${BENCH_UPSTREAM_PORT:-18090}
KEY=s4e_live_BenchAdminKeyForLoadRuns014Iwbwi
GATEWAY=http://127.0.0.1:$BENCH_GATEWAY_PORT

for tool in wrk nginx java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install wrk nginx)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
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
  server {
    listen 127.0.0.1:$BENCH_UPSTREAM_PORT;
    keepalive_requests 1000000;
    location / { return 200 'ok'; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

echo "bench: building the jar" >&2
./mvnw -q -B -DskipTests package
jar=$(ls target/s4e-gateway-*.jar | grep -v plain | head -1)

java -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$jar" \
  --spring.config.additional-location=file:bench/application-bench.yml \
  --logging.level.root=WARN > "$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$BENCH_MANAGEMENT_PORT/actuator/health/readiness" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$BENCH_MANAGEMENT_PORT/actuator/health/readiness" >/dev/null \
  || { echo "bench: the gateway did not become ready" >&2; tail -50 "$work/gateway.log" >&2; exit 1; }

# Both routes must answer 200 before anything is measured.
[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/bench/public/x")" = 200 ] || { echo "public route broken" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$GATEWAY/bench/key/x")" = 200 ] \
  || { echo "key route broken" >&2; exit 1; }

SESSION=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"email":"bench@bench.local","password":"bench-password-local-only"}' "$GATEWAY/api/user/auth/login" \
  | sed -E 's/.*"token":"([^"]+)".*/\1/')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: token=$SESSION" "$GATEWAY/bench/key/x")" = 200 ] \
  || { echo "session route broken" >&2; exit 1; }

run_wrk() { # name url [header]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$3" "$2")
  else
    out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$2")
  fi
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$1 $rps $p50 $p99 ${non2xx:-0}"
}

echo "bench: warming up" >&2
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$GATEWAY/bench/public/x" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $KEY" "$GATEWAY/bench/key/x" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -H "Cookie: token=$SESSION" "$GATEWAY/bench/key/x" >/dev/null

results="$work/results"
for round in $(seq 1 "$ROUNDS"); do
  echo "bench: round $round of $ROUNDS" >&2
  run_wrk public "$GATEWAY/bench/public/x" >> "$results"
  run_wrk api_key "$GATEWAY/bench/key/x" "Authorization: Bearer $KEY" >> "$results"
  run_wrk session "$GATEWAY/bench/key/x" "Cookie: token=$SESSION" >> "$results"
done

printf '%-8s %-6s %12s %10s %10s %8s\n' scenario round rps p50 p99 non2xx
awk '{n[$1]++; printf "%-8s %-6s %12s %10s %10s %8s\n", $1, n[$1], $2, $3, $4, $5}' "$results"
awk '
  { sum[$1] += $2; cnt[$1]++; bad[$1] += $5 }
  END {
    pub = sum["public"] / cnt["public"]; key = sum["api_key"] / cnt["api_key"]; ses = sum["session"] / cnt["session"];
    printf "\nmean rps: public %.0f, api_key %.0f, session %.0f; api_key/public %.3f, session/public %.3f\n",
      pub, key, ses, key / pub, ses / pub;
    printf "{\"public_rps\":%.0f,\"api_key_rps\":%.0f,\"session_rps\":%.0f,\"ratio_api_key_public\":%.3f,\"ratio_session_public\":%.3f,\"non2xx\":%d,\"rounds\":%d}\n",
      pub, key, ses, key / pub, ses / pub, bad["public"] + bad["api_key"] + bad["session"], cnt["public"];
  }' "$results"
