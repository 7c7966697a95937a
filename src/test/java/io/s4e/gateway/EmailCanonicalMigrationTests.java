package io.s4e.gateway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.s4e.gateway.support.TestDatabase;
import io.s4e.gateway.user.EmailAddress;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Migration V5 on a database with users written before it: every row gets {@link EmailAddress#canonical(String)},
 * twins the old {@code lower(email)} index let in keep it only for the oldest row, the unique key is the canonical
 * column, and rows written by hand get it from the trigger when ASCII.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmailCanonicalMigrationTests {

    @Test
    void migrateWhenUsersExistThenCanonicalFormsFilledTwinsLeftUnreachableAndUniquenessCanonical(CapturedOutput output)
            throws SQLException {
        TestDatabase db = TestDatabase.create();
        flyway(db, "4").migrate();
        long victim;
        long fullWidthTwin;
        long sharpS;
        long sharpSTwin;
        long international;
        long loose;
        try (Connection c = db.connect()) {
            victim = insert(c, "Victim.IIII@Example.test");
            fullWidthTwin = insert(c, "\uff56\uff49\uff43\uff54\uff49\uff4d.iiii@example.test");
            sharpS = insert(c, "Strasse@example.test");
            sharpSTwin = insert(c, "stra\u00dfe@example.test");
            international = insert(c, "J\u00f6rg@B\u00fccher.example");
            loose = insert(c, "x<rt1@evil.example>");
        }

        flyway(db, "latest").migrate();

        try (Connection c = db.connect()) {
            assertThat(canonical(c, victim)).isEqualTo("victim.iiii@example.test");
            assertThat(canonical(c, fullWidthTwin)).as("a younger twin").isNull();
            assertThat(canonical(c, sharpS)).isEqualTo("strasse@example.test");
            assertThat(canonical(c, sharpSTwin)).as("a younger twin").isNull();
            assertThat(canonical(c, international)).isEqualTo("j\u00f6rg@xn--bcher-kva.example")
                    .isEqualTo(EmailAddress.canonical("J\u00f6rg@B\u00fccher.example"));
            assertThat(canonical(c, loose)).isEqualTo("x<rt1@evil.example>");
            assertThat(output.getAll()).contains("User " + loose + " has an e-mail that the gateway would refuse")
                    .contains("User " + fullWidthTwin + " has the same canonical e-mail as an older user");
            long ascii = insert(c, "Hand.Written@Example.TEST");
            assertThat(canonical(c, ascii)).as("filled by the trigger").isEqualTo("hand.written@example.test");
            assertThatThrownBy(() -> insert(c, "HAND.written@example.test")).as("unique by canonical form")
                    .isInstanceOf(SQLException.class).hasMessageContaining("users_email_canonical_key");
            assertThatThrownBy(() -> insert(c, "n\u00f6-canonical@example.test"))
                    .as("a non-ASCII e-mail needs its canonical form from the gateway")
                    .isInstanceOf(SQLException.class).hasMessageContaining("email_canonical is required");
            try (Statement s = c.createStatement();
                 ResultSet indexes = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")) {
                StringBuilder names = new StringBuilder();
                while (indexes.next()) {
                    names.append(indexes.getString(1)).append(' ');
                }
                assertThat(names.toString()).contains("users_email_canonical_key").doesNotContain("users_email_key");
            }
        }
    }

    private static Flyway flyway(TestDatabase db, String target) {
        return Flyway.configure().dataSource(db.jdbcUrl(), TestDatabase.USER, "").target(target).load();
    }

    private static long insert(Connection c, String email) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO users (email, role) VALUES (?, 'member') RETURNING id")) {
            s.setString(1, email);
            try (ResultSet row = s.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static String canonical(Connection c, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT email_canonical FROM users WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet row = s.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }
}
