package io.s4e.gateway.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.s4e.gateway.support.TestInfrastructure;

/** Reads {@code audit_log} rows by JDBC, waiting for the asynchronous writer where asked to. */
final class AuditRows {

    private AuditRows() {
    }

    /** Every row whose request id is {@code requestId}, oldest first; every column as text. */
    static List<Map<String, String>> byRequestId(String requestId) {
        return query("SELECT * , detail::text AS detail_text FROM audit_log WHERE request_id = ? "
                + "ORDER BY occurred_at, id", requestId);
    }

    /** Waits (up to 15 s) until the rows of {@code requestId} satisfy {@code done}; returns them. */
    static List<Map<String, String>> awaitByRequestId(String requestId, Predicate<List<Map<String, String>>> done) {
        return await(() -> byRequestId(requestId), done, Duration.ofSeconds(15));
    }

    /** Waits until {@code requestId} has a row of {@code event}; returns it. */
    static Map<String, String> awaitEvent(String requestId, String event) {
        List<Map<String, String>> rows = awaitByRequestId(requestId,
                found -> found.stream().anyMatch(row -> event.equals(row.get("event"))));
        return rows.stream().filter(row -> event.equals(row.get("event"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + event + " event for request " + requestId
                        + " within 15 s; found " + rows));
    }

    /**
     * Waits for the {@code request.refused} row that counts the refusal of request {@code requestId} on {@code path}
     * from 127.0.0.1: its own row, or the row of the aggregate it was counted in (same source, opened at most
     * one default window, 10 s, before it).
     */
    static Map<String, String> awaitRefusal(String requestId, String path) {
        String sql = "SELECT *, detail::text AS detail_text FROM audit_log WHERE event = 'request.refused' AND "
                + "(request_id = ? OR (path = ? AND client_ip = '127.0.0.1' AND occurred_at >= now() - interval '15 s' "
                + "AND occurred_at <= now())) ORDER BY (request_id = ?) DESC, occurred_at DESC";
        List<Map<String, String>> rows = await(() -> query(sql, requestId, path, requestId), found -> !found.isEmpty(),
                Duration.ofSeconds(15));
        if (rows.isEmpty()) {
            throw new AssertionError("no request.refused row counts request " + requestId + " within 15 s");
        }
        return rows.get(0);
    }

    /** The number of rows whose request id starts with {@code prefix}. */
    static long countByRequestIdPrefix(String prefix) {
        return Long.parseLong(query("SELECT count(*) AS n FROM audit_log WHERE request_id LIKE ?", prefix + "%")
                .get(0).get("n"));
    }

    /** Waits (up to {@code within}) until {@code prefix} has at least {@code expected} rows; returns the count. */
    static long awaitCount(String prefix, long expected, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        long count = countByRequestIdPrefix(prefix);
        while (count < expected && System.nanoTime() < deadline) {
            sleep(100);
            count = countByRequestIdPrefix(prefix);
        }
        return count;
    }

    /** The refusals stored for {@code path}: the sum of {@code count} over its {@code request.refused} rows. */
    static long sumOfCounts(String path) {
        return Long.parseLong(query("SELECT COALESCE(sum(count), 0) AS n FROM audit_log WHERE event = 'request.refused' "
                + "AND path = ?", path).get(0).get("n"));
    }

    /** Every row of the table, every column as text. */
    static List<Map<String, String>> all() {
        return query("SELECT *, detail::text AS detail_text FROM audit_log");
    }

    static List<Map<String, String>> query(String sql, Object... parameters) {
        try (Connection c = TestInfrastructure.get().database.connect();
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            List<Map<String, String>> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.put(meta.getColumnLabel(i), rs.getString(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T await(java.util.function.Supplier<T> read, Predicate<T> done, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        T value = read.get();
        while (!done.test(value) && System.nanoTime() < deadline) {
            sleep(50);
            value = read.get();
        }
        return value;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
