package io.s4e.gateway.login;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** A captcha vendor's siteverify endpoint on a random port, answering what the test sets and recording the forms. */
final class StubCaptchaVendor implements AutoCloseable {

    private final DisposableServer server;
    private final List<String> forms = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{\"success\":true}";

    private StubCaptchaVendor() {
        this.server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> request.receive().aggregate().asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .flatMap(form -> {
                            forms.add(form);
                            return response.status(HttpResponseStatus.valueOf(status))
                                    .header("Content-Type", "application/json")
                                    .sendString(Mono.just(answer)).then();
                        }))
                .bindNow();
    }

    static StubCaptchaVendor start() {
        return new StubCaptchaVendor();
    }

    String url() {
        return "http://127.0.0.1:" + server.port() + "/siteverify";
    }

    /** The next answers: {@code status} with {@code json}. */
    void answer(int status, String json) {
        this.status = status;
        this.answer = json;
    }

    /** The forms received so far, URL-encoded. */
    List<String> forms() {
        return forms;
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
