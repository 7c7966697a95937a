package io.s4e.gateway.console;

import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.TestData;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/** Users with a password for the console tests, written straight into the test database. */
final class ConsoleUsers {

    static final String PASSWORD = "a long enough console password";
    private static final Argon2PasswordEncoder ENCODER = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

    private ConsoleUsers() {
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD} and returns its email. */
    static String withPassword(String role) {
        String email = "console-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "@example.test";
        TestData.update("INSERT INTO users (email, role, password_hash) VALUES (?, ?, ?) RETURNING id", email, role,
                ENCODER.encode(PASSWORD));
        return email;
    }

    /** The id of the user {@code email}. */
    static long id(String email) {
        return Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?", email));
    }
}
