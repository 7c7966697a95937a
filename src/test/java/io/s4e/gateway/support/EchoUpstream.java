package io.s4e.gateway.support;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP upstream on a random port that answers every request with what it received: method, raw URI and
 * headers, as JSON. Paths under {@code /slow} answer after {@code ?delay=ms} (default 3000), paths under
 * {@code /reset} close the connection without an answer, and {@code /public/hop} answers with hop-by-hop headers.
 * {@code ?respond-cache-control=…} and {@code ?respond-vary=…} (URL-encoded) set those headers on the answer.
 */
public final class EchoUpstream {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Its own event loops: a gateway replica closing in this JVM disposes Reactor Netty's global ones. */
    private static final LoopResources LOOPS = LoopResources.create("echo-upstream", 2, true);

    private final DisposableServer server;

    private EchoUpstream(DisposableServer server) {
        this.server = server;
    }

    public static EchoUpstream start() {
        return start(0);
    }

    /** Starts on {@code port} (0: any free port). */
    public static EchoUpstream start(int port) {
        return new EchoUpstream(HttpServer.create()
                .runOn(LOOPS)
                .host("127.0.0.1")
                .port(port)
                .handle(EchoUpstream::handle)
                .bindNow());
    }

    public int port() {
        return server.port();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public void stop() {
        server.disposeNow();
    }

    private static Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        String uri = request.uri();
        if (uri.startsWith("/reset")) {
            return request.receive().then(Mono.fromRunnable(() -> response.withConnection(c -> c.channel().close())));
        }
        Duration delay = uri.startsWith("/slow") ? Duration.ofMillis(delayOf(uri)) : Duration.ZERO;
        Map<String, List<String>> headers = new TreeMap<>();
        request.requestHeaders().forEach(e ->
                headers.computeIfAbsent(e.getKey().toLowerCase(), k -> new ArrayList<>()).add(e.getValue()));
        Map<String, Object> echo = Map.of("method", request.method().name(), "uri", uri, "headers", headers);
        byte[] body = JSON.writeValueAsBytes(echo);
        if (uri.startsWith("/public/hop")) {
            response.header("Keep-Alive", "timeout=5")
                    .header("Proxy-Authenticate", "Basic realm=upstream")
                    .header("Trailer", "X-Checksum")
                    .header("X-Upstream-Kept", "yes");
        }
        String cacheControl = queryValue(uri, "respond-cache-control");
        if (cacheControl != null) {
            response.header("Cache-Control", cacheControl);
        }
        String vary = queryValue(uri, "respond-vary");
        if (vary != null) {
            response.header("Vary", vary);
        }
        return request.receive().then()
                .then(Mono.delay(delay).then())
                .then(response.header("Content-Type", "application/json")
                        .sendByteArray(Mono.just(body)).then());
    }

    private static String queryValue(String uri, String name) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return null;
        }
        for (String pair : uri.substring(query + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static long delayOf(String uri) {
        int at = uri.indexOf("delay=");
        if (at < 0) {
            return 3000;
        }
        int end = at + 6;
        while (end < uri.length() && Character.isDigit(uri.charAt(end))) {
            end++;
        }
        return Long.parseLong(uri.substring(at + 6, end));
    }
}
