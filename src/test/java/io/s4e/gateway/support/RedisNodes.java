package io.s4e.gateway.support;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Redis servers of a test's own, started from Debian's {@code redis-server} on free ports (and, for a cluster, free
 * bus ports 10000 above) in a temporary directory: a 3 + 3 Redis Cluster, or a master and a replica under three
 * sentinels. {@link #close()} stops every process and deletes the directory; a JVM shutdown hook does the same if
 * the test never gets there. The machine's Redis on 6379 is never touched.
 */
public final class RedisNodes implements AutoCloseable {

    private final Path dir;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Map<Integer, List<String>> commands = new LinkedHashMap<>();
    private final Thread hook;

    private RedisNodes() {
        try {
            dir = Files.createTempDirectory("s4e-redis-");
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        hook = new Thread(this::stopAll, "redis-nodes-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether {@code redis-server}, {@code redis-sentinel} and {@code redis-cli} can be run here. */
    public static boolean available() {
        return Stream.of("/usr/bin/redis-server", "/usr/bin/redis-cli").allMatch(p -> new File(p).canExecute());
    }

    /** Three masters with a replica each, slots spread by {@code redis-cli --cluster create}; waits until ok. */
    public static RedisNodes cluster() {
        RedisNodes nodes = new RedisNodes();
        try {
            List<Integer> ports = freePorts(6, true);
            for (int port : ports) {
                nodes.launch(port, List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                        "--cluster-node-timeout", "2000", "--dir", nodes.dir.toString(), "--save", "",
                        "--appendonly", "no"));
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            nodes.run(create, Duration.ofSeconds(60));
            for (int port : ports) {
                nodes.awaitOutput(port, List.of("cluster", "info"), "cluster_state:ok", Duration.ofSeconds(30));
            }
            nodes.awaitReplicasSynced(ports);
            return nodes;
        }
        catch (RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    /**
     * A master and one replica under three sentinels watching {@code masterName} (quorum 2, down after 1 s,
     * failover timeout 5 s).
     */
    public static RedisNodes sentinels(String masterName) {
        RedisNodes nodes = new RedisNodes();
        try {
            List<Integer> ports = freePorts(5, false);
            int master = ports.get(0);
            int replica = ports.get(1);
            nodes.launch(master, List.of("redis-server", "--port", Integer.toString(master), "--bind", "127.0.0.1",
                    "--dir", nodes.dir.toString(), "--save", "", "--appendonly", "no"));
            nodes.launch(replica, List.of("redis-server", "--port", Integer.toString(replica), "--bind",
                    "127.0.0.1", "--dir", nodes.dir.toString(), "--save", "", "--appendonly", "no",
                    "--replicaof", "127.0.0.1", Integer.toString(master)));
            nodes.awaitOutput(replica, List.of("info", "replication"), "master_link_status:up",
                    Duration.ofSeconds(30));
            for (int sentinel : ports.subList(2, 5)) {
                Path conf = nodes.dir.resolve("sentinel-" + sentinel + ".conf");
                Files.writeString(conf, String.join("\n",
                        "port " + sentinel,
                        "bind 127.0.0.1",
                        "dir " + nodes.dir,
                        "sentinel monitor " + masterName + " 127.0.0.1 " + master + " 2",
                        "sentinel down-after-milliseconds " + masterName + " 1000",
                        "sentinel failover-timeout " + masterName + " 5000",
                        "sentinel parallel-syncs " + masterName + " 1",
                        ""), StandardCharsets.UTF_8);
                nodes.launch(sentinel, List.of("redis-server", conf.toString(), "--sentinel"));
            }
            for (int sentinel : ports.subList(2, 5)) {
                nodes.awaitOutput(sentinel, List.of("sentinel", "replicas", masterName), "slave",
                        Duration.ofSeconds(30));
                nodes.awaitOutput(sentinel, List.of("sentinel", "master", masterName), "num-other-sentinels\n2",
                        Duration.ofSeconds(30));
            }
            return nodes;
        }
        catch (IOException e) {
            nodes.close();
            throw new IllegalStateException(e);
        }
        catch (RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    /** Every port with a server of this group, in start order (sentinel: master, replica, three sentinels). */
    public List<Integer> ports() {
        return List.copyOf(commands.keySet());
    }

    /** {@code 127.0.0.1:port} of every port in {@code ports}, comma-separated. */
    public static String hostPorts(List<Integer> ports) {
        return ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** The output of {@code redis-cli -p port args…}. */
    public String cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, Duration.ofSeconds(15));
    }

    /** Kills the server on {@code port} at once (SIGKILL), as a crash would. */
    public void kill(int port) {
        Process process = processes.remove(port);
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Ports.await(port, false, Duration.ofSeconds(10));
    }

    /** Stops every server (they keep their cluster configuration on disk) without deleting anything. */
    public void stopServers() {
        for (Integer port : List.copyOf(processes.keySet())) {
            Process process = processes.remove(port);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts again every server that is not running, with its first command line. */
    public void restartStopped() {
        for (Map.Entry<Integer, List<String>> entry : commands.entrySet()) {
            if (!processes.containsKey(entry.getKey())) {
                launch(entry.getKey(), entry.getValue());
            }
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException shuttingDown) {
            // the hook is running already
        }
    }

    private void stopAll() {
        stopServers();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (IOException ignored) {
            // a temporary directory left behind
        }
    }

    private void launch(int port, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server-" + port + ".log").toFile()).start();
            processes.put(port, process);
            commands.put(port, command);
        }
        catch (IOException e) {
            throw new IllegalStateException("could not start " + command, e);
        }
        Ports.await(port, true, Duration.ofSeconds(15));
    }

    private void awaitReplicasSynced(List<Integer> ports) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int port : ports) {
            while (true) {
                String info = cli(port, "info", "replication");
                if (info.contains("role:master") || info.contains("master_link_status:up")) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replica on " + port + " never synced: " + info);
                }
                sleep(100);
            }
        }
    }

    private void awaitOutput(int port, List<String> args, String wanted, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = cli(port, args.toArray(String[]::new));
            if (last.contains(wanted)) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("port " + port + " never answered " + args + " with " + wanted + ": "
                + last);
    }

    private String run(List<String> command, Duration within) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + text);
            }
            return text;
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code count} distinct free ports in 20000–45000 (with {@code bus}: their port + 10000 free as well). */
    private static List<Integer> freePorts(int count, boolean bus) {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < count) {
            int port = 20000 + ThreadLocalRandom.current().nextInt(25000);
            if (!ports.contains(port) && free(port) && (!bus || free(port + 10000))) {
                ports.add(port);
            }
        }
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        }
        catch (IOException taken) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
