package io.s4e.gateway.audit;

import java.util.Map;

/**
 * What a recording site knows about an event; {@link AuditLog} adds the time, id and the request's facts. Never a
 * secret.
 *
 * @param event   the event name ({@link AuditEvents})
 * @param outcome {@code success}, {@code failure} or {@code refused}
 * @param userId  the user the event is about, or null
 * @param keyId   the API key the event is about, or null
 * @param keyHint the key's display prefix and last four characters, or null
 * @param detail  event-specific facts; values are strings, numbers, booleans or lists of them
 */
public record AuditEntry(String event, String outcome, Long userId, String keyId, String keyHint,
                         Map<String, Object> detail) {

    /** An entry without key. */
    public static AuditEntry of(String event, String outcome, Long userId, Map<String, Object> detail) {
        return new AuditEntry(event, outcome, userId, null, null, detail);
    }
}
