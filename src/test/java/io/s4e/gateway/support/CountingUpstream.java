package io.s4e.gateway.support;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * An upstream that counts, per path, the request heads it received and the requests it read whole, so a test can
 * tell whether any part of a request reached it. Paths under {@code /stall} answer after {@code ?delay=ms} (default
 * 60000), paths under {@code /ws} are a WebSocket echoing every text message, and every other path answers
 * {@code {"ok":true}} once the body was read.
 */
public final class CountingUpstream implements AutoCloseable {

    private static final LoopResources LOOPS = LoopResources.create("counting-upstream", 2, true);

    private final Map<String, AtomicInteger> heads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> whole = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final DisposableServer server;

    private CountingUpstream() {
        this.server = HttpServer.create()
                .runOn(LOOPS)
                .host("127.0.0.1")
                .port(0)
                .handle(this::handle)
                .bindNow();
    }

    public static CountingUpstream start() {
        return new CountingUpstream();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Request heads received for {@code path} (no query). */
    public int heads(String path) {
        AtomicInteger count = heads.get(path);
        return count == null ? 0 : count.get();
    }

    /** Requests to {@code path} whose body was read to its end. */
    public int whole(String path) {
        AtomicInteger count = whole.get(path);
        return count == null ? 0 : count.get();
    }

    /** Requests received and not answered yet. */
    public int inFlight() {
        return inFlight.get();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String path = request.fullPath();
        if (path.startsWith("/ws")) {
            return response.sendWebsocket((in, out) -> out.sendString(in.receive().asString()));
        }
        heads.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        inFlight.incrementAndGet();
        Duration delay = path.startsWith("/stall") ? Duration.ofMillis(delayOf(request.uri())) : Duration.ZERO;
        return request.receive().aggregate().asString().defaultIfEmpty("")
                .doOnNext(body -> whole.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet())
                .then(Mono.delay(delay))
                .then(response.header("Content-Type", "application/json").sendString(Mono.just("{\"ok\":true}"))
                        .then())
                .doFinally(signal -> inFlight.decrementAndGet());
    }

    private static long delayOf(String uri) {
        int at = uri.indexOf("delay=");
        if (at < 0) {
            return 60_000;
        }
        int end = at + 6;
        while (end < uri.length() && Character.isDigit(uri.charAt(end))) {
            end++;
        }
        return Long.parseLong(uri.substring(at + 6, end));
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
