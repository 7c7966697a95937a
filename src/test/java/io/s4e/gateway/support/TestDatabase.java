package io.s4e.gateway.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A PostgreSQL database of its own for one test JVM, on the machine's server, dropped when the JVM exits. Several
 * test runs can share the server without seeing each other.
 */
public final class TestDatabase {

    public static final String HOST = System.getProperty("s4e.test.pg.host", "127.0.0.1");
    public static final int PORT = Integer.getInteger("s4e.test.pg.port", 5432);
    public static final String USER = System.getProperty("s4e.test.pg.user", "postgres");
    private static final String ADMIN_DB = System.getProperty("s4e.test.pg.database", "test");

    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    /** Creates a fresh database and schedules its removal. */
    public static TestDatabase create() {
        String name = "s4e_it_" + ProcessHandle.current().pid() + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff);
        execute("CREATE DATABASE " + name);
        TestDatabase database = new TestDatabase(name);
        Runtime.getRuntime().addShutdownHook(new Thread(database::drop));
        return database;
    }

    public String name() {
        return name;
    }

    public String r2dbcUrl() {
        return r2dbcUrl(HOST, PORT);
    }

    public String r2dbcUrl(String host, int port) {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + name + "?connectTimeout=PT1S";
    }

    public String jdbcUrl() {
        // Bounded: a test waiting on a lock or a silent server fails instead of holding the build.
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name + "?connectTimeout=5&socketTimeout=120";
    }

    /** A JDBC connection to this database, for assertions on what is stored. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, "");
    }

    private void drop() {
        try {
            execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        catch (RuntimeException ignored) {
            // the server may be gone at JVM exit; the name is unique, so a leftover never collides
        }
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + ADMIN_DB
                + "?connectTimeout=5&socketTimeout=120",
                USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
        catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + HOST + ":" + PORT + " is needed by the tests: "
                    + e.getMessage(), e);
        }
    }
}
