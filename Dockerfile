# syntax=docker/dockerfile:1
# s4e-gateway container image: docker build -t s4e-gateway .
# Runs as the sidecar of the S4E API pod (see helm/s4e-gateway). Ports: 8080 public, 8081 management.

# --- build: the Maven wrapper, tests skipped (CI runs them), then the jar split into layers ---------------------
FROM eclipse-temurin:17-jdk-noble AS build
WORKDIR /workspace
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
# Dependencies in their own layer: they change far less often than the sources.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q dependency:go-offline
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -Dmaven.test.skip=true package \
    && cp target/s4e-gateway-*.jar app.jar \
    && java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

# --- runtime: JRE only, non-root, one layer per rate of change -------------------------------------------------
FROM eclipse-temurin:17-jre-noble
RUN groupadd --system --gid 10001 s4e \
    && useradd --system --uid 10001 --gid s4e --home-dir /app --no-create-home --shell /usr/sbin/nologin s4e
WORKDIR /app
COPY --from=build /workspace/extracted/dependencies/ ./
COPY --from=build /workspace/extracted/spring-boot-loader/ ./
COPY --from=build /workspace/extracted/snapshot-dependencies/ ./
COPY --from=build /workspace/extracted/application/ ./
USER 10001:10001

# Container-aware JVM: heap sized from the cgroup memory limit, not the node's; die (and be restarted) on OOM
# rather than limp. Replace the whole variable to tune it (it is read by the java launcher itself).
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -XX:+UseG1GC -Djava.security.egd=file:/dev/urandom" \
    LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs \
    SERVER_PORT=8080 \
    MANAGEMENT_SERVER_PORT=8081

EXPOSE 8080 8081

# The image has no curl: bash's /dev/tcp asks the management port for liveness (Kubernetes uses its own probes).
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_SERVER_PORT} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -q '\"status\":\"UP\"' <&3"]

ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
