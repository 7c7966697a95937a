package io.s4e.gateway.overview;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.s4e.gateway.web.Errors;

/** A window of the usage and security views: {@code 1h} in minute buckets, {@code 24h} and {@code 7d} in hours. */
public enum UsageWindow {

    HOUR("1h", Duration.ofHours(1), Duration.ofMinutes(1)),
    DAY("24h", Duration.ofHours(24), Duration.ofHours(1)),
    WEEK("7d", Duration.ofDays(7), Duration.ofHours(1));

    private final String wire;
    private final Duration length;
    private final Duration bucket;

    UsageWindow(String wire, Duration length, Duration bucket) {
        this.wire = wire;
        this.length = length;
        this.bucket = bucket;
    }

    /**
     * The window named by the {@code window} query parameter; {@code 24h} when absent.
     *
     * @throws io.s4e.gateway.web.GatewayException 400 {@code invalid_request} for anything else, or a repeated one
     */
    public static UsageWindow parse(List<String> values) {
        if (values == null || values.isEmpty()) {
            return DAY;
        }
        if (values.size() == 1) {
            for (UsageWindow window : values()) {
                if (window.wire.equals(values.get(0))) {
                    return window;
                }
            }
        }
        throw Errors.invalidRequest("Parameter 'window' must be one of 1h, 24h, 7d.");
    }

    public String wire() {
        return wire;
    }

    /** Whether buckets are hours (else minutes). */
    public boolean hourly() {
        return bucket.equals(Duration.ofHours(1));
    }

    /** The length of one bucket. */
    public Duration bucket() {
        return bucket;
    }

    /** The number of buckets. */
    public int buckets() {
        return (int) (length.toMillis() / bucket.toMillis());
    }

    /** The end (exclusive) of the window at {@code now}: the end of the bucket holding {@code now}. */
    public Instant end(Instant now) {
        long size = bucket.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), size) * size + size);
    }

    /** The start (inclusive) of the window ending at {@code end}. */
    public Instant start(Instant end) {
        return end.minus(length);
    }
}
