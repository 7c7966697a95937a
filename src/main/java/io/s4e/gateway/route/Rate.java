package io.s4e.gateway.route;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A limit of {@code permits} per {@code period}, written {@code N/min} (also {@code N/s}, {@code N/h}). As a token
 * bucket it holds {@code permits} and refills them evenly over the period.
 *
 * @param permits how many requests the period allows, at least 1
 * @param period  the period, positive
 */
public record Rate(long permits, Duration period) {

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(s|sec|second|m|min|minute|h|hour)\\s*");

    public Rate {
        if (permits < 1) {
            throw new IllegalArgumentException("a rate needs at least 1 permit");
        }
        if (period == null || period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("a rate needs a positive period");
        }
    }

    /** {@code permits} per minute. */
    public static Rate perMinute(long permits) {
        return new Rate(permits, Duration.ofMinutes(1));
    }

    /**
     * Parses {@code N/min}, {@code N/s} or {@code N/h}.
     *
     * @throws IllegalArgumentException naming the value when it has another form
     */
    public static Rate parse(String value) {
        Matcher matcher = value == null ? null : FORM.matcher(value.toLowerCase(Locale.ROOT));
        if (matcher == null || !matcher.matches() || Long.parseLong(matcher.group(1)) < 1) {
            throw new IllegalArgumentException("must be N/min (also N/s or N/h) with N at least 1, not '" + value + "'");
        }
        Duration period = switch (matcher.group(2)) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "h", "hour" -> Duration.ofHours(1);
            default -> Duration.ofMinutes(1);
        };
        return new Rate(Long.parseLong(matcher.group(1)), period);
    }

    /** Tokens added per millisecond. */
    public double perMilli() {
        return (double) permits / period.toMillis();
    }

    @Override
    public String toString() {
        long seconds = period.toSeconds();
        return permits + (seconds == 1 ? "/s" : seconds == 3600 ? "/h" : seconds == 60 ? "/min" : "/" + period);
    }
}
