package io.s4e.gateway.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routes reloaded from a mounted ConfigMap while requests keep flowing. The directory is laid out as the kubelet lays
 * out a ConfigMap volume: {@code gateway.yml} links to {@code ..data/gateway.yml}, and {@code ..data} links to a
 * timestamped directory that an update replaces by swapping the {@code ..data} link.
 */
class RoutesReloadIntegrationTests {

    private static final String FIRST = """
            spring:
              cloud:
                gateway:
                  server:
                    webflux:
                      routes:
                        - id: reload-public
                          uri: ${test.upstream.url}
                          predicates: [Path=/reload/public/**]
                          metadata: {s4e-auth: none}
                        - id: reload-assets
                          uri: ${test.upstream.url}
                          predicates: [Path=/reload/assets/**]
                          metadata: {s4e-scopes: [read:assets]}
            """;

    /** The assets route needs another scope, and a new public route appears. */
    private static final String SECOND = FIRST.replace("{s4e-scopes: [read:assets]}", "{s4e-scopes: [write:assets]}") + """
                        - id: reload-new
                          uri: ${test.upstream.url}
                          predicates: [Path=/reload/new/**]
                          metadata: {s4e-auth: none}
            """;

    private static Path volume;
    private static SecondGateway gateway;
    private static WebTestClient client;
    private static String reader;
    private static int version;

    @BeforeAll
    static void start() throws IOException {
        volume = Files.createTempDirectory(Path.of("target"), "routes-reload-").toAbsolutePath();
        publish(FIRST);
        Files.createSymbolicLink(volume.resolve("gateway.yml"), Path.of("..data/gateway.yml"));
        // an additional-location file overrides the routes of the test profile, as the ConfigMap does in a pod
        gateway = SecondGateway.start(Map.of("spring.config.additional-location", "file:" + volume.resolve("gateway.yml")));
        client = gateway.client();
        reader = TestData.key(TestData.user("member"), List.of("read:assets"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        FileSystemUtils.deleteRecursively(volume);
    }

    @Test
    void routesWhenFileChangesThenEveryChangeAppliesWithin5SecondsAndNoRequestFails() throws Exception {
        assertThat(status("/reload/public/a", null)).isEqualTo(200);
        assertThat(status("/reload/assets/a", reader)).isEqualTo(200);
        assertThat(status("/reload/new/a", null)).isEqualTo(404);

        RequestLoop loop = RequestLoop.start(() -> status("/reload/public/loop", null),
                () -> status("/reload/assets/loop", TestInfrastructure.get().adminKey));
        long swapped = System.nanoTime();
        publish(SECOND);
        awaitTrue(() -> status("/reload/assets/a", reader) == 403 && status("/reload/new/a", null) == 200,
                Duration.ofSeconds(5));
        long applied = System.nanoTime() - swapped;
        Thread.sleep(300);
        Map<Integer, Integer> statuses = loop.stop();

        assertThat(Duration.ofNanos(applied)).isLessThan(Duration.ofSeconds(5));
        assertThat(statuses).as("every request during the change").containsOnlyKeys(200);
        assertThat(statuses.get(200)).isGreaterThan(10);
        assertThat(status("/reload/assets/a", reader)).isEqualTo(403);
        assertThat(status("/reload/assets/a", TestInfrastructure.get().adminKey)).isEqualTo(200);
        assertThat(reloads("applied")).isGreaterThanOrEqualTo(1);

        // a broken file changes nothing, however it is broken, and is counted
        String unknownScope = SECOND.replace("[write:assets]", "[write:everything]")
                .replace("Path=/reload/new/**", "Path=/reload/renamed/**");
        String notYaml = SECOND + "\n  - : [unclosed\n";
        String unknownPredicate = SECOND.replace("[Path=/reload/new/**]", "[Pathh=/reload/new/**]");
        String duplicateId = SECOND.replace("id: reload-new", "id: reload-public");
        // passes the checks, but the gateway cannot build the route: its route cache keeps the old list
        String unbuildable = SECOND.replace("[Path=/reload/new/**]", "[Path=/reload/new/**, After=not-a-date]");
        for (String broken : List.of(unknownScope, notYaml, unknownPredicate, duplicateId, unbuildable)) {
            double refusedBefore = reloads("refused");
            publish(broken);
            awaitTrue(() -> reloads("refused") > refusedBefore, Duration.ofSeconds(5));
            assertThat(status("/reload/assets/a", reader)).isEqualTo(403);
            assertThat(status("/reload/new/a", null)).isEqualTo(200);
            assertThat(status("/reload/renamed/a", null)).isEqualTo(404);
            assertThat(status("/reload/public/a", null)).isEqualTo(200);
        }

        // and the next valid file applies again
        double appliedBefore = reloads("applied");
        publish(FIRST);
        awaitTrue(() -> status("/reload/assets/a", reader) == 200 && status("/reload/new/a", null) == 404,
                Duration.ofSeconds(5));
        assertThat(reloads("applied")).isEqualTo(appliedBefore + 1);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Writes a new version beside the old one and swaps the {@code ..data} link to it, as the kubelet does. */
    private static void publish(String content) throws IOException {
        Path dir = volume.resolve("..v" + (++version));
        Files.createDirectory(dir);
        Files.writeString(dir.resolve("gateway.yml"), content);
        Path link = volume.resolve("..data_tmp");
        Files.createSymbolicLink(link, dir.getFileName());
        Files.move(link, volume.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static int status(String path, String key) {
        WebTestClient.RequestHeadersSpec<?> request = client.get().uri(path);
        if (key != null) {
            request = request.header("X-API-Key", key);
        }
        return request.exchange().returnResult(byte[].class).getStatus().value();
    }

    private static double reloads(String result) {
        MeterRegistry meters = gateway.context().getBean(MeterRegistry.class);
        return meters.get("s4e.routes.reload").tag("result", result).counter().count();
    }

    private static void awaitTrue(Supplier<Boolean> condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("condition not met within " + within).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Clients that keep requesting until stopped, counting every status they get. */
    private static final class RequestLoop {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        private final List<Thread> threads;

        private RequestLoop(List<Supplier<Integer>> requests) {
            this.threads = requests.stream().map(request -> new Thread(() -> {
                while (running.get()) {
                    int status;
                    try {
                        status = request.get();
                    }
                    catch (RuntimeException failed) {
                        status = -1;
                    }
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                }
            }, "reload-client")).toList();
        }

        @SafeVarargs
        static RequestLoop start(Supplier<Integer>... requests) {
            RequestLoop loop = new RequestLoop(List.of(requests));
            loop.threads.forEach(Thread::start);
            return loop;
        }

        Map<Integer, Integer> stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(10_000);
            }
            Map<Integer, Integer> counts = new java.util.TreeMap<>();
            statuses.forEach((status, count) -> counts.put(status, count.get()));
            return counts;
        }
    }
}
