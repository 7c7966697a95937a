#!/usr/bin/env bash
# Measures what tier quotas cost: requests/s of the API-key route on two gateways started from the same jar, one
# with rate limits on (every request takes a token from its account's bucket in Redis; the bench tier is so large
# that nothing is refused) and one with s4e.rate-limits.enabled=false, in interleaved rounds, in front of nginx
# returning a fixed 200. Then counts the Redis commands per request of each gateway with MONITOR on a short run.
#   bench/quotas.sh                  defaults: 30 s warm-up per gateway, then 3 rounds of 15 s, 32 connections
#   ROUNDS=5 DURATION=30s bench/quotas.sh
# Needs wrk, nginx and redis-cli, and PostgreSQL and Redis as for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-30s}
MONITOR_SECONDS=${MONITOR_SECONDS:-5}
UPSTREAM_PORT=${BENCH_UPSTREAM_PORT:-18090}
ON_PORT=18080
OFF_PORT=18180
KEY=s4e_live_BenchAdminKeyForLoadRuns014Iwbwi

for tool in wrk nginx java redis-cli; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  mkdir -p target && cp "$work"/*.log target/ 2>/dev/null || true  # gateway logs, for a failed run
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
    listen 127.0.0.1:$UPSTREAM_PORT;
    keepalive_requests 1000000;
    location / { return 200 'ok'; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "bench: building the jar" >&2
  ./mvnw -q -B -DskipTests package
fi
jar=$(ls target/s4e-gateway-*.jar | grep -v plain | head -1)

start_gateway() { # name port management-port [extra args]
  local name=$1 port=$2 mport=$3
  shift 3
  BENCH_GATEWAY_PORT=$port BENCH_MANAGEMENT_PORT=$mport BENCH_UPSTREAM_PORT=$UPSTREAM_PORT \
    java -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$jar" \
    --spring.config.additional-location=file:bench/application-bench.yml \
    --logging.level.root=WARN "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$mport/actuator/health/readiness" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "bench: gateway $name did not become ready" >&2; tail -50 "$work/$name.log" >&2; exit 1
}
start_gateway on $ON_PORT 18081
start_gateway off $OFF_PORT 18181 --s4e.rate-limits.enabled=false

for port in $ON_PORT $OFF_PORT; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "http://127.0.0.1:$port/bench/key/x")" = 200 ] \
    || { echo "key route broken on :$port" >&2; exit 1; }
done
curl -s -D - -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$ON_PORT/bench/key/x" \
  | grep -qi '^x-ratelimit-limit: 1000000000' || { echo "the bench quota is not applied on :$ON_PORT" >&2; exit 1; }

run_wrk() { # name port
  local out rps p50 p99 non2xx
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $KEY" "http://127.0.0.1:$2/bench/key/x")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$1 $rps $p50 $p99 ${non2xx:-0}"
}

echo "bench: warming up" >&2
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $KEY" "http://127.0.0.1:$ON_PORT/bench/key/x" >/dev/null
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" -H "Authorization: Bearer $KEY" "http://127.0.0.1:$OFF_PORT/bench/key/x" >/dev/null

results="$work/results"
for round in $(seq 1 "$ROUNDS"); do
  echo "bench: round $round of $ROUNDS" >&2
  if [ $((round % 2)) = 1 ]; then
    run_wrk quotas_on $ON_PORT >> "$results"; run_wrk quotas_off $OFF_PORT >> "$results"
  else
    run_wrk quotas_off $OFF_PORT >> "$results"; run_wrk quotas_on $ON_PORT >> "$results"
  fi
done

# Redis round trips per request: MONITOR during a short run of each gateway, counting the commands the gateway sent
# on the bench's keys (the shared Redis may serve other clients meanwhile; their commands do not carry the bench
# prefix; commands run inside a script are not counted).
round_trips() { # port
  local count requests
  timeout "$((MONITOR_SECONDS + 2))" redis-cli MONITOR > "$work/monitor" 2>/dev/null &
  local monitor=$!
  sleep 1
  requests=$(wrk -t1 -c4 -d"${MONITOR_SECONDS}s" -H "Authorization: Bearer $KEY" "http://127.0.0.1:$1/bench/key/x" \
    | awk '/requests in/ {print $1}')
  sleep 0.5
  kill "$monitor" 2>/dev/null || true
  wait "$monitor" 2>/dev/null || true
  # commands a Lua script runs are shown as "[0 lua]": they are not round trips
  count=$(grep '"s4e-bench:' "$work/monitor" | grep -vc ' lua\]' || true)
  awk -v c="$count" -v r="$requests" 'BEGIN { printf "%d %d %.3f\n", c, r, (r > 0 ? c / r : 0) }'
}
read -r on_cmds on_reqs on_per < <(round_trips $ON_PORT)
read -r off_cmds off_reqs off_per < <(round_trips $OFF_PORT)

printf '%-10s %-6s %12s %10s %10s %8s\n' scenario round rps p50 p99 non2xx
awk '{n[$1]++; printf "%-10s %-6s %12s %10s %10s %8s\n", $1, n[$1], $2, $3, $4, $5}' "$results"
awk -v onc="$on_cmds" -v onr="$on_reqs" -v onp="$on_per" -v offc="$off_cmds" -v offr="$off_reqs" -v offp="$off_per" '
  { sum[$1] += $2; cnt[$1]++; bad[$1] += $5 }
  END {
    on = sum["quotas_on"] / cnt["quotas_on"]; off = sum["quotas_off"] / cnt["quotas_off"];
    printf "\nmean rps: quotas on %.0f, quotas off %.0f; on/off %.3f (cost %.1f %%)\n", on, off, on / off, 100 * (1 - on / off);
    printf "redis commands per request: quotas on %s (%s in %s requests), quotas off %s (%s in %s requests)\n",
      onp, onc, onr, offp, offc, offr;
    printf "{\"quotas_on_rps\":%.0f,\"quotas_off_rps\":%.0f,\"ratio_on_off\":%.3f,\"redis_per_request_on\":%s,\"redis_per_request_off\":%s,\"non2xx\":%d,\"rounds\":%d}\n",
      on, off, on / off, onp, offp, bad["quotas_on"] + bad["quotas_off"], cnt["quotas_on"];
  }' "$results"
