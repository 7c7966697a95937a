package io.s4e.gateway.support;

import java.util.concurrent.ThreadLocalRandom;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Users with a password, written straight into the test database with an Argon2id hash as the gateway stores it, so
 * a test can log in with the password at once.
 */
public final class TestUsers {

    private static final Argon2PasswordEncoder ENCODER = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

    private TestUsers() {
    }

    /** The Argon2id hash of {@code password}, as the gateway writes it. */
    public static String hash(String password) {
        return ENCODER.encode(password);
    }

    /** A unique e-mail address starting with {@code prefix}. */
    public static String uniqueEmail(String prefix) {
        return prefix + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "@example.test";
    }

    /**
     * Inserts a user with a unique e-mail starting with {@code prefix}, of {@code role}, with {@code password};
     * returns its e-mail.
     */
    public static String withPassword(String prefix, String role, String password) {
        String email = uniqueEmail(prefix);
        insert(email, role, null, hash(password));
        return email;
    }

    /** Inserts user {@code email} of {@code role} with {@code password}; returns its id. */
    public static long insert(String email, String role, String password) {
        return insert(email, role, null, hash(password));
    }

    /**
     * Inserts user {@code email} of {@code role} and {@code tier} (null: the default tier) whose password has the
     * Argon2id hash {@code passwordHash} (see {@link #hash}, for many users of one password); returns its id.
     */
    public static long insert(String email, String role, String tier, String passwordHash) {
        if (tier == null) {
            return TestData.update("INSERT INTO users (email, role, password_hash) VALUES (?, ?, ?) RETURNING id",
                    email, role, passwordHash);
        }
        return TestData.update("INSERT INTO users (email, role, tier, password_hash) VALUES (?, ?, ?, ?) RETURNING id",
                email, role, tier, passwordHash);
    }

    /** The id of user {@code email}. */
    public static long id(String email) {
        return Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?", email));
    }

    /** The e-mail of user {@code id}. */
    public static String emailOf(long id) {
        return TestData.queryString("SELECT email FROM users WHERE id = ?", id);
    }
}
