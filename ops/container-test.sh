#!/usr/bin/env bash
# Builds the s4e-gateway image with buildah from local Debian bases and tests the container with podman:
#   bash ops/container-test.sh
# No registry is needed: the bases are made with debootstrap (kept between runs), the build base with Debian's JDK 17,
# the runtime base with a Java 25 runtime linked (jlink) from this machine's JDK 25 (JAVA25_HOME, default the
# Temurin 25 under /usr/lib/jvm), and the Dockerfile receives them as build arguments. The container test runs the image as built, on the host
# network, against the machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379):
#   - it runs as a non-root user with a read-only root filesystem;
#   - it becomes ready, and the time from start to ready is measured;
#   - it forwards a request to an upstream, and answers 401 without a credential;
#   - on SIGTERM it finishes the request in flight, then exits.
# Closes with "container: N passed, M failed". .ci/run runs it before the test suite; see docs/kubernetes.md.
# Environment: WORK (bases and logs, default /var/tmp/s4e-image), SUITE (Debian release, default bookworm),
# MIRROR (default http://deb.debian.org/debian), KEEP=1 keeps the container and the database for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${WORK:-/var/tmp/s4e-image}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
IMAGE=localhost/s4e-gateway:test
JDK_BASE=localhost/s4e-base-jdk17:$SUITE
JRE_BASE=localhost/s4e-base-jre25:$SUITE
JAVA25_HOME=${JAVA25_HOME:-$(ls -d /usr/lib/jvm/temurin-25* /usr/lib/jvm/*-25-* 2>/dev/null | head -1)}
CONTAINER=s4e-gateway-test-$$
DB=s4e_container_$$
PREFIX="s4e-container-$$:"
passed=0
failed=0

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
check() { # check NAME COMMAND...: runs the command, counts and prints the outcome
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); log "PASS $name"; else failed=$((failed + 1)); log "FAIL $name"; fi
}

# --- tools -------------------------------------------------------------------------------------------------------
need=()
for tool in buildah podman debootstrap runc; do command -v "$tool" >/dev/null || need+=("$tool"); done
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
mkdir -p "$WORK"

# --- bases: Debian minbase + OpenJDK 17 (JRE for the runtime, JDK for the build), made once ---------------------
base() { # base IMAGE PACKAGES [trust-local-cas]
  local image=$1 packages=$2 trust=${3:-} root
  if podman image exists "$image"; then return; fi
  root="$WORK/rootfs-$(basename "${image%%:*}")"
  rm -rf "$root"
  log "debootstrap $SUITE with $packages -> $image"
  mkdir -p "$WORK/debs"
  debootstrap --variant=minbase --cache-dir="$WORK/debs" --include="$packages" "$SUITE" "$root" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  chroot "$root" apt-get clean
  if [[ $trust == trust-local-cas ]]; then
    # The build stage downloads Maven and the dependencies: it trusts the CAs this machine trusts locally (a
    # TLS-inspecting egress proxy, for one). Only the build base does; the runtime image keeps Debian's CAs.
    for crt in /usr/local/share/ca-certificates/*.crt; do
      [[ -e $crt ]] || continue
      keytool -importcert -noprompt -storepass changeit -keystore "$root/etc/ssl/certs/java/cacerts" \
        -alias "local-$(basename "$crt" .crt)" -file "$crt" >/dev/null
    done
  fi
  # translations and manual pages are not needed in an image (the copyright files in /usr/share/doc stay)
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
    "$root"/usr/share/locale/* "$root"/usr/share/man/*
  tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "$image" >/dev/null
  rm -rf "$root"
}
# The runtime base: Debian minbase and a Java 25 runtime of the modules the gateway uses, at /opt/java/openjdk as in
# the Temurin images.
runtime_base() {
  local image=$1 root
  if podman image exists "$image"; then return; fi
  [[ -x $JAVA25_HOME/bin/jlink ]] || { log "a JDK 25 is needed for the runtime base (JAVA25_HOME)"; exit 1; }
  root="$WORK/rootfs-$(basename "${image%%:*}")"
  rm -rf "$root"
  log "debootstrap $SUITE + a Java 25 runtime from $JAVA25_HOME -> $image"
  mkdir -p "$WORK/debs"
  debootstrap --variant=minbase --cache-dir="$WORK/debs" --include=ca-certificates "$SUITE" "$root" "$MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  chroot "$root" apt-get clean
  mkdir -p "$root/opt/java"
  "$JAVA25_HOME/bin/jlink" --output "$root/opt/java/openjdk" --strip-debug --no-man-pages --no-header-files \
    --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.management.agent,jdk.jfr,jdk.naming.dns,jdk.zipfs,jdk.jcmd
  ln -s /opt/java/openjdk/bin/java "$root/usr/bin/java"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
    "$root"/usr/share/locale/* "$root"/usr/share/man/*
  tar -C "$root" -c . | podman import --change 'CMD ["bash"]' --change 'ENV JAVA_HOME=/opt/java/openjdk' - "$image" \
    >/dev/null
  rm -rf "$root"
}
runtime_base "$JRE_BASE"
base "$JDK_BASE" openjdk-17-jdk-headless,ca-certificates trust-local-cas

# --- image ---------------------------------------------------------------------------------------------------------
log "buildah bud -> $IMAGE"
build_started=$(date +%s)
buildah bud --isolation chroot --layers --format docker \
  --build-arg BUILD_IMAGE="$JDK_BASE" --build-arg RUNTIME_IMAGE="$JRE_BASE" \
  -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; exit 1; }
build_seconds=$(( $(date +%s) - build_started ))
image_bytes=$(podman image inspect "$IMAGE" --format '{{.Size}}')
log "built in ${build_seconds} s, $((image_bytes / 1024 / 1024)) MiB"

# --- what the container needs: a database, an upstream, ports, routes ---------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port); MANAGEMENT=$(free_port); UPSTREAM=$(free_port)
psql -h 127.0.0.1 -U postgres -q -c "CREATE DATABASE $DB" >/dev/null

python3 - "$UPSTREAM" <<'EOF' &
import http.server, json, sys, time
class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(3)
        body = json.dumps({"path": self.path, "request_id": self.headers.get("X-Request-ID")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
EOF
upstream_pid=$!

config="$WORK/gateway-$$.yml"
cat >"$config" <<EOF
spring:
  cloud:
    gateway:
      server:
        webflux:
          routes:
            - id: public
              uri: http://127.0.0.1:$UPSTREAM
              predicates: [Path=/public/**]
              metadata: {s4e-auth: none}
            - id: slow
              uri: http://127.0.0.1:$UPSTREAM
              predicates: [Path=/slow/**]
              metadata: {s4e-auth: none}
            - id: private
              uri: http://127.0.0.1:$UPSTREAM
              predicates: [Path=/private/**]
EOF
chmod 0644 "$config"

cleanup() {
  if [[ ${KEEP:-0} != 1 ]]; then
    podman rm -f "$CONTAINER" >/dev/null 2>&1 || true
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    redis-cli -h 127.0.0.1 --scan --pattern "$PREFIX*" 2>/dev/null | xargs -r redis-cli -h 127.0.0.1 del >/dev/null 2>&1 || true
    rm -f "$config"
  fi
  kill "$upstream_pid" 2>/dev/null || true
}
trap cleanup EXIT

# podman here needs limits at or below the shell's own
limit() { local value=$1 cap=$2; [[ $value == unlimited ]] && value=$cap; ((value > cap)) && value=$cap; echo "$value"; }
NOFILE=$(limit "$(ulimit -n)" 65536)
NPROC=$(limit "$(ulimit -u)" 32768)

# --- the container test ----------------------------------------------------------------------------------------
log "podman run $IMAGE (ports $PORT, $MANAGEMENT; upstream $UPSTREAM)"
started=$(date +%s.%N)
podman --runtime runc run -d --name "$CONTAINER" --network host \
  --ulimit "nofile=$NOFILE:$NOFILE" --ulimit "nproc=$NPROC:$NPROC" \
  --read-only --cap-drop ALL --security-opt no-new-privileges --health-interval disable \
  -v "$config:/etc/s4e-gateway/gateway.yml:ro" \
  -e SPRING_CONFIG_ADDITIONAL_LOCATION=file:/etc/s4e-gateway/gateway.yml \
  -e SERVER_PORT="$PORT" -e MANAGEMENT_SERVER_PORT="$MANAGEMENT" \
  -e S4E_SESSION_JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
  -e SPRING_R2DBC_URL="r2dbc:postgresql://127.0.0.1:5432/$DB" -e SPRING_R2DBC_USERNAME=postgres \
  -e SPRING_DATA_REDIS_HOST=127.0.0.1 -e SPRING_DATA_REDIS_PORT=6379 -e S4E_REDIS_KEY_PREFIX="$PREFIX" \
  "$IMAGE" >/dev/null

ready=""
for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$MANAGEMENT/actuator/health/readiness" 2>/dev/null; then
    ready=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')"); break
  fi
  if [[ $(podman inspect "$CONTAINER" --format '{{.State.Running}}') != true ]]; then break; fi
  sleep 0.25
done
check "becomes ready against PostgreSQL and Redis${ready:+ in $ready s}" test -n "$ready"
if [[ -z $ready ]]; then podman logs "$CONTAINER" 2>&1 | tail -30 >&2; fi

check "the image's HEALTHCHECK reports healthy" podman healthcheck run "$CONTAINER"
check "runs as user 10001, not root" test "$(podman exec "$CONTAINER" id -u)" = 10001
check "root filesystem is read-only" bash -c "! podman exec $CONTAINER bash -c 'echo x > /app/probe' 2>/dev/null"
check "forwards a request to the upstream" bash -c \
  "curl -fsS http://127.0.0.1:$PORT/public/hello | grep -q '\"path\": \"/public/hello\"'"
check "answers 401 with the error envelope without a credential" bash -c \
  "[[ \$(curl -s -o $WORK/401-$$.json -w '%{http_code}' http://127.0.0.1:$PORT/private/x) == 401 ]] && grep -q '\"code\":\"unauthorized\"' $WORK/401-$$.json"
rm -f "$WORK/401-$$.json"

# the same image answers the inject command without starting the gateway
check "inject runs from the image" bash -c \
  "podman --runtime runc run --rm -i --network none --ulimit nofile=$NOFILE:$NOFILE --ulimit nproc=$NPROC:$NPROC $IMAGE inject < src/test/resources/inject/deployment.yaml 2>/dev/null | cmp -s - src/test/resources/inject/deployment.injected.yaml"

# SIGTERM while a request is in flight: it completes, then the JVM exits
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/slow/drain" >"$WORK/drain-$$.txt" &
curl_pid=$!
sleep 1
term_sent=$(date +%s.%N)
podman kill --signal TERM "$CONTAINER" >/dev/null
wait "$curl_pid" || true
exit_code=$(podman wait "$CONTAINER")
stopped=$(python3 -c "import time; print(f'{time.time() - $term_sent:.1f}')")
check "drains on SIGTERM: the request in flight is answered 200" test "$(cat "$WORK/drain-$$.txt")" = 200
check "exits after SIGTERM (status $exit_code, ${stopped} s)" bash -c "[[ $exit_code == 0 || $exit_code == 143 ]]"
check "logs the graceful shutdown" bash -c "podman logs $CONTAINER 2>&1 | grep -qi 'graceful shutdown'"
rm -f "$WORK/drain-$$.txt"

echo "image $IMAGE: $image_bytes bytes ($((image_bytes / 1024 / 1024)) MiB), built in $build_seconds s; start to ready ${ready:-never} s; SIGTERM to exit ${stopped} s"
echo "container: $passed passed, $failed failed"
((failed == 0))
