package io.s4e.gateway.relay;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * {@code s4e.upstream.requests{route, status}}: the time from sending a forwarded request to having the upstream's
 * response headers, per route and upstream status ({@code status="none"} when no answer came: refused, reset,
 * timed out), with histogram buckets so percentiles can be computed across replicas.
 * <p>
 * One timer per route and status, created on first use and then found with two array and map reads: recording costs
 * no tag objects and no observation per request, which Micrometer's observation of the gateway's HTTP client did.
 */
@Component
public class UpstreamMetrics {

    /** The metric's name (Prometheus: {@code s4e_upstream_requests_seconds}). */
    public static final String NAME = "s4e.upstream.requests";

    private static final int NO_ANSWER = 0;
    private static final int STATUSES = 600;

    private final MeterRegistry meters;
    private final ConcurrentMap<String, AtomicReferenceArray<Timer>> byRoute = new ConcurrentHashMap<>();

    public UpstreamMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Records one upstream exchange of {@code routeId} that took {@code nanos}, answered {@code status} (0: none). */
    public void record(String routeId, int status, long nanos) {
        int index = status > 0 && status < STATUSES ? status : NO_ANSWER;
        AtomicReferenceArray<Timer> timers = byRoute.computeIfAbsent(routeId, id -> new AtomicReferenceArray<>(STATUSES));
        Timer timer = timers.get(index);
        if (timer == null) {
            timer = Timer.builder(NAME)
                    .description("Upstream time to response headers of forwarded requests")
                    .tag("route", routeId)
                    .tag("status", index == NO_ANSWER ? "none" : Integer.toString(index))
                    .publishPercentileHistogram()
                    .register(meters);
            timers.set(index, timer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }
}
