#!/usr/bin/env bash
# Profiles one request path of the gateway with JDK Flight Recorder: nginx as the upstream, one gateway (rate limits
# on, as the bench's "full" gateway), wrk on one scenario, then the hottest methods and the top allocation sites.
#   bench/profile.sh full|public|session|unknown|malformed   (default full)
#   DURATION=30s CONNECTIONS=64 SKIP_BUILD=1 bench/profile.sh public
# The recording stays in target/profile-<scenario>.jfr; `jfr view --help` lists more views (JDK 21+ jfr tool).
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIO=${1:-full}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
JAVA_OPTS=${JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:+UseSerialGC}
JFR_TOOL=${JFR_TOOL:-$(ls -d /usr/lib/jvm/temurin-2*/bin/jfr 2>/dev/null | tail -1)}
UPSTREAM_PORT=18090
PORT=18480
MANAGEMENT=18481
KEY=s4e_live_BenchAdminKeyForLoadRuns014Iwbwi
DB="s4e_profile_$$"
[ -n "$JFR_TOOL" ] || JFR_TOOL=jfr

work=$(mktemp -d)
gw_pid=
cleanup() {
  [ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB" >/dev/null
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

if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -q -B -DskipTests package
fi
jar=$(ls target/s4e-gateway-*.jar | grep -v plain | head -1)
mkdir -p target
recording="$(pwd)/target/profile-$SCENARIO.jfr"
# shellcheck disable=SC2086
BENCH_GATEWAY_PORT=$PORT BENCH_MANAGEMENT_PORT=$MANAGEMENT BENCH_UPSTREAM_PORT=$UPSTREAM_PORT \
  java $JAVA_OPTS -jar "$jar" --spring.config.additional-location=file:bench/application-bench.yml \
  --spring.r2dbc.url="r2dbc:postgresql://127.0.0.1:5432/$DB" --logging.level.root=WARN > "$work/gw.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$MANAGEMENT/actuator/health/readiness" >/dev/null 2>&1 && break
  sleep 0.1
done

GW=http://127.0.0.1:$PORT
case "$SCENARIO" in
  full) url=$GW/bench/full/x; header="Authorization: Bearer $KEY" ;;
  public) url=$GW/bench/public/x; header= ;;
  session)
    token=$(curl -fs -H 'Content-Type: application/json' \
      -d '{"email":"bench@bench.local","password":"bench-password-local-only"}' "$GW/api/user/auth/login" \
      | sed -E 's/.*"token":"([^"]+)".*/\1/')
    url=$GW/bench/key/x; header="Cookie: token=$token" ;;
  unknown) url=$GW/bench/key/x; header="Authorization: Bearer s4e_live_BenchUnknownKeyForThe401Pa244g0a" ;;
  malformed) url=$GW/bench/key/x; header="Authorization: Bearer s4e_live_not-a-key" ;;
  *) echo "profile: unknown scenario $SCENARIO" >&2; exit 2 ;;
esac

wrk -t2 -c"$CONNECTIONS" -d10s ${header:+-H "$header"} "$url" >/dev/null   # warm-up
jcmd "$gw_pid" JFR.start name=profile settings=profile filename="$recording" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" ${header:+-H "$header"} "$url" | grep -E "Requests/sec|Non-2xx"
jcmd "$gw_pid" JFR.stop name=profile >/dev/null
echo "profile: $recording"
"$JFR_TOOL" view --width 200 hot-methods "$recording" | head -45
"$JFR_TOOL" view --width 200 allocation-by-site "$recording" | head -30
