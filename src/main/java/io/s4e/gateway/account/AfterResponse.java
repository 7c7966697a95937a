package io.s4e.gateway.account;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.web.GatewayWebFilter;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs work of a request once its answer is written (or the client went away), so the work can neither change the
 * answer nor its time: the forgotten-password lookup and mail start only after the 202 left. Only the paths under
 * {@value #PATHS} are watched.
 */
@Component
public class AfterResponse extends GatewayWebFilter {

    private static final String PATHS = "/api/user/auth/password/";
    private static final String ATTRIBUTE = AfterResponse.class.getName();

    /** Runs {@code work} once the answer of {@code exchange} is written; at most one work per request. */
    static void schedule(ServerWebExchange exchange, Runnable work) {
        exchange.getAttributes().put(ATTRIBUTE, work);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith(PATHS)) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange).doFinally(signal -> {
            Object work = exchange.getAttributes().remove(ATTRIBUTE);
            if (work instanceof Runnable runnable) {
                runnable.run();
            }
        });
    }

    @Override
    public int getOrder() {
        return FilterOrder.AFTER_RESPONSE;
    }
}
