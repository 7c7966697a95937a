package io.s4e.gateway.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.cluster.ReadDatabase;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/** The {@code usage_minutes} and {@code usage_hours} tables (migration V10). */
@Component
public class UsageRepository {

    private final DatabaseClient db;
    private final DatabaseClient reads;

    public UsageRepository(DatabaseClient db) {
        this(db, null);
    }

    /** Writes go to the primary; the console's queries to the read pool when there is one. */
    @Autowired
    public UsageRepository(DatabaseClient db, ReadDatabase readDatabase) {
        this.db = db;
        this.reads = readDatabase == null ? db : readDatabase.reads();
    }

    /**
     * Adds the counts of {@code batch} to their minute buckets and, in the same statement, to their hour buckets:
     * each row's counts are added to what other replicas and earlier flushes stored ({@code allowed = allowed +
     * EXCLUDED.allowed}), so concurrent flushes merge and an hour is always the sum of its minutes. Rows go in key
     * and time order, so two replicas' flushes lock rows in the same order. Buckets of a key no longer stored are
     * skipped.
     *
     * @return completes when written
     */
    Mono<Void> add(Map<UsageCounters.Bucket, long[]> batch) {
        List<Map.Entry<UsageCounters.Bucket, long[]>> rows = new ArrayList<>(batch.entrySet());
        rows.sort(Comparator.comparing((Map.Entry<UsageCounters.Bucket, long[]> e) -> e.getKey().keyId())
                .thenComparingLong(e -> e.getKey().minute()));
        int n = rows.size();
        String[] keys = new String[n];
        Instant[] minutes = new Instant[n];
        Long[] allowed = new Long[n];
        Long[] refused = new Long[n];
        Long[] limited = new Long[n];
        for (int i = 0; i < n; i++) {
            Map.Entry<UsageCounters.Bucket, long[]> row = rows.get(i);
            keys[i] = row.getKey().keyId();
            minutes[i] = Instant.ofEpochSecond(row.getKey().minute() * 60);
            allowed[i] = row.getValue()[UsageCounters.ALLOWED];
            refused[i] = row.getValue()[UsageCounters.REFUSED];
            limited[i] = row.getValue()[UsageCounters.LIMITED];
        }
        return db.sql("""
                        WITH batch AS (
                            SELECT u.key_id, u.minute, u.allowed, u.refused, u.limited
                            FROM unnest(CAST(:keys AS text[]), CAST(:minutes AS timestamptz[]),
                                        CAST(:allowed AS bigint[]), CAST(:refused AS bigint[]),
                                        CAST(:limited AS bigint[]))
                                 AS u(key_id, minute, allowed, refused, limited)
                            WHERE EXISTS (SELECT 1 FROM api_keys k WHERE k.id = u.key_id)
                        ), minutes AS (
                            INSERT INTO usage_minutes AS m (key_id, minute, allowed, refused, limited)
                            SELECT key_id, minute, allowed, refused, limited FROM batch ORDER BY key_id, minute
                            ON CONFLICT (key_id, minute) DO UPDATE SET allowed = m.allowed + EXCLUDED.allowed,
                                refused = m.refused + EXCLUDED.refused, limited = m.limited + EXCLUDED.limited
                        )
                        INSERT INTO usage_hours AS h (key_id, hour, allowed, refused, limited)
                        SELECT key_id, date_trunc('hour', minute, 'UTC'), sum(allowed), sum(refused), sum(limited)
                        FROM batch GROUP BY 1, 2 ORDER BY 1, 2
                        ON CONFLICT (key_id, hour) DO UPDATE SET allowed = h.allowed + EXCLUDED.allowed,
                            refused = h.refused + EXCLUDED.refused, limited = h.limited + EXCLUDED.limited
                        """)
                .bind("keys", keys)
                .bind("minutes", minutes)
                .bind("allowed", allowed)
                .bind("refused", refused)
                .bind("limited", limited)
                .fetch()
                .rowsUpdated()
                .then();
    }

    /** The stored buckets of {@code keyId} from {@code from} (inclusive) to {@code to} (exclusive), oldest first. */
    public Flux<Counts> buckets(String keyId, boolean hourly, Instant from, Instant to) {
        String sql = hourly
                ? "SELECT hour AS start, allowed, refused, limited FROM usage_hours WHERE key_id = :key "
                        + "AND hour >= :from AND hour < :to ORDER BY hour"
                : "SELECT minute AS start, allowed, refused, limited FROM usage_minutes WHERE key_id = :key "
                        + "AND minute >= :from AND minute < :to ORDER BY minute";
        return reads.sql(sql)
                .bind("key", keyId)
                .bind("from", from)
                .bind("to", to)
                .map((row, meta) -> new Counts(row.get("start", Instant.class), row.get("allowed", Long.class),
                        row.get("refused", Long.class), row.get("limited", Long.class)))
                .all();
    }

    /**
     * Deletes minute buckets older than {@code minuteCutoff} and hour buckets older than {@code hourCutoff}.
     *
     * @return the number of rows deleted
     */
    Mono<Long> deleteOlderThan(Instant minuteCutoff, Instant hourCutoff) {
        Mono<Long> minutes = db.sql("DELETE FROM usage_minutes WHERE minute < :cutoff")
                .bind("cutoff", minuteCutoff).fetch().rowsUpdated();
        Mono<Long> hours = db.sql("DELETE FROM usage_hours WHERE hour < :cutoff")
                .bind("cutoff", hourCutoff).fetch().rowsUpdated();
        return minutes.zipWith(hours, Long::sum);
    }

    /** The counts of one bucket. */
    public record Counts(Instant start, long allowed, long refused, long limited) {
    }
}
