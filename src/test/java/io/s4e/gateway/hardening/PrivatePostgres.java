package io.s4e.gateway.hardening;

import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.Ports;
import io.s4e.gateway.support.PostgresUser;

/**
 * A PostgreSQL 15 cluster of the test's own (initdb + pg_ctl, run as the {@code postgres} OS user, data under
 * /tmp, a free port, trust authentication), which the test stops and starts again. The machine's shared
 * PostgreSQL is never touched.
 */
final class PrivatePostgres implements AutoCloseable {

    static final String BIN = "/usr/lib/postgresql/15/bin/";
    static final String DATABASE = "s4e";

    private final int port;
    private final String dataDir;

    private PrivatePostgres(int port, String dataDir) {
        this.port = port;
        this.dataDir = dataDir;
    }

    /** True when this machine can run a private cluster (the binaries and the postgres user exist). */
    static boolean available() {
        return new File(BIN + "initdb").canExecute() && new File(BIN + "pg_ctl").canExecute()
                && new File("/usr/sbin/runuser").canExecute();
    }

    static PrivatePostgres start() {
        int port = Ports.free();
        String dir = "/tmp/s4e-pg-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff);
        PrivatePostgres postgres = new PrivatePostgres(port, dir);
        PostgresUser.run("mkdir", "-p", dir);
        PostgresUser.run(BIN + "initdb", "-D", dir + "/data", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        postgres.startAgain();
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return postgres;
    }

    int port() {
        return port;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    String r2dbcUrl() {
        return "r2dbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?connectTimeout=PT2S";
    }

    /** Starts the cluster (again) and waits until it accepts connections. */
    void startAgain() {
        PostgresUser.run(BIN + "pg_ctl", "-D", dataDir + "/data", "-l", dataDir + "/log", "-w", "-t", "30",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dataDir + " -c fsync=off", "start");
        Ports.await(port, true, Duration.ofSeconds(20));
    }

    /** Stops the cluster at once, dropping every connection (as a crash would). */
    void stop() {
        PostgresUser.run(BIN + "pg_ctl", "-D", dataDir + "/data", "-m", "immediate", "-w", "-t", "30", "stop");
        Ports.await(port, false, Duration.ofSeconds(20));
    }

    @Override
    public void close() {
        try {
            PostgresUser.run(BIN + "pg_ctl", "-D", dataDir + "/data", "-m", "immediate", "-w", "stop");
        }
        catch (IllegalStateException alreadyStopped) {
            // stopped by the test
        }
        PostgresUser.run("rm", "-rf", dataDir);
    }
}
