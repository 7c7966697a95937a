package io.s4e.gateway.support;

import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;

/**
 * Test data written straight into the test database over JDBC (on the test thread, never an event loop): users of
 * any role and keys of any owner, including states the API would not create (a key already expired).
 */
public final class TestData {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestData() {
    }

    /** Inserts a user with a unique email and returns its id. */
    public static long user(String role) {
        String email = role + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "@example.test";
        return update("INSERT INTO users (email, role) VALUES (?, ?) RETURNING id", email, role);
    }

    /** A new well-formed key that is stored nowhere. */
    public static String unknownKey() {
        return ApiKeyFormat.generate(RANDOM);
    }

    /** Inserts a key for {@code userId} and returns its secret. */
    public static String key(long userId, List<String> scopes) {
        return key(userId, scopes, null);
    }

    /** Inserts a key for {@code userId}, expiring at {@code expiresAt} (null: never), and returns its secret. */
    public static String key(long userId, List<String> scopes, Instant expiresAt) {
        String secret = ApiKeyFormat.generate(RANDOM);
        String id = "key-%08x".formatted(ThreadLocalRandom.current().nextInt());
        try (Connection c = TestInfrastructure.get().database.connect();
             PreparedStatement s = c.prepareStatement("INSERT INTO api_keys (id, user_id, name, key_hash, prefix, "
                     + "last4, scopes, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            Array array = c.createArrayOf("text", scopes.toArray());
            s.setString(1, id);
            s.setLong(2, userId);
            s.setString(3, "test key");
            s.setString(4, SecretHashes.sha256(secret));
            s.setString(5, ApiKeyFormat.displayPrefix(secret));
            s.setString(6, ApiKeyFormat.last4(secret));
            s.setArray(7, array);
            s.setTimestamp(8, expiresAt == null ? null : Timestamp.from(expiresAt));
            s.executeUpdate();
            return secret;
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of the key whose secret is {@code secret}. */
    public static String keyId(String secret) {
        return queryString("SELECT id FROM api_keys WHERE key_hash = ?", SecretHashes.sha256(secret));
    }

    /** Runs an update (or an INSERT … RETURNING of one number) and returns the number. */
    public static long update(String sql, Object... parameters) {
        try (Connection c = TestInfrastructure.get().database.connect();
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            if (sql.contains("RETURNING")) {
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
            return s.executeUpdate();
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row, as a string (null when no row). */
    public static String queryString(String sql, Object... parameters) {
        try (Connection c = TestInfrastructure.get().database.connect();
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
