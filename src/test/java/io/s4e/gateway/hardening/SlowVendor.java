package io.s4e.gateway.hardening;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A captcha vendor's siteverify endpoint on a free port that answers {@code answer} after {@code delay}, recording
 * the forms it receives.
 */
final class SlowVendor implements AutoCloseable {

    private final DisposableServer server;
    private final List<String> forms = new CopyOnWriteArrayList<>();
    private volatile Duration delay = Duration.ZERO;
    private volatile String answer = "{\"success\":false}";

    SlowVendor() {
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> request.receive().aggregate().asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .flatMap(form -> {
                            forms.add(form);
                            return Mono.delay(delay).then(response.header("Content-Type", "application/json")
                                    .sendString(Mono.just(answer)).then());
                        }))
                .bindNow();
    }

    String url() {
        return "http://127.0.0.1:" + server.port() + "/siteverify";
    }

    void answer(String json, Duration after) {
        this.answer = json;
        this.delay = after;
    }

    List<String> forms() {
        return forms;
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
