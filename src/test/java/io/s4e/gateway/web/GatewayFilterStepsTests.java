package io.s4e.gateway.web;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The two step runners ({@link GatewayWebFilters}, {@link GatewayRouteFilters}) keep what WebFlux's and Spring Cloud
 * Gateway's chains gave each filter: the steps' order, a step that answers stops the rest, a step that throws is an
 * error the steps before it see, and a step may pass a changed exchange on.
 */
class GatewayFilterStepsTests {

    private final List<String> ran = new ArrayList<>();

    @Test
    void webStepsRunInTheirOrderThenTheRestOfTheChain() {
        GatewayWebFilters filters = new GatewayWebFilters(List.of(web("c", 30), web("a", 10), web("b", 20)));

        StepVerifier.create(filters.filter(exchange(), rest("rest"))).verifyComplete();

        assertThat(ran).containsExactly("a", "b", "c", "rest");
        assertThat(filters.getOrder()).isEqualTo(10);
        assertThat(filters.steps()).extracting(GatewayWebFilter::getOrder).containsExactly(10, 20, 30);
    }

    @Test
    void aWebStepThatAnswersStopsTheStepsAfterIt() {
        GatewayWebFilter refuses = new GatewayWebFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
                ran.add("refuses");
                return Mono.error(Errors.forbidden("no"));
            }

            @Override
            public int getOrder() {
                return 15;
            }
        };
        GatewayWebFilters filters = new GatewayWebFilters(List.of(web("a", 10), refuses, web("b", 20)));

        StepVerifier.create(filters.filter(exchange(), rest("rest"))).verifyError(GatewayException.class);

        assertThat(ran).containsExactly("a", "refuses");
    }

    @Test
    void aWebStepThatThrowsIsAnErrorTheStepsBeforeItSee() {
        GatewayWebFilter throwing = new GatewayWebFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
                throw new IllegalStateException("thrown, not returned");
            }

            @Override
            public int getOrder() {
                return 20;
            }
        };
        GatewayWebFilter recovers = new GatewayWebFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
                return chain.filter(exchange).onErrorResume(IllegalStateException.class, e -> {
                    ran.add("saw " + e.getMessage());
                    return Mono.empty();
                });
            }

            @Override
            public int getOrder() {
                return 10;
            }
        };
        GatewayWebFilters filters = new GatewayWebFilters(List.of(throwing, recovers));

        StepVerifier.create(filters.filter(exchange(), rest("rest"))).verifyComplete();

        assertThat(ran).containsExactly("saw thrown, not returned");
    }

    @Test
    void eachRequestGoesOnToTheRestOfTheChainItCameWith() {
        AtomicInteger rests = new AtomicInteger();
        GatewayWebFilters filters = new GatewayWebFilters(List.of(web("a", 10)));
        WebFilterChain first = exchange -> {
            rests.incrementAndGet();
            return Mono.empty();
        };
        WebFilterChain second = exchange -> {
            ran.add("second");
            return Mono.empty();
        };

        filters.filter(exchange(), first).block();
        filters.filter(exchange(), first).block();
        filters.filter(exchange(), second).block();

        assertThat(rests).hasValue(2);
        assertThat(ran).containsExactly("a", "a", "a", "second");
    }

    @Test
    void aWebStepCanPassAChangedExchangeOn() {
        GatewayWebFilter rewrites = new GatewayWebFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
                return chain.filter(exchange.mutate().request(builder -> builder.path("/rewritten")).build());
            }

            @Override
            public int getOrder() {
                return 10;
            }
        };
        GatewayWebFilters filters = new GatewayWebFilters(List.of(rewrites));

        filters.filter(exchange(), exchange -> {
            ran.add(exchange.getRequest().getPath().value());
            return Mono.empty();
        }).block();

        assertThat(ran).containsExactly("/rewritten");
    }

    @Test
    void routeStepsRunInTheirOrderThenTheRestOfTheRoutesFilters() {
        GatewayRouteFilters filters = new GatewayRouteFilters(List.of(route("c", -50), route("a", -300),
                route("b", -100)));

        StepVerifier.create(filters.filter(exchange(), routeRest("rest"))).verifyComplete();

        assertThat(ran).containsExactly("a", "b", "c", "rest");
        assertThat(filters.getOrder()).isEqualTo(-300);
    }

    @Test
    void aRouteStepThatThrowsIsAnErrorTheStepsBeforeItSee() {
        GatewayRouteFilter throwing = new GatewayRouteFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
                throw new IllegalStateException("thrown");
            }

            @Override
            public int getOrder() {
                return -100;
            }
        };
        GatewayRouteFilter recovers = new GatewayRouteFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
                return chain.filter(exchange).onErrorResume(IllegalStateException.class, e -> {
                    ran.add("saw " + e.getMessage());
                    return Mono.empty();
                });
            }

            @Override
            public int getOrder() {
                return -200;
            }
        };
        GatewayRouteFilters filters = new GatewayRouteFilters(List.of(throwing, recovers));

        StepVerifier.create(filters.filter(exchange(), routeRest("rest"))).verifyComplete();

        assertThat(ran).containsExactly("saw thrown");
    }

    @Test
    void aRouteStepCanRunTheRestAgain() {
        // a retrying step subscribes to the rest of the chain twice: each link is its own, so both runs go on
        GatewayRouteFilter twice = new GatewayRouteFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
                return chain.filter(exchange).then(Mono.defer(() -> chain.filter(exchange)));
            }

            @Override
            public int getOrder() {
                return -200;
            }
        };
        GatewayRouteFilters filters = new GatewayRouteFilters(List.of(twice, route("b", -100)));

        filters.filter(exchange(), routeRest("rest")).block();

        assertThat(ran).containsExactly("b", "rest", "b", "rest");
    }

    @Test
    void aRouteStepOrderedAtOrAfterTheResponseWriterIsRefused() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new GatewayRouteFilters(List.of(route("a", -300),
                        route("late", NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER))))
                .withMessageContaining("orders after the response writer");
    }

    private GatewayWebFilter web(String name, int order) {
        return new GatewayWebFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
                ran.add(name);
                return chain.filter(exchange);
            }

            @Override
            public int getOrder() {
                return order;
            }
        };
    }

    private GatewayRouteFilter route(String name, int order) {
        return new GatewayRouteFilter() {
            @Override
            public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
                ran.add(name);
                return chain.filter(exchange);
            }

            @Override
            public int getOrder() {
                return order;
            }
        };
    }

    private WebFilterChain rest(String name) {
        return exchange -> Mono.fromRunnable(() -> ran.add(name));
    }

    private GatewayFilterChain routeRest(String name) {
        return exchange -> Mono.fromRunnable(() -> ran.add(name));
    }

    private static MockServerWebExchange exchange() {
        return MockServerWebExchange.from(MockServerHttpRequest.get("/scans/1"));
    }
}
