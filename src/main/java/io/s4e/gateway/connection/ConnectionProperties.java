package io.s4e.gateway.connection;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Deadlines and caps of client connections, and the default upstream bulkhead of a route (CONTRACT §13).
 *
 * @param headerTimeout           longest time the whole request head (request line and headers) may take, from the
 *                                connection's start or the first byte of a keep-alive request, however slowly it
 *                                trickles; default 20s
 * @param bodyIdleTimeout         longest silence between two reads of a request body; default 30s
 * @param keepAliveIdleTimeout    longest time an idle keep-alive connection waits for its next request; default 60s
 * @param maxConnectionsPerIp     most open connections from one client address (trusted proxies exempt); default 256
 * @param maxConnections          most open client connections of the replica; default 10000
 * @param maxUpstreamConcurrent   most requests in flight to one route's upstream unless the route sets
 *                                {@code s4e-max-upstream-concurrent}; default 512
 * @param upstreamBusyRetryAfter  the {@code Retry-After} of a 503 {@code upstream_busy}; default 1s
 * @param maxBufferedBody         largest request body (by {@code Content-Length}) read whole before a forwarded
 *                                request is sent upstream, so a slow body never reaches the upstream half-read;
 *                                larger and chunked bodies are streamed; default 64KB
 */
@ConfigurationProperties("s4e.server")
public record ConnectionProperties(Duration headerTimeout, Duration bodyIdleTimeout, Duration keepAliveIdleTimeout,
                                   Integer maxConnectionsPerIp, Integer maxConnections,
                                   Integer maxUpstreamConcurrent, Duration upstreamBusyRetryAfter,
                                   DataSize maxBufferedBody) {

    public ConnectionProperties {
        headerTimeout = positive(headerTimeout, Duration.ofSeconds(20), "header-timeout");
        bodyIdleTimeout = positive(bodyIdleTimeout, Duration.ofSeconds(30), "body-idle-timeout");
        keepAliveIdleTimeout = positive(keepAliveIdleTimeout, Duration.ofSeconds(60), "keep-alive-idle-timeout");
        maxConnectionsPerIp = atLeastOne(maxConnectionsPerIp, 256, "max-connections-per-ip");
        maxConnections = atLeastOne(maxConnections, 10_000, "max-connections");
        maxUpstreamConcurrent = atLeastOne(maxUpstreamConcurrent, 512, "max-upstream-concurrent");
        upstreamBusyRetryAfter = positive(upstreamBusyRetryAfter, Duration.ofSeconds(1), "upstream-busy-retry-after");
        maxBufferedBody = maxBufferedBody == null ? DataSize.ofKilobytes(64) : maxBufferedBody;
        if (maxBufferedBody.isNegative()) {
            throw new IllegalArgumentException("s4e.server.max-buffered-body must not be negative, not "
                    + maxBufferedBody);
        }
    }

    private static Duration positive(Duration value, Duration fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("s4e.server." + name + " must be positive, not " + value);
        }
        return value;
    }

    private static int atLeastOne(Integer value, int fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (value < 1) {
            throw new IllegalArgumentException("s4e.server." + name + " must be at least 1, not " + value);
        }
        return value;
    }
}
