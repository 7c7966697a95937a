#!/usr/bin/env bash
# The gateway's benchmark: one command, one session, interleaved rounds of wrk over
#   direct        nginx returning a fixed 200 (the upstream), no proxy
#   nginx_proxy   nginx proxy_pass with keep-alive in front of that upstream (the reference proxy)
#   bare          Spring Cloud Gateway alone (bench/bare-gateway: the gateway's Boot and Cloud versions, one route,
#                 nothing else), the framework's floor
#   public        the gateway, a route with s4e-auth: none
#   api_key       the gateway, an API key (Authorization: Bearer) + tier quota on a scoped route
#   session       the gateway, a session cookie on the full path's route (tier quota + route limit + scopes)
#   full          the gateway, API key + tier quota + a per-route s4e-rate-limit + scopes
# Every gateway scenario runs on one gateway with rate limits on, as a sidecar serves every route from one JVM: the
# ratios compare the work of each path, not two JVMs' warm-up.
#   refused_unknown    a well-formed but unknown key (401, answered from the negative cache after the first)
#   refused_malformed  a malformed key (401 before any store is asked)
# then a fixed-rate pass (at 25 % of the public route's requests/s) of direct, public and full for the latency the
# gateway adds. Prints per scenario the median over rounds of requests/s, p50/p99, the gateway's CPU-µs per request,
# the stores' CPU-µs per request (PostgreSQL and Redis processes together), the gateway's log bytes per request and
# the Redis commands per request (every command the server ran during the scenario, background ones and those a
# script runs included), then MONITOR on a short full-path run for the Redis round trips per forwarded request;
# then the ratios, the gateways' start-to-ready time and peak RSS, as a table and one JSON line.
#   bench/run.sh                        defaults: 3 rounds of 15 s, 10 s warm-up per scenario, wrk -t2 -c64
#   ROUNDS=5 DURATION=30s CONNECTIONS=64 bench/run.sh
#   SKIP_BUILD=1 bench/run.sh           use the jar in target/
#   JAVA=/path/to/java bench/run.sh     the JVM of the gateways and the bare gateway (default: the machine's Java 25,
#                                       as the image runs them; else java on the PATH)
#   JAVA_OPTS="..." bench/run.sh       the gateways' JVM flags (default: the image's and chart's recommended flags
#                                       under the chart's 512 MiB memory limit)
#   CDS=0 bench/run.sh                  start from the plain jar, without the image's AOT cache (Java 25) or
#                                       class-data archive (Java 17)
# Needs wrk and nginx (apt-get install wrk nginx), psql and redis-cli, and PostgreSQL and Redis as for the tests.
# The gateways use a scratch database (dropped at the end) and the Redis prefix s4e-bench:.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-10s}
FIXED_CONNECTIONS=${FIXED_CONNECTIONS:-8}
JAVA=${JAVA:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}
JAVA=${JAVA:-java}
java_feature=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
if [ "${java_feature%%.*}" -ge 25 ] 2>/dev/null; then
  JAVA_OPTS=${JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:+UseCompactObjectHeaders}
else
  JAVA_OPTS=${JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC}
fi
CDS=${CDS:-1}
UPSTREAM_PORT=${BENCH_UPSTREAM_PORT:-18090}
PROXY_PORT=18091
GW_PORT=18080
GW_MANAGEMENT=18081
BARE_PORT=18380
KEY=s4e_live_BenchAdminKeyForLoadRuns014Iwbwi
UNKNOWN_KEY=s4e_live_BenchUnknownKeyForThe401Pa244g0a
MALFORMED_KEY=s4e_live_not-a-key
DB="s4e_bench_$$"
TICKS=$(getconf CLK_TCK)

for tool in wrk nginx "$JAVA" psql redis-cli curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install wrk nginx)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  mkdir -p target && cp "$work"/*.log target/ 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis-cli --scan --pattern 's4e-bench:*' | xargs -r redis-cli del >/dev/null
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB" >/dev/null

cat > "$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream origin { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    keepalive_requests 1000000;
    location / { return 200 'ok'; }
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "bench: building the jar" >&2
  ./mvnw -q -B -DskipTests package
  ./mvnw -q -B -f bench/bare-gateway/pom.xml -DskipTests package
fi
bare_jar=bench/bare-gateway/target/bare-gateway-0.jar
jar=$(ls target/s4e-gateway-*.jar | grep -v plain | head -1)

# As the image does: the jar extracted (application jar + lib/), and an AOT cache (Java 25) or a class-data archive
# (Java 17) from a training run that starts the context and exits without PostgreSQL or Redis (see Dockerfile).
cds_opts=()
if [ "$CDS" = 1 ]; then
  echo "bench: extracting the jar and training the start-up cache on Java $java_feature" >&2
  "$JAVA" -Djarmode=tools -jar "$jar" extract --destination "$work/app" >/dev/null
  jar=$(ls "$work"/app/s4e-gateway-*.jar | head -1)
  if [ "${java_feature%%.*}" -ge 25 ] 2>/dev/null; then
    train=(-XX:AOTCacheOutput=app.aot); cds_opts=("-XX:AOTCache=$work/app/app.aot")
  else
    train=(-XX:ArchiveClassesAtExit=app.jsa); cds_opts=("-XX:SharedArchiveFile=$work/app/app.jsa")
  fi
  # shellcheck disable=SC2086
  (cd "$work/app" && "$JAVA" $JAVA_OPTS "${train[@]}" -Dspring.context.exit=onRefresh -jar "$jar" \
    --spring.flyway.enabled=false --spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:1/none \
    --spring.data.redis.port=1 --s4e.session.jwt-secret=CdsTrainingRunOnlyNeverUsedForTokens0123 \
    --server.port=0 --management.server.port=0 --logging.level.root=WARN > "$work/cds-training.log" 2>&1) \
    || { echo "bench: the start-up cache training run failed" >&2; tail -20 "$work/cds-training.log" >&2; exit 1; }
fi

start_gateway() { # name port management-port [args]
  local name=$1 port=$2 mport=$3 start
  shift 3
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  BENCH_GATEWAY_PORT=$port BENCH_MANAGEMENT_PORT=$mport BENCH_UPSTREAM_PORT=$UPSTREAM_PORT \
    "$JAVA" $JAVA_OPTS "${cds_opts[@]}" -jar "$jar" \
    --spring.config.additional-location=file:bench/application-bench.yml \
    --spring.r2dbc.url="r2dbc:postgresql://127.0.0.1:5432/$DB" \
    --logging.level.root=WARN "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  eval "${name}_pid=$!"
  for _ in $(seq 1 600); do
    if curl -fs "http://127.0.0.1:$mport/actuator/health/readiness" >/dev/null 2>&1; then
      eval "${name}_ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
      return 0
    fi
    sleep 0.1
  done
  echo "bench: gateway $name did not become ready" >&2; tail -50 "$work/$name.log" >&2; exit 1
}
# One at a time, so each start-to-ready time is its own.
start_gateway gw $GW_PORT $GW_MANAGEMENT

start=$(date +%s%N)
# shellcheck disable=SC2086
BENCH_BARE_PORT=$BARE_PORT BENCH_UPSTREAM_PORT=$UPSTREAM_PORT "$JAVA" $JAVA_OPTS -jar "$bare_jar" \
  --logging.level.root=WARN > "$work/bare.log" 2>&1 &
pids+=($!)
bare_pid=$!
for _ in $(seq 1 600); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BARE_PORT/bench/x")" = 200 ]; then
    bare_ready_ms=$(( ($(date +%s%N) - start) / 1000000 )); break
  fi
  sleep 0.1
done
[ -n "${bare_ready_ms:-}" ] || { echo "bench: the bare gateway did not start" >&2; tail -50 "$work/bare.log" >&2; exit 1; }

GW=http://127.0.0.1:$GW_PORT
SESSION=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"email":"bench@bench.local","password":"bench-password-local-only"}' "$GW/api/user/auth/login" \
  | sed -E 's/.*"token":"([^"]+)".*/\1/')

# name|url|header|expected status|gateway pid (empty: not a gateway)
scenarios=(
  "direct|http://127.0.0.1:$UPSTREAM_PORT/x||200|"
  "nginx_proxy|http://127.0.0.1:$PROXY_PORT/x||200|"
  "bare|http://127.0.0.1:$BARE_PORT/bench/x||200|$bare_pid"
  "public|$GW/bench/public/x||200|$gw_pid"
  "api_key|$GW/bench/key/x|Authorization: Bearer $KEY|200|$gw_pid"
  "session|$GW/bench/full/x|Cookie: token=$SESSION|200|$gw_pid"
  "full|$GW/bench/full/x|Authorization: Bearer $KEY|200|$gw_pid"
  "refused_unknown|$GW/bench/key/x|Authorization: Bearer $UNKNOWN_KEY|401|$gw_pid"
  "refused_malformed|$GW/bench/key/x|Authorization: Bearer $MALFORMED_KEY|401|$gw_pid"
)

for s in "${scenarios[@]}"; do # every scenario answers what it should before anything is measured
  IFS='|' read -r name url header expect _ <<<"$s"
  code=$(curl -s -o /dev/null -w '%{http_code}' ${header:+-H "$header"} "$url")
  [ "$code" = "$expect" ] || { echo "bench: $name answered $code, not $expect" >&2; exit 1; }
done
curl -s -D - -o /dev/null -H "Authorization: Bearer $KEY" "$GW/bench/full/x" \
  | grep -qi '^x-ratelimit-limit:' || { echo "bench: the full path applies no quota" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $UNKNOWN_KEY" \
  "$GW/bench/full/x")" = 401 ] || { echo "bench: the full path lets a bad key through" >&2; exit 1; }

cpu_ticks() { # pid: user + system clock ticks so far
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# The stores: the Redis server on 6379 and every PostgreSQL process (the postmaster's children: backends, WAL
# writer, ...). Their CPU during a scenario, per request, is what the gateway made them do.
redis_pid=$(redis-cli info server | awk -F: '/^process_id/ {print $2+0}')
pg_pid=$(pgrep -o -x postgres || pgrep -o postgres)
store_ticks() {
  local total=0 pid
  for pid in "$redis_pid" $pg_pid $(pgrep -P "$pg_pid" 2>/dev/null); do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
redis_calls() { # commands the Redis server has run so far (INFO itself counts one)
  redis-cli info commandstats | awk -F'[:=,]' '/^cmdstat_/ {s += $3} END {print s + 0}'
}
log_bytes() { # name of a gateway's log
  stat -c %s "$work/$1.log" 2>/dev/null || echo 0
}

log_of() { # pid -> the gateway log's name
  case "$1" in "$gw_pid") echo gw ;; "$bare_pid") echo bare ;; *) echo none ;; esac
}

run_wrk() { # scenario-line
  local name url header expect pid out before after rps p50 p99 bad requests cpu stores_before stores_after
  local log_before log_after store logb redis_before redis_after redis
  IFS='|' read -r name url header expect pid <<<"$1"
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  stores_before=$(store_ticks)
  redis_before=$(redis_calls)
  log_before=$(log_bytes "$(log_of "$pid")")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency ${header:+-H "$header"} "$url")
  stores_after=$(store_ticks)
  redis_after=$(redis_calls)
  log_after=$(log_bytes "$(log_of "$pid")")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  bad=${bad:-0}
  [ "$expect" != 200 ] && bad=$((requests - bad)) # a refusal scenario's unexpected answers are its 2xx
  cpu=-
  if [ -n "$pid" ]; then
    after=$(cpu_ticks "$pid")
    cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$TICKS" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}')
  fi
  store=$(awk -v t=$((stores_after - stores_before)) -v n="$requests" -v hz="$TICKS" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')
  logb=$(awk -v b=$((log_after - log_before)) -v n="$requests" 'BEGIN {printf "%.2f", b / n}')
  redis=$(awk -v c=$((redis_after - redis_before - 1)) -v n="$requests" 'BEGIN {printf "%.4f", c / n}')
  echo "$name $rps $p50 $p99 $cpu $bad $store $logb $redis"
}

echo "bench: warming up" >&2
for s in "${scenarios[@]}"; do
  IFS='|' read -r name url header _ _ <<<"$s"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" ${header:+-H "$header"} "$url" >/dev/null
done

results="$work/results"
for round in $(seq 1 "$ROUNDS"); do
  echo "bench: round $round of $ROUNDS" >&2
  if [ $((round % 2)) = 1 ]; then order=("${scenarios[@]}"); else
    order=(); for ((i=${#scenarios[@]}-1; i>=0; i--)); do order+=("${scenarios[$i]}"); done
  fi
  for s in "${order[@]}"; do run_wrk "$s" >> "$results"; done
done

# Fixed-rate pass: each connection waits between requests so that the total is about 25 % of the public route's
# mean requests/s; p50/p99 of the gateway's public and full paths against the upstream alone.
public_rps=$(awk '$1=="public" {s+=$2; n++} END {printf "%.0f", s/n}' "$results")
rate=$(( public_rps / 4 ))
delay_ms=$(awk -v c="$FIXED_CONNECTIONS" -v r="$rate" 'BEGIN {printf "%.3f", c * 1000 / r}')
cat > "$work/fixed.lua" <<LUA
function delay() return $delay_ms end
LUA
fixed() { # name url [header]
  local out
  out=$(wrk -t1 -c"$FIXED_CONNECTIONS" -d"$DURATION" --latency -s "$work/fixed.lua" ${3:+-H "$3"} "$2")
  echo "$1 $(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1=="50%" {print $2}' <<<"$out") $(awk '$1=="99%" {print $2}' <<<"$out")"
}
echo "bench: fixed rate, about $rate requests/s" >&2
fixed direct "http://127.0.0.1:$UPSTREAM_PORT/x" > "$work/fixed"
fixed public "$GW/bench/public/x" >> "$work/fixed"
fixed full "$GW/bench/full/x" "Authorization: Bearer $KEY" >> "$work/fixed"

# Redis round trips per forwarded request on the full path at steady load: MONITOR during a short run, counting the
# commands sent on the bench's keys (other clients of the shared Redis do not use its prefix); a command a script
# runs is shown as "[0 lua]" and is not a round trip. redis_cmds above counts those too.
timeout 9 redis-cli MONITOR > "$work/monitor" 2>/dev/null &
monitor_pid=$!
sleep 1
rt_requests=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $KEY" "$GW/bench/full/x" \
  | awk '/requests in/ {print $1}')
sleep 0.5
kill "$monitor_pid" 2>/dev/null || true
wait "$monitor_pid" 2>/dev/null || true
rt_count=$(grep '"s4e-bench:' "$work/monitor" | grep -vc ' lua\]' || true)
round_trips=$(awk -v c="$rt_count" -v r="$rt_requests" 'BEGIN { printf "%.4f", (r > 0 ? c / r : 0) }')
echo "Redis round trips per forwarded request, full path: $round_trips ($rt_count in $rt_requests requests)"

rss_mb() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

printf '%-18s %-6s %10s %10s %10s %8s %8s %9s %9s %10s\n' scenario round rps p50 p99 cpu_us non_expected store_us log_bytes redis_cmds
awk '{n[$1]++; printf "%-18s %-6s %10s %10s %10s %8s %8s %9s %9s %10s\n", $1, n[$1], $2, $3, $4, $5, $6, $7, $8, $9}' "$results"
echo
echo "fixed rate (about $rate requests/s, $FIXED_CONNECTIONS connections):"
awk '{printf "  %-8s %8s rps  p50 %8s  p99 %8s\n", $1, $2, $3, $4}' "$work/fixed"
echo "start to ready: gateway ${gw_ready_ms} ms, bare ${bare_ready_ms} ms;" \
  "peak RSS: gateway $(rss_mb "$gw_pid") MB, bare $(rss_mb "$bare_pid") MB"

# Medians over the rounds of each column, then the ratios of the medians.
awk -v fixed="$work/fixed" -v ready_gw="$gw_ready_ms" -v ready_bare="$bare_ready_ms" -v rt="$round_trips" \
    -v rss_gw="$(rss_mb "$gw_pid")" -v rss_bare="$(rss_mb "$bare_pid")" '
  function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
  function median(key, col,    m, i, j, t, a) {
    m = cnt[key]; for (i = 1; i <= m; i++) a[i] = val[key, col, i];
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  { c = ++cnt[$1]; val[$1, "rps", c] = $2; val[$1, "p50", c] = ms($3); val[$1, "p99", c] = ms($4);
    val[$1, "cpu", c] = ($5 == "-") ? 0 : $5; val[$1, "store", c] = $7; val[$1, "log", c] = $8; val[$1, "redis", c] = $9; bad[$1] += $6 }
  END {
    while ((getline line < fixed) > 0) { split(line, f, " "); f50[f[1]] = ms(f[3]); f99[f[1]] = ms(f[4]) }
    n = split("direct nginx_proxy bare public api_key session full refused_unknown refused_malformed", names, " ");
    json = "{";
    for (i = 1; i <= n; i++) {
      k = names[i]; rps[k] = median(k, "rps");
      json = json sprintf("\"%s\":{\"rps\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"cpu_us\":%s,\"store_us\":%.1f,\"log_bytes\":%.2f,\"redis_cmds\":%.4f,\"unexpected\":%d},",
        k, rps[k], median(k, "p50"), median(k, "p99"),
        (k == "direct" || k == "nginx_proxy") ? "null" : sprintf("%.0f", median(k, "cpu")), median(k, "store"), median(k, "log"), median(k, "redis"), bad[k]);
    }
    full = rps["full"] / rps["public"]; session = rps["session"] / rps["public"]; key = rps["api_key"] / rps["public"];
    bare = rps["public"] / rps["bare"]; fullbare = rps["full"] / rps["bare"]; nginx = rps["public"] / rps["nginx_proxy"];
    malformed = rps["refused_malformed"] / rps["public"]; unknown = rps["refused_unknown"] / rps["public"];
    a99 = f99["full"] - f99["public"]; p99pub = f99["public"] - f99["direct"]; p99full = f99["full"] - f99["direct"];
    printf "\nratios (medians of %d rounds):\n", cnt["public"];
    printf "  full/public %.3f  session/public %.3f  api_key/public %.3f\n", full, session, key;
    printf "  public/bare %.3f  full/bare %.3f  public/nginx_proxy %.3f\n", bare, fullbare, nginx;
    printf "  refused_malformed/public %.3f  refused_unknown/public %.3f\n", malformed, unknown;
    printf "added p99 at fixed rate over direct: public %.2f ms, full %.2f ms; full minus public %.2f ms\n", p99pub, p99full, a99;
    json = json sprintf("\"ratios\":{\"full_public\":%.3f,\"session_public\":%.3f,\"api_key_public\":%.3f,\"public_bare\":%.3f,\"full_bare\":%.3f,\"public_nginx_proxy\":%.3f,\"refused_malformed_public\":%.3f,\"refused_unknown_public\":%.3f},",
      full, session, key, bare, fullbare, nginx, malformed, unknown);
    json = json sprintf("\"added_p99_ms\":{\"public\":%.2f,\"full\":%.2f,\"full_minus_public\":%.2f},\"ready_ms\":{\"gateway\":%d,\"bare\":%d},\"peak_rss_mb\":{\"gateway\":%d,\"bare\":%d},\"redis_round_trips_full\":%s,\"rounds\":%d}",
      p99pub, p99full, a99, ready_gw, ready_bare, rss_gw, rss_bare, rt, cnt["public"]);
    print json;
  }' "$results"
