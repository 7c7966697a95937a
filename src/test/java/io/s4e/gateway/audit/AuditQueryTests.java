package io.s4e.gateway.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.s4e.gateway.web.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing of the audit-log query, its cursor, and the statement each filter shape gets. */
class AuditQueryTests {

    private static final AuditCursors CURSORS = AuditCursors.forSecret("a test secret of at least thirty-two bytes");

    private static AuditQuery parse(Map<String, List<String>> parameters) {
        return AuditQuery.parse(parameters, CURSORS);
    }

    @Test
    void cursorWhenEncodedThenDecodesToTheSameTimeAndId() {
        AuditQuery.Cursor cursor = new AuditQuery.Cursor(Instant.parse("2026-11-28T00:00:00.123456Z"),
                UUID.randomUUID());
        AuditQuery.Cursor again = AuditQuery.Cursor.decode(cursor.encode());
        assertThat(again).isEqualTo(cursor);
        assertThat(cursor.encode()).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void cursorWhenBeforeTheEpochThenRoundTrips() {
        AuditQuery.Cursor cursor = new AuditQuery.Cursor(Instant.parse("1969-12-31T23:59:59.999999Z"),
                UUID.randomUUID());
        assertThat(AuditQuery.Cursor.decode(cursor.encode())).isEqualTo(cursor);
    }

    @Test
    void parseWhenNothingGivenThenDefaults() {
        AuditQuery query = parse(Map.of());
        assertThat(query).isEqualTo(new AuditQuery(null, null, null, null, 50, null));
    }

    @Test
    void parseWhenAllGivenThenEachRead() {
        AuditQuery query = parse(Map.of("event", List.of("login.failure"), "user_id", List.of("12"),
                "since", List.of("2026-11-01T00:00:00Z"), "until", List.of("2026-11-02T00:00:00Z"),
                "limit", List.of("500")));
        assertThat(query.event()).isEqualTo("login.failure");
        assertThat(query.userId()).isEqualTo(12L);
        assertThat(query.since()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(query.until()).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(query.limit()).isEqualTo(500);
    }

    @Test
    void parseWhenCursorTamperedThenInvalidRequest() {
        AuditQuery.Cursor cursor = new AuditQuery.Cursor(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS),
                UUID.randomUUID());
        String valid = CURSORS.encode(cursor);
        assertThat(parse(Map.of("cursor", List.of(valid))).cursor()).isEqualTo(cursor);
        String forged = new AuditQuery.Cursor(Instant.now().plusSeconds(3600), UUID.randomUUID()).encode();
        String otherSecret = AuditCursors.forSecret("another secret of at least thirty-two bytes").encode(cursor);
        for (String bad : List.of(valid.substring(1), "x" + valid, "AAAA", "", "!!", cursor.encode(), forged,
                forged + valid.substring(valid.indexOf('.')), otherSecret, valid + "A")) {
            if (bad.isEmpty()) {
                continue;
            }
            assertThatThrownBy(() -> parse(Map.of("cursor", List.of(bad))))
                    .isInstanceOf(GatewayException.class).hasMessageContaining("cursor");
        }
    }

    @Test
    void pageSqlWhenFilteredThenOnlyTheNeededPredicatesAndKeysetOrder() {
        AuditQuery all = new AuditQuery(null, null, null, null, 50, null);
        assertThat(AuditRepository.pageSql(all)).isEqualTo("SELECT " + AuditRepository.COLUMNS
                + " FROM audit_log WHERE true ORDER BY occurred_at DESC, id DESC LIMIT :limit");
        AuditQuery every = new AuditQuery("key.created", 3L, Instant.EPOCH, Instant.now(), 5,
                new AuditQuery.Cursor(Instant.now(), UUID.randomUUID()));
        assertThat(AuditRepository.pageSql(every)).endsWith(" FROM audit_log WHERE true AND event = :event AND "
                + "user_id = :userId AND occurred_at >= :since AND occurred_at < :until AND (occurred_at, id) < "
                + "(:cursorTime, :cursorId) ORDER BY occurred_at DESC, id DESC LIMIT :limit");
    }

    @Test
    void propertiesWhenInvalidThenStartRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new AuditProperties(null, 0, null, null, null, null, null, null, null, null, null,
                null)).hasMessageContaining("s4e.audit.queue-capacity");
        assertThatThrownBy(() -> new AuditProperties(null, null, 6000, null, null, null, null, null, null, null, null,
                null)).hasMessageContaining("s4e.audit.batch-size");
        assertThatThrownBy(() -> new AuditProperties(null, null, null, null, null, java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(1), null, null, null, null, null))
                .hasMessageContaining("s4e.audit.retry-max-backoff");
        AuditProperties defaults = new AuditProperties(null, null, null, null, null, null, null, null, null, null,
                null, null);
        assertThat(defaults.retention()).isEqualTo(java.time.Duration.ofDays(400));
        assertThat(defaults.enabled()).isTrue();
    }
}
