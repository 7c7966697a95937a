package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

import io.s4e.gateway.user.EmailAddress;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One canonical form per e-mail ({@link EmailAddress#canonical(String)}): adds {@code users.email_canonical}, fills it
 * for every existing row with the same Java function the gateway uses for lookups and lock keys, and makes it the
 * unique key instead of {@code lower(email)}, which PostgreSQL computed with rules of its own.
 * <p>
 * Rows whose canonical forms collide (twins the old index let in, such as a full-width spelling) keep it only for the
 * oldest row; the others get no canonical form, so they can no longer be reached by e-mail (their API keys keep
 * working) and an operator decides what they are. Each such row is logged by id.
 * <p>
 * Rows whose e-mail the strict rules of {@link EmailAddress#parse(String)} would refuse today (such as
 * {@code x<rt1@evil.example>}) are kept, and logged by id, since their mail may go elsewhere than it seems.
 * <p>
 * A trigger fills the column for a row inserted without it when the e-mail is pure ASCII, where the canonical form is
 * exactly ASCII lower case; any other row written without it is refused, so no row can bypass the Java function.
 */
public class V5__email_canonical_form extends BaseJavaMigration {

    private static final Logger log = LoggerFactory.getLogger(V5__email_canonical_form.class);

    private static boolean isAcceptable(String email) {
        try {
            EmailAddress.parse(email);
            return true;
        }
        catch (IllegalArgumentException refused) {
            return false;
        }
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection db = context.getConnection();
        try (Statement ddl = db.createStatement()) {
            ddl.execute("ALTER TABLE users ADD COLUMN email_canonical TEXT");
        }
        Set<String> taken = new HashSet<>();
        try (Statement select = db.createStatement();
             ResultSet rows = select.executeQuery("SELECT id, email FROM users ORDER BY id");
             PreparedStatement update = db.prepareStatement("UPDATE users SET email_canonical = ? WHERE id = ?")) {
            while (rows.next()) {
                long id = rows.getLong("id");
                String email = rows.getString("email");
                String canonical = EmailAddress.canonical(email);
                if (!isAcceptable(email)) {
                    log.warn("User {} has an e-mail that the gateway would refuse today (display name, list, "
                            + "invisible character, ...): check where its mail goes", id);
                }
                if (taken.add(canonical)) {
                    update.setString(1, canonical);
                    update.setLong(2, id);
                    update.addBatch();
                } else {
                    log.warn("User {} has the same canonical e-mail as an older user: it can no longer log in "
                            + "with its e-mail until an operator resolves the twin", id);
                }
            }
            update.executeBatch();
        }
        try (Statement ddl = db.createStatement()) {
            ddl.execute("DROP INDEX users_email_key");
            ddl.execute("CREATE UNIQUE INDEX users_email_canonical_key ON users (email_canonical)");
            ddl.execute("""
                    CREATE FUNCTION users_email_canonical_ascii() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.email_canonical IS NULL THEN
                            IF NEW.email ~ '^[\\x01-\\x7F]*$' THEN
                                NEW.email_canonical := lower(NEW.email COLLATE "C");
                            ELSE
                                RAISE EXCEPTION 'users.email_canonical is required for a non-ASCII e-mail';
                            END IF;
                        END IF;
                        RETURN NEW;
                    END
                    $$""");
            ddl.execute("CREATE TRIGGER users_email_canonical BEFORE INSERT ON users FOR EACH ROW "
                    + "EXECUTE FUNCTION users_email_canonical_ascii()");
            ddl.execute("COMMENT ON COLUMN users.email_canonical IS "
                    + "'EmailAddress.canonical(email): NFKC, case fold, NFKC; domain as lower-case A-labels. "
                    + "The only key of lookups and uniqueness. NULL: a twin left unreachable by V5.'");
        }
    }
}
