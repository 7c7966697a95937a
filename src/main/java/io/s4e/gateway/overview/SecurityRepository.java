package io.s4e.gateway.overview;

import java.time.Instant;

import io.s4e.gateway.audit.AuditEvents;
import io.s4e.gateway.cluster.ReadDatabase;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Sums of the {@code request.refused} audit rows for the security overview: each row stands for {@code count}
 * refusals of one source (client IP, status and code, principal or key hint, path) within one refusal window, so
 * every sum here is over {@code count}, and a row is placed at its {@code occurred_at} (its first refusal).
 */
@Component
public class SecurityRepository {

    static final int TOP = 10;

    private final DatabaseClient reads;

    @Autowired
    public SecurityRepository(DatabaseClient db, ReadDatabase readDatabase) {
        this.reads = readDatabase == null ? db : readDatabase.reads();
    }

    /** Refusals per bucket and reason (the envelope code) from {@code from} (inclusive) to {@code to}. */
    Flux<ReasonCount> byReason(Instant from, Instant to, boolean hourly) {
        return reads.sql("""
                        SELECT date_bin(CAST(:bucket AS interval), occurred_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')
                                   AS start,
                               COALESCE(detail->>'code', 'other') AS reason, sum(count) AS n
                        FROM audit_log
                        WHERE event = :event AND occurred_at >= :from AND occurred_at < :to
                        GROUP BY 1, 2 ORDER BY 1, 2
                        """)
                .bind("bucket", hourly ? "1 hour" : "1 minute")
                .bind("event", AuditEvents.REQUEST_REFUSED)
                .bind("from", from)
                .bind("to", to)
                .map((row, meta) -> new ReasonCount(row.get("start", Instant.class), row.get("reason", String.class),
                        row.get("n", Number.class).longValue()))
                .all();
    }

    /** The {@link #TOP} client IPs with the most refusals from {@code from} to {@code to}, most first. */
    Flux<SourceCount> topClientIps(Instant from, Instant to) {
        return top("client_ip", from, to);
    }

    /** The {@link #TOP} API key hints with the most refusals from {@code from} to {@code to}, most first. */
    Flux<SourceCount> topKeyHints(Instant from, Instant to) {
        return top("key_hint", from, to);
    }

    private Flux<SourceCount> top(String column, Instant from, Instant to) {
        // column is one of two constants above, never input
        return reads.sql("SELECT " + column + " AS source, sum(count) AS n FROM audit_log "
                        + "WHERE event = :event AND occurred_at >= :from AND occurred_at < :to AND " + column
                        + " IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " + TOP)
                .bind("event", AuditEvents.REQUEST_REFUSED)
                .bind("from", from)
                .bind("to", to)
                .map((row, meta) -> new SourceCount(row.get("source", String.class),
                        row.get("n", Number.class).longValue()))
                .all();
    }

    /** Refusals of one reason in one bucket. */
    record ReasonCount(Instant start, String reason, long count) {
    }

    /** Refusals of one source. */
    record SourceCount(String source, long count) {
    }
}
