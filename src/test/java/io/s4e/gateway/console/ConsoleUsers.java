package io.s4e.gateway.console;

import io.s4e.gateway.support.TestUsers;

/** Users with a password for the console tests, written straight into the test database. */
final class ConsoleUsers {

    static final String PASSWORD = "a long enough console password";

    private ConsoleUsers() {
    }

    /** Inserts a user of {@code role} with {@link #PASSWORD} and returns its email. */
    static String withPassword(String role) {
        return TestUsers.withPassword("console", role, PASSWORD);
    }

    /** The id of the user {@code email}. */
    static long id(String email) {
        return TestUsers.id(email);
    }
}
