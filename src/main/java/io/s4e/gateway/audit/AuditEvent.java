package io.s4e.gateway.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;

/**
 * One audit event as stored, logged and answered (CONTRACT §8). It never holds a secret: the recording sites pass
 * ids, reasons and a key's display hint only, and the request's query string (which may carry a token) is never
 * recorded.
 *
 * @param id        a time-ordered UUID (version 7), made when the event is recorded; the log line and the row share it
 * @param time      when the event was recorded, to the microsecond (what PostgreSQL keeps)
 * @param event     the event name, one of {@link AuditEvents}
 * @param outcome   {@code success}, {@code failure} or {@code refused}
 * @param userId    the user the event is about, or null when unknown
 * @param keyId     the API key the event is about, or null
 * @param keyHint   the key's display prefix and last four characters ({@code s4e_live_abcd…wxyz}), or null
 * @param clientIp  the client IP (CONTRACT §4), or null outside a request
 * @param userAgent the request's {@code User-Agent}, truncated, or null
 * @param requestId the request's {@code X-Request-ID}, or null outside a request
 * @param method    the request's HTTP method, or null
 * @param path      the request's normalised path, without query, or null
 * @param detail    event-specific facts (reasons, statuses, codes, changed fields), JSON-ready
 * @param count     how many occurrences the row stands for: 1, or the refusals of an aggregate
 *                  ({@link RefusalAggregates}); the facts above are those of its first refusal
 * @param firstAt   the first occurrence (the time of the event)
 * @param lastAt    the last occurrence so far; {@code time} for a single one
 */
public record AuditEvent(UUID id, Instant time, String event, String outcome, Long userId, String keyId,
                         String keyHint, String clientIp, String userAgent, String requestId, String method,
                         String path, Map<String, Object> detail, long count, Instant firstAt, Instant lastAt) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public AuditEvent {
        detail = detail == null ? Map.of() : detail;
        count = Math.max(count, 1);
        firstAt = firstAt == null ? time : firstAt;
        lastAt = lastAt == null || lastAt.isBefore(firstAt) ? firstAt : lastAt;
    }

    /** A single occurrence: count 1, first and last at {@code time}. */
    public AuditEvent(UUID id, Instant time, String event, String outcome, Long userId, String keyId,
                      String keyHint, String clientIp, String userAgent, String requestId, String method,
                      String path, Map<String, Object> detail) {
        this(id, time, event, outcome, userId, keyId, keyHint, clientIp, userAgent, requestId, method, path, detail,
                1, time, time);
    }

    /** The same event (same id and facts) standing for {@code count} occurrences, the last at {@code lastAt}. */
    public AuditEvent counted(long count, Instant lastAt) {
        return new AuditEvent(id, time, event, outcome, userId, keyId, keyHint, clientIp, userAgent, requestId,
                method, path, detail, count, firstAt, lastAt);
    }

    /** The detail as a JSON object. */
    public String detailJson() {
        return JSON.writeValueAsString(detail);
    }

    /** The event as one JSON object, with the field names of the API; the structured log line. */
    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", id.toString());
        fields.put("time", time.toString());
        fields.put("event", event);
        fields.put("outcome", outcome);
        fields.put("user_id", userId);
        fields.put("key_id", keyId);
        fields.put("key_hint", keyHint);
        fields.put("client_ip", clientIp);
        fields.put("user_agent", userAgent);
        fields.put("request_id", requestId);
        fields.put("method", method);
        fields.put("path", path);
        fields.put("detail", detail);
        fields.put("count", count);
        fields.put("first_at", firstAt.toString());
        fields.put("last_at", lastAt.toString());
        return JSON.writeValueAsString(fields);
    }
}
