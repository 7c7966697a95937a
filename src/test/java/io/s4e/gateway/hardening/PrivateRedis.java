package io.s4e.gateway.hardening;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.s4e.gateway.support.Ports;

/**
 * A Redis server of the test's own on a free port (no persistence), which the test stops and starts again on the
 * same port. The machine's shared Redis is never touched.
 */
final class PrivateRedis implements AutoCloseable {

    private final int port;
    private Process process;

    private PrivateRedis(int port) {
        this.port = port;
    }

    static PrivateRedis start() {
        PrivateRedis redis = new PrivateRedis(Ports.free());
        redis.startAgain();
        return redis;
    }

    int port() {
        return port;
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) on its port and waits until it accepts connections. */
    void startAgain() {
        try {
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        }
        catch (IOException e) {
            throw new IllegalStateException("redis-server could not be started", e);
        }
        Ports.await(port, true, Duration.ofSeconds(10));
    }

    /** Stops the server; its data is gone. */
    void stop() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        Ports.await(port, false, Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        stop();
    }
}
