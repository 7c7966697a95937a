package io.s4e.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.s4e.gateway.web.DecimalIds;
import io.s4e.gateway.web.Errors;

/**
 * The filters of one {@code GET /api/audit-log} page, validated: 400 {@code invalid_request} for anything
 * malformed.
 *
 * @param event  the event name, or null for all
 * @param userId the user, or null for all
 * @param since  earliest time (inclusive), or null
 * @param until  latest time (exclusive), or null
 * @param limit  events per page, 1 to {@link #MAX_LIMIT}
 * @param cursor where the previous page ended, or null for the newest
 */
public record AuditQuery(String event, Long userId, Instant since, Instant until, int limit, Cursor cursor) {

    /** Events per page when {@code limit} is not given. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest {@code limit}. */
    public static final int MAX_LIMIT = 500;

    /** Parses the query parameters (first value of each); the cursor must be one {@code cursors} signed. */
    public static AuditQuery parse(Map<String, List<String>> parameters, AuditCursors cursors) {
        String event = single(parameters, "event");
        if (event != null && !AuditEvents.ALL.contains(event)) {
            throw Errors.invalidRequest("Parameter 'event' must be one of " + String.join(", ", AuditEvents.ALL) + ".");
        }
        Long userId = null;
        String user = single(parameters, "user_id");
        if (user != null) {
            userId = DecimalIds.parse(user);
            if (userId == null) {
                throw Errors.invalidRequest("Parameter 'user_id' must be a user id: ASCII digits without sign or "
                        + "leading zero.");
            }
        }
        Instant since = instant(parameters, "since");
        Instant until = instant(parameters, "until");
        int limit = DEFAULT_LIMIT;
        String limitText = single(parameters, "limit");
        if (limitText != null) {
            Long parsed = DecimalIds.parse(limitText);
            limit = parsed == null || parsed > MAX_LIMIT ? -1 : parsed.intValue();
            if (limit < 1 || limit > MAX_LIMIT) {
                throw Errors.invalidRequest("Parameter 'limit' must be between 1 and " + MAX_LIMIT + ".");
            }
        }
        String cursorText = single(parameters, "cursor");
        Cursor cursor = cursorText == null ? null : cursors.decode(cursorText);
        return new AuditQuery(event, userId, since, until, limit, cursor);
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw Errors.invalidRequest("Parameter '" + name + "' may be given once.");
        }
        String value = values.get(0);
        return value == null || value.isEmpty() ? null : value;
    }

    private static Instant instant(Map<String, List<String>> parameters, String name) {
        String value = single(parameters, name);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        }
        catch (DateTimeParseException malformed) {
            throw Errors.invalidRequest("Parameter '" + name + "' must be an ISO-8601 instant such as "
                    + "2026-11-28T00:00:00Z.");
        }
    }

    /**
     * The position after the last event of a page: its time and id. Its text is base64url (no padding) of
     * {@code <epoch microseconds>.<uuid>}; clients only ever see it signed by {@link AuditCursors}.
     */
    public record Cursor(Instant time, UUID id) {

        /** The cursor's text. */
        public String encode() {
            long micros = Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000L), time.getNano() / 1000);
            String plain = micros + "." + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.US_ASCII));
        }

        /** Reads a cursor; 400 when it is not one this gateway made. */
        public static Cursor decode(String text) {
            try {
                if (text.length() > 128) {
                    throw new IllegalArgumentException("too long");
                }
                String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
                int dot = plain.indexOf('.');
                long micros = Long.parseLong(plain.substring(0, dot));
                String uuid = plain.substring(dot + 1);
                UUID id = UUID.fromString(uuid);
                if (!id.toString().equals(uuid)) {
                    throw new IllegalArgumentException("not canonical");
                }
                Instant time = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000L);
                return new Cursor(time, id);
            }
            catch (RuntimeException malformed) {
                throw Errors.invalidRequest("Parameter 'cursor' is not a cursor of this log.");
            }
        }
    }
}
