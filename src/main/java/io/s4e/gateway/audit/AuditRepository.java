package io.s4e.gateway.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.s4e.gateway.cluster.ReadDatabase;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** The {@code audit_log} table: batch inserts, keyset pages, and bounded deletes by age. */
@Repository
public class AuditRepository {

    /** The page query's columns, in the order of {@link #event(Readable)}. */
    static final String COLUMNS = "id, occurred_at, event, outcome, user_id, key_id, key_hint, client_ip, user_agent, "
            + "request_id, method, path, detail::text AS detail, count, COALESCE(first_at, occurred_at) AS first_at, "
            + "COALESCE(last_at, occurred_at) AS last_at";

    private final DatabaseClient db;

    private final DatabaseClient reads;

    public AuditRepository(DatabaseClient db) {
        this(db, null);
    }

    /** Writes go to the primary; the console's queries ({@link #page}) to the read pool when there is one. */
    @Autowired
    public AuditRepository(DatabaseClient db, ReadDatabase readDatabase) {
        this.db = db;
        this.reads = readDatabase == null ? db : readDatabase.reads();
    }

    /**
     * Inserts {@code events} in one statement. An event already stored (a retried batch whose first attempt did
     * commit, or the first refusal of an aggregate whose final count comes now) keeps its row: its {@code count}
     * and {@code last_at} become the larger of the stored and the new ones, so a retry never duplicates nor
     * lowers a count, and an aggregate's update may arrive before or after its first insert.
     *
     * @return the number of rows inserted or updated
     */
    public Mono<Long> insert(List<AuditEvent> batch) {
        List<AuditEvent> events = distinct(batch);
        int n = events.size();
        String[] ids = new String[n];
        Instant[] times = new Instant[n];
        String[] names = new String[n];
        String[] outcomes = new String[n];
        String[] users = new String[n];
        String[] keys = new String[n];
        String[] hints = new String[n];
        String[] ips = new String[n];
        String[] agents = new String[n];
        String[] requests = new String[n];
        String[] methods = new String[n];
        String[] paths = new String[n];
        String[] details = new String[n];
        Long[] counts = new Long[n];
        Instant[] firsts = new Instant[n];
        Instant[] lasts = new Instant[n];
        for (int i = 0; i < n; i++) {
            AuditEvent e = events.get(i);
            ids[i] = e.id().toString();
            times[i] = e.time();
            names[i] = e.event();
            outcomes[i] = e.outcome();
            users[i] = e.userId() == null ? null : e.userId().toString();
            keys[i] = e.keyId();
            hints[i] = e.keyHint();
            ips[i] = e.clientIp();
            agents[i] = e.userAgent();
            requests[i] = e.requestId();
            methods[i] = e.method();
            paths[i] = e.path();
            details[i] = e.detailJson();
            counts[i] = e.count();
            firsts[i] = e.firstAt();
            lasts[i] = e.lastAt();
        }
        return db.sql("""
                        INSERT INTO audit_log (id, occurred_at, event, outcome, user_id, key_id, key_hint, client_ip,
                                               user_agent, request_id, method, path, detail, count, first_at, last_at)
                        SELECT CAST(u.id AS uuid), u.t, u.event, u.outcome, CAST(u.user_id AS bigint), u.key_id,
                               u.key_hint, u.client_ip, u.user_agent, u.request_id, u.method, u.path,
                               CAST(u.detail AS jsonb), u.count, u.first_at, u.last_at
                        FROM unnest(CAST(:ids AS text[]), CAST(:times AS timestamptz[]), CAST(:events AS text[]),
                                    CAST(:outcomes AS text[]), CAST(:users AS text[]), CAST(:keys AS text[]),
                                    CAST(:hints AS text[]), CAST(:ips AS text[]), CAST(:agents AS text[]),
                                    CAST(:requests AS text[]), CAST(:methods AS text[]), CAST(:paths AS text[]),
                                    CAST(:details AS text[]), CAST(:counts AS bigint[]),
                                    CAST(:firsts AS timestamptz[]), CAST(:lasts AS timestamptz[]))
                             AS u(id, t, event, outcome, user_id, key_id, key_hint, client_ip, user_agent,
                                  request_id, method, path, detail, count, first_at, last_at)
                        ON CONFLICT (id) DO UPDATE
                            SET count = GREATEST(audit_log.count, EXCLUDED.count),
                                last_at = GREATEST(audit_log.last_at, EXCLUDED.last_at)
                            WHERE audit_log.count < EXCLUDED.count
                        """)
                .bind("ids", ids)
                .bind("times", times)
                .bind("events", names)
                .bind("outcomes", outcomes)
                .bind("users", users)
                .bind("keys", keys)
                .bind("hints", hints)
                .bind("ips", ips)
                .bind("agents", agents)
                .bind("requests", requests)
                .bind("methods", methods)
                .bind("paths", paths)
                .bind("details", details)
                .bind("counts", counts)
                .bind("firsts", firsts)
                .bind("lasts", lasts)
                .fetch()
                .rowsUpdated();
    }

    /**
     * {@code batch} with one event per id, the one with the largest count (and the first of equals), in order: one
     * statement may not update the same row twice.
     */
    static List<AuditEvent> distinct(List<AuditEvent> batch) {
        Map<UUID, AuditEvent> byId = new LinkedHashMap<>(batch.size() * 2);
        for (AuditEvent event : batch) {
            byId.merge(event.id(), event, (stored, next) -> next.count() > stored.count() ? next : stored);
        }
        return byId.size() == batch.size() ? batch : new ArrayList<>(byId.values());
    }

    /**
     * One page, newest first: the events matching {@code query}, strictly older than its cursor.
     *
     * @return at most {@code limit} events
     */
    public Flux<StoredEvent> page(AuditQuery query, int limit) {
        DatabaseClient.GenericExecuteSpec spec = reads.sql(pageSql(query));
        if (query.event() != null) {
            spec = spec.bind("event", query.event());
        }
        if (query.userId() != null) {
            spec = spec.bind("userId", query.userId());
        }
        if (query.since() != null) {
            spec = spec.bind("since", query.since());
        }
        if (query.until() != null) {
            spec = spec.bind("until", query.until());
        }
        if (query.cursor() != null) {
            spec = spec.bind("cursorTime", query.cursor().time()).bind("cursorId", query.cursor().id());
        }
        return spec.bind("limit", limit)
                .map((row, meta) -> event(row))
                .all();
    }

    /**
     * The page statement of {@code query}: only the predicates it needs, so PostgreSQL plans each filter shape
     * against its own index. {@code since} is inclusive, {@code until} exclusive.
     */
    static String pageSql(AuditQuery query) {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM audit_log WHERE true");
        if (query.event() != null) {
            sql.append(" AND event = :event");
        }
        if (query.userId() != null) {
            sql.append(" AND user_id = :userId");
        }
        if (query.since() != null) {
            sql.append(" AND occurred_at >= :since");
        }
        if (query.until() != null) {
            sql.append(" AND occurred_at < :until");
        }
        if (query.cursor() != null) {
            sql.append(" AND (occurred_at, id) < (:cursorTime, :cursorId)");
        }
        return sql.append(" ORDER BY occurred_at DESC, id DESC LIMIT :limit").toString();
    }

    /**
     * Deletes at most {@code batch} events older than {@code cutoff}, oldest first.
     *
     * @return the number deleted
     */
    public Mono<Long> deleteOlderThan(Instant cutoff, int batch) {
        return db.sql("""
                        DELETE FROM audit_log WHERE id IN (
                            SELECT id FROM audit_log WHERE occurred_at < :cutoff ORDER BY occurred_at, id LIMIT :batch)
                        """)
                .bind("cutoff", cutoff)
                .bind("batch", batch)
                .fetch()
                .rowsUpdated();
    }

    private static StoredEvent event(Readable row) {
        return new StoredEvent(row.get("id", UUID.class), row.get("occurred_at", Instant.class),
                row.get("event", String.class), row.get("outcome", String.class), row.get("user_id", Long.class),
                row.get("key_id", String.class), row.get("key_hint", String.class), row.get("client_ip", String.class),
                row.get("user_agent", String.class), row.get("request_id", String.class),
                row.get("method", String.class), row.get("path", String.class), row.get("detail", String.class),
                row.get("count", Long.class), row.get("first_at", Instant.class), row.get("last_at", Instant.class));
    }

    /**
     * A stored event; {@code detail} is its JSON text; {@code count} the occurrences it stands for (1 but for refusal
     * aggregates), from {@code firstAt} to {@code lastAt}.
     */
    public record StoredEvent(UUID id, Instant time, String event, String outcome, Long userId, String keyId,
                              String keyHint, String clientIp, String userAgent, String requestId, String method,
                              String path, String detail, Long count, Instant firstAt, Instant lastAt) {
    }
}
