package io.s4e.gateway.stores;

import java.io.File;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.Ports;
import io.s4e.gateway.support.PostgresUser;

/**
 * A PostgreSQL 15 primary and its streaming replica of the test's own: {@code initdb}, then
 * {@code pg_basebackup -R} from the primary, each on a free port with its data under /tmp, run as the
 * {@code postgres} OS user with trust authentication on 127.0.0.1. The test stops the primary and promotes the
 * replica; {@link #close()} stops both and deletes their files (a JVM shutdown hook does it if the test never gets
 * there). The machine's PostgreSQL on 5432 is never touched.
 */
final class PostgresPair implements AutoCloseable {

    static final String BIN = "/usr/lib/postgresql/15/bin/";
    static final String DATABASE = "s4e";

    final int primaryPort;
    final int replicaPort;
    private final String dir;
    private final Thread hook;

    private PostgresPair(int primaryPort, int replicaPort, String dir) {
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
        this.dir = dir;
        this.hook = new Thread(this::stopAndDelete, "postgres-pair-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static boolean available() {
        return new File(BIN + "initdb").canExecute() && new File(BIN + "pg_basebackup").canExecute()
                && new File("/usr/sbin/runuser").canExecute();
    }

    /**
     * Starts the primary and a replica streaming from it; with {@code replicaDelay}, the replica applies each
     * transaction that long after its commit ({@code recovery_min_apply_delay}).
     */
    static PostgresPair start(Duration replicaDelay) {
        int primary = Ports.free();
        int replica = Ports.free();
        while (replica == primary) {
            replica = Ports.free();
        }
        String dir = "/tmp/s4e-pgpair-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff);
        PostgresPair pair = new PostgresPair(primary, replica, dir);
        try {
            PostgresUser.run("mkdir", "-p", dir);
            PostgresUser.run(BIN + "initdb", "-D", dir + "/primary", "-A", "trust", "-U", "postgres", "--no-sync", "-E",
                    "UTF8");
            pair.startServer("primary", primary);
            try (Connection c = DriverManager.getConnection(pair.jdbcUrl(primary, "postgres"), "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
            PostgresUser.run(BIN + "pg_basebackup", "-h", "127.0.0.1", "-p", Integer.toString(primary), "-U", "postgres",
                    "-D", dir + "/replica", "-R", "-X", "stream", "--no-sync", "--checkpoint=fast");
            if (!replicaDelay.isZero()) {
                PostgresUser.run("sh", "-c", "echo \"recovery_min_apply_delay = '" + replicaDelay.toMillis()
                        + "ms'\" >> " + dir + "/replica/postgresql.auto.conf");
            }
            pair.startServer("replica", replica);
            // Commits wait until the replica has them on disk, so a primary lost at any instant loses no audit
            // event the gateway was told is written (the replica, once promoted, has no standby to wait for).
            try (Connection c = DriverManager.getConnection(pair.jdbcUrl(primary, "postgres"), "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("ALTER SYSTEM SET synchronous_standby_names = '*'");
                s.execute("SELECT pg_reload_conf()");
            }
            return pair;
        }
        catch (SQLException | RuntimeException e) {
            pair.close();
            throw new IllegalStateException("the PostgreSQL pair could not be started", e);
        }
    }

    String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Both hosts, the primary wanted: what a gateway is given for failover. */
    String failoverR2dbcUrl() {
        return "r2dbc:postgresql:failover://127.0.0.1:" + primaryPort + ",127.0.0.1:" + replicaPort + "/" + DATABASE
                + "?targetServerType=primary&connectTimeout=PT2S";
    }

    String failoverJdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + ",127.0.0.1:" + replicaPort + "/" + DATABASE
                + "?targetServerType=primary";
    }

    /** The replica alone, for reads. */
    String replicaR2dbcUrl() {
        return "r2dbc:postgresql://127.0.0.1:" + replicaPort + "/" + DATABASE + "?connectTimeout=PT2S";
    }

    /** Stops the primary at once, dropping every connection (as a crash would). */
    void stopPrimary() {
        PostgresUser.run(BIN + "pg_ctl", "-D", dir + "/primary", "-m", "immediate", "-w", "-t", "30", "stop");
        Ports.await(primaryPort, false, Duration.ofSeconds(30));
    }

    /** Promotes the replica to a primary and waits until it is one. */
    void promoteReplica() {
        PostgresUser.run(BIN + "pg_ctl", "-D", dir + "/replica", "-w", "-t", "30", "promote");
    }

    @Override
    public void close() {
        stopAndDelete();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException shuttingDown) {
            // the hook is running already
        }
    }

    private void stopAndDelete() {
        for (String name : List.of("replica", "primary")) {
            try {
                PostgresUser.run(BIN + "pg_ctl", "-D", dir + "/" + name, "-m", "immediate", "-w", "stop");
            }
            catch (IllegalStateException stoppedAlready) {
                // stopped by the test, or never started
            }
        }
        try {
            PostgresUser.run("rm", "-rf", dir);
        }
        catch (IllegalStateException leftBehind) {
            // a directory under /tmp left behind
        }
    }

    private void startServer(String name, int port) {
        PostgresUser.run(BIN + "pg_ctl", "-D", dir + "/" + name, "-l", dir + "/" + name + ".log", "-w", "-t", "60",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off", "start");
        Ports.await(port, true, Duration.ofSeconds(30));
    }
}
