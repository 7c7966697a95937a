#!/usr/bin/env bash
# Soak run (not part of CI): two gateway replicas with Netty leak detection at paranoid, in front of nginx returning
# 200, driven by wrk with a mixed request stream (API keys, session cookies and query tokens, logins, and refusals:
# 400/401/403/404) for SOAK_SECONDS, one wrk per replica. Reports requests, answers by status code, socket errors,
# LEAK lines in the replicas' logs (must be 0), and heap (after a full GC) and RSS of each replica at start and end.
#   bench/soak.sh                                  10 minutes, 16 connections per replica
#   SOAK_SECONDS=60 SOAK_CONNECTIONS=8 bench/soak.sh
#   SOAK_SKIP_BUILD=1 bench/soak.sh                use the jar already in target/ (SOAK_JAR=path: that jar)
# Needs wrk, nginx, psql, jcmd, curl, and PostgreSQL and Redis as for the tests. Creates the database s4e_soak
# (dropped at the end) and uses the Redis key prefix s4e-soak:.
set -euo pipefail
cd "$(dirname "$0")/.."

SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-16}
SOAK_WARMUP=${SOAK_WARMUP:-20}
export SOAK_DATABASE=${SOAK_DATABASE:-s4e_soak}
export SOAK_UPSTREAM_PORT=${SOAK_UPSTREAM_PORT:-28090}
PORTS=(${SOAK_PORTS:-28080 28081})
MANAGEMENT=(${SOAK_MANAGEMENT_PORTS:-28180 28181})
ADMIN_KEY=s4e_live_SoakAdminKeyForLongRuns0012qlD9r
EMAIL=soak@soak.local
PASSWORD=soak-password-local-only

for tool in wrk nginx java jcmd psql curl; do
  command -v "$tool" >/dev/null || { echo "soak: $tool is needed" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $SOAK_DATABASE WITH (FORCE)" >/dev/null 2>&1 || true
  if [ -n "${SOAK_KEEP_LOGS:-}" ]; then cp "$work"/gateway-*.log "$SOAK_KEEP_LOGS"/ 2>/dev/null || true; fi
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
    listen 127.0.0.1:$SOAK_UPSTREAM_PORT;
    keepalive_requests 1000000;
    location / { return 200 'ok'; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $SOAK_DATABASE WITH (FORCE)" >/dev/null
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $SOAK_DATABASE" >/dev/null

if [ -n "${SOAK_JAR:-}" ]; then
  jar=$SOAK_JAR
else
  if [ -z "${SOAK_SKIP_BUILD:-}" ]; then
    echo "soak: building the jar" >&2
    ./mvnw -q -B -DskipTests package
  fi
  jar=$(ls target/s4e-gateway-*.jar | grep -v plain | head -1)
fi

gateway_pids=()
for i in 0 1; do
  # the first replica runs the migrations and the bootstrap before the second starts
  SOAK_GATEWAY_PORT=${PORTS[$i]} SOAK_MANAGEMENT_PORT=${MANAGEMENT[$i]} \
    java -Xms256m -Xmx256m -XX:+UseSerialGC -Dio.netty.leakDetection.level=paranoid -jar "$jar" \
    --spring.config.additional-location=file:bench/application-soak.yml \
    --logging.level.root=WARN > "$work/gateway-$i.log" 2>&1 &
  pids+=($!)
  gateway_pids+=($!)
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:${MANAGEMENT[$i]}/actuator/health/readiness" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fs "http://127.0.0.1:${MANAGEMENT[$i]}/actuator/health/readiness" >/dev/null \
    || { echo "soak: replica $i did not become ready" >&2; tail -50 "$work/gateway-$i.log" >&2; exit 1; }
done

G0=http://127.0.0.1:${PORTS[0]}
SESSION=$(curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" \
  "$G0/api/user/auth/login" | sed -E 's/.*"token":"([^"]+)".*/\1/')
NARROW=$(curl -fs -H 'Content-Type: application/json' -H "X-API-Key: $ADMIN_KEY" \
  -d '{"name":"soak-narrow","scopes":["read:scans"]}' "$G0/api/keys" | sed -E 's/.*"key":"([^"]+)".*/\1/')
for port in "${PORTS[@]}"; do
  for header in "X-API-Key: $ADMIN_KEY" "Cookie: token=$SESSION"; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "http://127.0.0.1:$port/soak/key/x")" = 200 ] \
      || { echo "soak: replica on $port does not serve ${header%%:*}" >&2; exit 1; }
  done
done
export SOAK_ADMIN_KEY=$ADMIN_KEY SOAK_NARROW_KEY=$NARROW SOAK_SESSION=$SESSION SOAK_EMAIL=$EMAIL SOAK_PASSWORD=$PASSWORD

heap_mb() { # pid: Java heap in use after a full GC (the generations, not metaspace), in MiB
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/generation/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?/, "", v); s += v}} END {printf "%.1f", s / 1024}'
}
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

echo "soak: warming up for ${SOAK_WARMUP}s" >&2
warm_pids=()
for port in "${PORTS[@]}"; do
  wrk -t1 -c4 -d"${SOAK_WARMUP}s" -s bench/soak.lua "http://127.0.0.1:$port" >/dev/null &
  warm_pids+=($!)
done
for pid in "${warm_pids[@]}"; do wait "$pid"; done

declare -A heap_start rss_start
for i in 0 1; do
  heap_start[$i]=$(heap_mb "${gateway_pids[$i]}")
  rss_start[$i]=$(rss_mb "${gateway_pids[$i]}")
done

echo "soak: ${SOAK_SECONDS}s of mixed traffic, ${SOAK_CONNECTIONS} connections per replica" >&2
wrk_pids=()
for i in 0 1; do
  wrk -t1 -c"$SOAK_CONNECTIONS" -d"${SOAK_SECONDS}s" --timeout 10s -s bench/soak.lua \
    "http://127.0.0.1:${PORTS[$i]}" > "$work/wrk-$i.out" 2>&1 &
  wrk_pids+=($!)
done
for pid in "${wrk_pids[@]}"; do wait "$pid"; done

declare -A heap_end rss_end
for i in 0 1; do
  heap_end[$i]=$(heap_mb "${gateway_pids[$i]}")
  rss_end[$i]=$(rss_mb "${gateway_pids[$i]}")
done

echo
echo "soak: ${SOAK_SECONDS}s, 2 replicas, ${SOAK_CONNECTIONS} connections each, leak detection paranoid"
cat "$work"/wrk-*.out | awk '
  $1 == "status" { codes[$2] += $3 }
  $1 == "requests" { requests += $2 }
  $1 == "socket_errors" { for (i = 2; i <= NF; i++) { split($i, kv, "="); errs[kv[1]] += kv[2] } }
  END {
    printf "requests: %d\n", requests;
    printf "answers by status:"; for (c in codes) printf " %s=%d", c, codes[c]; printf "\n";
    printf "socket errors: connect=%d read=%d write=%d timeout=%d\n", errs["connect"], errs["read"], errs["write"], errs["timeout"];
    unexpected = 0; for (c in codes) if (c + 0 >= 500) unexpected += codes[c];
    printf "5xx answers: %d\n", unexpected;
  }'
grep -h latency_p50 "$work"/wrk-*.out | sed 's/^/latency per replica: /'
leaks=$(cat "$work"/gateway-*.log | grep -c "LEAK:" || true)
errors=$(cat "$work"/gateway-*.log | grep -c " ERROR " || true)
echo "LEAK lines in the replicas' logs: $leaks"
echo "ERROR lines in the replicas' logs: $errors"
for i in 0 1; do
  echo "replica $i: heap after GC ${heap_start[$i]} MiB -> ${heap_end[$i]} MiB; RSS ${rss_start[$i]} MiB -> ${rss_end[$i]} MiB"
done
[ "$leaks" = 0 ]
