package io.s4e.gateway.stores;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Light load from a few client threads against one gateway while a store fails over: each thread sends its kind of
 * request in a loop, and every answer is recorded with the second (since the start) it was answered in, so the
 * test can print and check a per-second timeline of statuses.
 */
final class Load implements AutoCloseable {

    /** One kind of request: its name, whether its credential is valid, and how to build it (from a counter). */
    record Kind(String name, boolean valid, Function<Long, HttpRequest> request) {
    }

    /** One answer: its kind, the second it came in, its status (0: no answer within the client timeout). */
    record Answer(String kind, boolean valid, int second, int status) {
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final long start = System.nanoTime();
    private final Map<String, Long> events = new ConcurrentHashMap<>();

    Load(List<Kind> kinds, Duration pause) {
        for (Kind kind : kinds) {
            Thread thread = new Thread(() -> loop(kind, pause), "load-" + kind.name());
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    static HttpRequest.Builder get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5));
    }

    /** The second since the start, now. */
    int second() {
        return (int) ((System.nanoTime() - start) / 1_000_000_000L);
    }

    /** Marks an event (e.g. the master killed) at {@code second}, for the timeline. */
    void mark(String event, int second) {
        events.put(event, (long) second);
    }

    private void loop(Kind kind, Duration pause) {
        long n = 0;
        while (running.get()) {
            int status;
            try {
                status = client.send(kind.request().apply(n++), HttpResponse.BodyHandlers.discarding()).statusCode();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (Exception noAnswer) {
                status = 0;
            }
            answers.add(new Answer(kind.name(), kind.valid(), second(), status));
            try {
                Thread.sleep(pause.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    List<Answer> answers() {
        return List.copyOf(answers);
    }

    /** Seconds in which at least one request with a valid credential was answered 503 (or not at all). */
    List<Integer> secondsUnavailable() {
        return answers.stream().filter(a -> a.valid() && (a.status() == 503 || a.status() == 0))
                .map(Answer::second).distinct().sorted().toList();
    }

    /** The timeline, one line per second: for each kind, its statuses and their counts. */
    String timeline() {
        Map<Integer, Map<String, Map<Integer, Integer>>> bySecond = new TreeMap<>();
        for (Answer a : answers) {
            bySecond.computeIfAbsent(a.second(), s -> new TreeMap<>())
                    .computeIfAbsent(a.kind(), k -> new TreeMap<>())
                    .merge(a.status(), 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder();
        bySecond.forEach((second, kinds) -> {
            out.append(String.format("t=%3ds", second));
            kinds.forEach((kind, statuses) -> out.append("  ").append(kind).append(' ').append(statuses));
            events.forEach((event, at) -> {
                if (at == second.longValue()) {
                    out.append("  <- ").append(event);
                }
            });
            out.append('\n');
        });
        return out.toString();
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
