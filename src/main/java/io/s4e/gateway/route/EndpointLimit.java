package io.s4e.gateway.route;

import java.util.Map;

/**
 * The per-endpoint limits of one request.
 *
 * @param id            names the limit in Redis keys: {@code route:<route id>} for route metadata,
 *                      {@code <METHOD> <path>} for a configured endpoint
 * @param rate          requests per period per account (per client IP without a principal), or null
 * @param maxConcurrent most concurrent requests per account (per client IP without a principal), or null
 */
public record EndpointLimit(String id, Rate rate, Integer maxConcurrent) {

    /** Metadata key of a route's rate, {@code N/min}. */
    public static final String RATE = "s4e-rate-limit";
    /** Metadata key of a route's concurrency limit, a positive integer. */
    public static final String MAX_CONCURRENT = "s4e-max-concurrent";

    /** No per-endpoint limit. */
    public static final EndpointLimit NONE = new EndpointLimit("none", null, null);

    /** True when neither a rate nor a concurrency limit applies. */
    public boolean isNone() {
        return rate == null && maxConcurrent == null;
    }

    /**
     * The limits a route's metadata sets.
     *
     * @return the limits; {@link #NONE} when the metadata sets neither key
     * @throws IllegalArgumentException naming the key and value when a value is not understood
     */
    public static EndpointLimit parse(String routeId, Map<String, Object> metadata) {
        if (metadata == null) {
            return NONE;
        }
        Object rate = metadata.get(RATE);
        Object concurrent = metadata.get(MAX_CONCURRENT);
        if (rate == null && concurrent == null) {
            return NONE;
        }
        Rate parsedRate = null;
        if (rate != null) {
            try {
                parsedRate = Rate.parse(rate.toString());
            }
            catch (IllegalArgumentException invalid) {
                throw new IllegalArgumentException(RATE + " " + invalid.getMessage());
            }
        }
        Integer parsedConcurrent = null;
        if (concurrent != null) {
            try {
                parsedConcurrent = Integer.parseInt(concurrent.toString().trim());
            }
            catch (NumberFormatException notANumber) {
                parsedConcurrent = 0;
            }
            if (parsedConcurrent < 1) {
                throw new IllegalArgumentException(MAX_CONCURRENT + " must be a positive integer, not '"
                        + concurrent + "'");
            }
        }
        return new EndpointLimit("route:" + routeId, parsedRate, parsedConcurrent);
    }
}
