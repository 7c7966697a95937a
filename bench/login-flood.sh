#!/usr/bin/env bash
# A real login's time to a 200 during a password-hashing flood (issue "Attacks that got through", class 4): wrk opens
# 400 connections at once, each sending wrong-password logins for unknown e-mails from 40 client addresses (so 10
# each fit the per-IP limit of 10 a minute; later ones are refused 429 at once), and 0.3 s in, a real user signs in
# with curl, honouring Retry-After on 503. Two gateways from the same jar, one after the other in each round:
#   bulkhead  the defaults: s4e.password-checks.concurrency (half the processors) and .queue (4 per thread)
#   before    as the gateway was before the bulkhead: max(2, processors) threads and an unbounded queue
#   bench/login-flood.sh                 3 rounds
#   ROUNDS=5 SKIP_BUILD=1 bench/login-flood.sh
# Needs wrk, curl and psql, and PostgreSQL and Redis as for the tests. Prints one line per run and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18380}
for tool in wrk java curl psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install wrk)" >&2; exit 2; }
done
if command -v redis-cli >/dev/null; then
  redis-cli --scan --pattern 's4e-bench:rl:*' | xargs -r redis-cli del >/dev/null
fi

work=$(mktemp -d)
pid=""
DB="s4e_flood_$$"
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
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
before_threads=$(( $(nproc) > 2 ? $(nproc) : 2 ))

start_gateway() { # name extra-args...
  local name=$1; shift
  BENCH_GATEWAY_PORT=$PORT BENCH_MANAGEMENT_PORT=$((PORT + 1)) java -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$jar" \
    --spring.config.additional-location=file:bench/application-bench.yml \
    --logging.level.root=WARN --s4e.audit.enabled=false --s4e.trusted-proxies=127.0.0.1/32 \
    --s4e.rate-limits.login.per-ip-per-minute=10 \
    --spring.r2dbc.url="r2dbc:postgresql://127.0.0.1:5432/$DB?connectTimeout=PT2S" "$@" > "$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 180); do
    curl -fs "http://127.0.0.1:$((PORT + 1))/actuator/health/readiness" >/dev/null 2>&1 && return
    sleep 0.5
  done
  echo "bench: the gateway did not become ready" >&2; tail -n 50 "$work/$name.log" >&2; exit 1
}
stop_gateway() {
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; pid=""
}
real_login() { # prints: milliseconds tries status
  local start tries=0 status retry
  start=$(date +%s%N)
  while :; do
    tries=$((tries + 1))
    status=$(curl -s -m 120 -o "$work/login.json" -D "$work/login.headers" -w '%{http_code}' \
      -H 'Content-Type: application/json' -H 'X-Forwarded-For: 10.99.0.1' \
      -d '{"email":"bench@bench.local","password":"bench-password-local-only"}' \
      "http://127.0.0.1:$PORT/api/user/auth/login")
    [ "$status" = 503 ] || break
    retry=$(awk -F': ' 'tolower($1)=="retry-after" {print $2+0}' "$work/login.headers")
    sleep "${retry:-1}"
  done
  echo "$(( ($(date +%s%N) - start) / 1000000 )) $tries $status"
}

declare -A results
for round in $(seq 1 "$ROUNDS"); do
  for variant in bulkhead before; do
    if [ "$variant" = before ]; then
      start_gateway "$variant" --s4e.password-checks.concurrency="$before_threads" --s4e.password-checks.queue=1000000
    else
      start_gateway "$variant"
    fi
    real_login >/dev/null   # warm: the first login of a fresh gateway
    FLOOD_ROUND=$round wrk -t2 -c400 -d8s --timeout 60s -s bench/login-flood.lua "http://127.0.0.1:$PORT" \
      > "$work/wrk.out" 2>&1 &
    wrk_pid=$!
    sleep 0.3
    read -r ms tries status < <(real_login)
    wait "$wrk_pid" || true
    rejected=$(curl -s "http://127.0.0.1:$((PORT + 1))/actuator/prometheus" \
      | awk '/^s4e_password_checks_rejected_total/ {print int($2)}')
    echo "login-flood: round $round $variant: real login $status after $ms ms in $tries tries;" \
      "password checks refused at once: ${rejected:-0}; wrk: $(grep -E 'Requests/sec' "$work/wrk.out" | xargs)"
    results[$variant]+="$ms "
    stop_gateway
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "login-flood: median real login during the flood: bulkhead $(echo "${results[bulkhead]}" | median) ms," \
  "before $(echo "${results[before]}" | median) ms"
