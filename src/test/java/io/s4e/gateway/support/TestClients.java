package io.s4e.gateway.support;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * HTTP clients of the tests. Every response body is read whole and released before a test sees it: a test that only
 * looks at the status would otherwise leave Netty's pooled buffers unreleased, and the suite runs with leak
 * detection at {@code paranoid} so that the gateway's own leaks stand out.
 */
public final class TestClients {

    private TestClients() {
    }

    /** A client of {@code http://127.0.0.1:port}. */
    public static WebTestClient of(int port) {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .filter(TestClients::buffered)
                .build();
    }

    private static Mono<ClientResponse> buffered(ClientRequest request, ExchangeFunction next) {
        return next.exchange(request)
                .flatMap(response -> DataBufferUtils.join(response.bodyToFlux(DataBuffer.class))
                        .map(TestClients::copyAndRelease)
                        .defaultIfEmpty(new byte[0])
                        .map(bytes -> response.mutate()
                                .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)))
                                .build()));
    }

    private static byte[] copyAndRelease(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        }
        finally {
            DataBufferUtils.release(buffer);
        }
    }
}
