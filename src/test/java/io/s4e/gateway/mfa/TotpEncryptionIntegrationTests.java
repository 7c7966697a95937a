package io.s4e.gateway.mfa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.mfa.MfaKeys;
import io.s4e.gateway.mfa.TotpSecretCipher;
import io.s4e.gateway.mfa.V8__encrypt_totp_secrets_and_recovery_codes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.StoredText;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TOTP secrets at rest (CONTRACT §10): never plaintext in PostgreSQL, bound to their user, readable under every
 * configured key and re-encrypted under the first on use; migration V8 encrypts what an older version stored; the
 * gateway refuses to start without the keys that stored rows need.
 */
@GatewayIntegrationTest
class TotpEncryptionIntegrationTests {

    /** A second key, for rotation. */
    static final String IT2 = "it2:74UialNFakrq1JhHyfjNJpzw5PgUu2LjHMD7WvAc7Yo=";

    @LocalServerPort
    int port;

    LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    @Test
    void setupWhenSecretReturnedThenNoColumnOfTheDatabaseHoldsItInPlaintext() {
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String email = LoginCalls.userWithPassword("member");
            String token = gateway.token(email);
            Reply setup = gateway.post("/api/user/mfa/totp/setup", token, null);
            assertThat(setup.status()).as(setup.body()).isEqualTo(200);
            String secret = setup.data().get("secret").asString();
            secrets.add(secret);
            if (i == 0) {
                assertThat(gateway.post("/api/user/mfa/totp/confirm", token,
                        "{\"code\":\"" + LoginCalls.codeNow(secret) + "\"}").status())
                        .as("one of them enabled").isEqualTo(200);
            }
        }

        List<String> stored = new ArrayList<>();
        try (Connection c = io.s4e.gateway.support.TestInfrastructure.get().database.connect();
             PreparedStatement s = c.prepareStatement("SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL");
             ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                stored.add(rows.getString(1));
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        assertThat(stored).hasSizeGreaterThanOrEqualTo(3).allSatisfy(value -> assertThat(value).startsWith("v1:"));
        for (String secret : secrets) {
            assertThat(stored).noneSatisfy(value -> assertThat(value).containsIgnoringCase(secret.substring(0, 16)));
            assertThat(StoredText.placesHolding(secret)).as("any text column").isEmpty();
            assertThat(StoredText.placesHolding(secret.substring(0, 16))).as("half of it anywhere").isEmpty();
        }
    }

    @Test
    void verifyWhenSecretCopiedToAnotherUserThenItsCodesAreRefusedThere() {
        String secret = LoginCalls.newSecret();
        String owner = LoginCalls.mfaUser(secret, false);
        String thief = LoginCalls.mfaUser(LoginCalls.newSecret(), false);
        TestData.update("UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE email = ?) "
                + "WHERE email = ?", owner, thief);

        Reply refused = gateway.post("/api/user/auth/mfa/verify", null, LoginCalls
                .verifyBody(mfaToken(thief), LoginCalls.codeNow(secret), "totp"));

        assertThat(refused.status()).isEqualTo(401);
    }

    @Test
    void rotationWhenANewFirstKeyThenOldSecretsStillWorkAndAreReEncryptedOnUse() {
        String secret = LoginCalls.newSecret();
        String email = LoginCalls.mfaUser(secret, false);
        String before = TestData.queryString("SELECT totp_secret FROM users WHERE email = ?", email);
        assertThat(before).startsWith("v1:it1:");
        try (SecondGateway rotated = SecondGateway.start(Map.of("s4e.mfa.encryption-keys",
                IT2 + "," + TestData.MFA_KEY))) {
            LoginCalls calls = new LoginCalls(rotated.port());
            String mfaToken = calls.login(LoginCalls.body(email, LoginCalls.PASSWORD)).json().path("data")
                    .path("mfa_token").asString();

            Reply verified = calls.post("/api/user/auth/mfa/verify", null, LoginCalls
                    .verifyBody(mfaToken, LoginCalls.codeNow(secret), "totp"));

            assertThat(verified.status()).as("the old key still decrypts").isEqualTo(200);
            String after = TestData.queryString("SELECT totp_secret FROM users WHERE email = ?", email);
            assertThat(after).as("re-encrypted under the first key").startsWith("v1:it2:").doesNotContain(secret);
            long id = Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?", email));
            assertThat(new TotpSecretCipher(MfaKeys.of(List.of(IT2))).open(id, after))
                    .hasValueSatisfying(opened -> assertThat(opened.secret()).isEqualTo(secret));
        }
        finally {
            // Rows under it2 would stop later gateways of this JVM (configured with it1 only) from starting.
            TestData.update("UPDATE users SET totp_secret = NULL, totp_enabled = false WHERE totp_secret LIKE 'v1:it2:%'");
        }
    }

    @Test
    void startWhenStoredSecretsNeedAKeyThatIsMissingOrShortThenRefusedWithAClearMessage() throws SQLException {
        TestDatabase db = TestDatabase.create();
        Map<String, String> own = new HashMap<>();
        own.put("spring.r2dbc.url", db.r2dbcUrl());
        own.put("spring.flyway.url", db.jdbcUrl());
        SecondGateway.start(own).close();
        try (Connection c = db.connect();
             PreparedStatement s = c.prepareStatement("INSERT INTO users (email, role) VALUES ('x@example.test', "
                     + "'member') RETURNING id");
             ResultSet row = s.executeQuery()) {
            row.next();
            long id = row.getLong(1);
            try (PreparedStatement u = c.prepareStatement("UPDATE users SET totp_secret = ? WHERE id = ?")) {
                u.setString(1, TestData.sealTotpSecret(id, LoginCalls.newSecret()));
                u.setLong(2, id);
                u.executeUpdate();
            }
        }

        Map<String, String> noKey = new HashMap<>(own);
        noKey.put("s4e.mfa.encryption-keys", "");
        assertThatThrownBy(() -> SecondGateway.start(noKey).close()).hasStackTraceContaining("s4e.mfa.encryption-keys is not set")
                .hasStackTraceContaining("under key ids [it1]");

        Map<String, String> otherKey = new HashMap<>(own);
        otherKey.put("s4e.mfa.encryption-keys", IT2);
        assertThatThrownBy(() -> SecondGateway.start(otherKey).close()).hasStackTraceContaining("lacks key ids [it1]");

        Map<String, String> shortKey = new HashMap<>(own);
        shortKey.put("s4e.mfa.encryption-keys", "it1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYX");
        assertThatThrownBy(() -> SecondGateway.start(shortKey).close()).hasStackTraceContaining("s4e.mfa.encryption-keys[0]")
                .hasStackTraceContaining("24 bytes")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"));
    }

    @Test
    void startWhenNoKeyAndNothingStoredThenRunsButRefusesTotpEnrolmentWithServiceUnavailable() {
        TestDatabase db = TestDatabase.create();
        Map<String, String> noKey = new HashMap<>();
        noKey.put("spring.r2dbc.url", db.r2dbcUrl());
        noKey.put("spring.flyway.url", db.jdbcUrl());
        noKey.put("s4e.mfa.encryption-keys", "");
        try (SecondGateway keyless = SecondGateway.start(noKey)) {
            LoginCalls calls = new LoginCalls(keyless.port());
            Reply login = calls.login(LoginCalls.body(
                    io.s4e.gateway.support.TestInfrastructure.ADMIN_EMAIL,
                    io.s4e.gateway.support.TestInfrastructure.ADMIN_PASSWORD));
            String token = login.data().get("token").asString();

            Reply setup = calls.post("/api/user/mfa/totp/setup", token, null);

            assertThat(setup.status()).isEqualTo(503);
            io.s4e.gateway.support.ErrorEnvelopes.assertEnvelope(setup.body(), "service_unavailable");
            assertThat(setup.errorMessage()).contains("s4e.mfa.encryption-keys");
            assertThat(calls.post("/api/user/mfa/email/enable", token, null).status())
                    .as("e-mail codes need no key").isEqualTo(200);
        }
    }

    @Test
    void migrationV8WhenPlaintextSecretsStoredThenEncryptedForTheirUsersAndWithoutAKeyRefused() throws SQLException {
        TestDatabase refused = TestDatabase.create();
        Flyway.configure().dataSource(refused.jdbcUrl(), TestDatabase.USER, "").load().migrate();
        long[] ids = insertPlaintext(refused, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA");
        assertThatThrownBy(() -> v8(refused, List.of()).migrate())
                .hasStackTraceContaining("s4e.mfa.encryption-keys is not set");
        assertThat(secretOf(refused, ids[0])).as("left as it was").isEqualTo("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");

        TestDatabase db = TestDatabase.create();
        Flyway.configure().dataSource(db.jdbcUrl(), TestDatabase.USER, "").load().migrate();
        long[] rows = insertPlaintext(db, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA");

        v8(db, List.of(TestData.MFA_KEY)).migrate();

        TotpSecretCipher cipher = new TotpSecretCipher(MfaKeys.of(List.of(TestData.MFA_KEY)));
        String enabled = secretOf(db, rows[0]);
        String pending = secretOf(db, rows[1]);
        assertThat(enabled).startsWith("v1:it1:").doesNotContain("JBSWY3DP");
        assertThat(pending).startsWith("v1:it1:").doesNotContain("KRUGKIDR");
        assertThat(cipher.open(rows[0], enabled)).hasValueSatisfying(o -> assertThat(o.secret())
                .isEqualTo("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"));
        assertThat(cipher.open(rows[1], pending)).hasValueSatisfying(o -> assertThat(o.secret())
                .isEqualTo("KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"));
        assertThat(cipher.open(rows[0], pending)).as("bound to its user").isEmpty();
    }

    String mfaToken(String email) {
        return gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD)).json().path("data").path("mfa_token")
                .asString();
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter text = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }

    private static Flyway v8(TestDatabase db, List<String> keys) {
        return Flyway.configure().dataSource(db.jdbcUrl(), TestDatabase.USER, "")
                .javaMigrations(new V8__encrypt_totp_secrets_and_recovery_codes(MfaKeys.of(keys)))
                .outOfOrder(true)
                .load();
    }

    /** Inserts a user with TOTP on with {@code enabled}, and one with {@code pending} set up but not confirmed. */
    private static long[] insertPlaintext(TestDatabase db, String enabled, String pending) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement s = c.prepareStatement("INSERT INTO users (email, role, totp_secret, totp_enabled) "
                     + "VALUES (?, 'member', ?, ?) RETURNING id")) {
            long[] ids = new long[2];
            String[][] rows = {{"on@example.test", enabled, "true"}, {"pending@example.test", pending, "false"}};
            for (int i = 0; i < 2; i++) {
                s.setString(1, rows[i][0]);
                s.setString(2, rows[i][1]);
                s.setBoolean(3, Boolean.parseBoolean(rows[i][2]));
                try (ResultSet row = s.executeQuery()) {
                    row.next();
                    ids[i] = row.getLong(1);
                }
            }
            return ids;
        }
    }

    private static String secretOf(TestDatabase db, long id) throws SQLException {
        try (Connection c = db.connect();
             PreparedStatement s = c.prepareStatement("SELECT totp_secret FROM users WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet row = s.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }
}
