# syntax=docker/dockerfile:1
# s4e-gateway container image: docker build -t s4e-gateway .
# Runs as the sidecar of the S4E API pod (see helm/s4e-gateway). Ports: 8080 public, 8081 management.

# Base images are build arguments: where no registry can be reached, local bases serve (a JDK 17 from Debian's
# packages for the build, a Java 25 runtime with bash, groupadd and useradd for the runtime; see
# ops/container-test.sh). The sources are Java 17; the image runs them on Java 25, which starts them faster with an
# AOT cache and holds every object in less memory with compact object headers (docs/benchmarks.md, "JVM").
ARG BUILD_IMAGE=eclipse-temurin:17-jdk-noble
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre-noble

# --- build: the Maven wrapper, tests skipped (CI runs them), then the jar split into layers ---------------------
FROM ${BUILD_IMAGE} AS build
WORKDIR /workspace
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
# Dependencies in their own layer: they change far less often than the sources.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -Dmaven.test.skip=true package \
    && cp target/s4e-gateway-*.jar app.jar \
    && java -Djarmode=tools -jar app.jar extract --layers --destination extracted

# --- runtime: JRE only, non-root, one layer per rate of change -------------------------------------------------
FROM ${RUNTIME_IMAGE}
RUN groupadd --system --gid 10001 s4e \
    && useradd --system --uid 10001 --gid s4e --home-dir /app --no-create-home --shell /usr/sbin/nologin s4e
WORKDIR /app
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./

# Container-aware JVM: heap sized from the cgroup memory limit, not the node's; die (and be restarted) on OOM
# rather than limp; the serial collector, which a sidecar of one or two cores and a few hundred MiB runs best with
# (about 40 MB less resident memory than G1 under the benchmark's load, at the same throughput); compact object
# headers (8 bytes less per object). Replace the whole variable to tune it (it is read by the java launcher itself;
# the AOT cache below is trained with it and is only used with the same collector and header layout).
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Djava.security.egd=file:/dev/urandom" \
    LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs \
    SERVER_PORT=8080 \
    MANAGEMENT_SERVER_PORT=8081

# AOT cache (Java 25): a training run that starts the application context and exits writes the classes it loaded,
# already parsed and linked, into app.aot, which every start then maps instead of loading, verifying and linking them
# again. No database or Redis is reachable here: the training run skips the migrations and never connects, and its
# signing secret exists only for this run. A start that cannot use the cache (other JVM options) runs without it.
RUN java -XX:AOTCacheOutput=app.aot -Dspring.context.exit=onRefresh -jar app.jar \
        --spring.flyway.enabled=false --spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:1/none \
        --spring.data.redis.port=1 --s4e.session.jwt-secret=CdsTrainingRunOnlyNeverUsedForTokens0123 \
        --logging.level.root=WARN \
    && chmod 0444 app.aot
USER 10001:10001

EXPOSE 8080 8081

# The image has no curl: bash's /dev/tcp asks the management port for liveness (Kubernetes uses its own probes).
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_SERVER_PORT} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"UP\"' <&3"]

ENTRYPOINT ["java", "-XX:AOTCache=app.aot", "-jar", "app.jar"]
