package io.s4e.gateway.ops;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.GatewayWebFilter;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Counts the outcome of every login step ({@code s4e.login.outcomes{endpoint,outcome}}): {@code endpoint} is
 * {@code login}, {@code mfa_verify}, {@code mfa_send}, {@code refresh}, {@code logout}, {@code passkey_options} or
 * {@code passkey_verify}; {@code outcome} is
 * {@code success}, {@code mfa_required} (a correct password of an MFA user: no session yet), or the error code of
 * the refusal ({@code unauthorized}, {@code invalid_request}, {@code captcha_failed}, {@code rate_limited},
 * {@code service_unavailable}, …). It only observes: the innermost filter, it sees the handlers' answers and errors.
 */
@Component
public class LoginOutcomeMetrics extends GatewayWebFilter {

    /** Metric name. */
    public static final String METRIC = "s4e.login.outcomes";

    private static final Map<String, String> ENDPOINTS = Map.of(
            "/api/user/auth/login", "login",
            "/api/user/auth/mfa/verify", "mfa_verify",
            "/api/user/auth/mfa/send", "mfa_send",
            "/api/user/auth/refresh", "refresh",
            "/api/user/auth/logout", "logout",
            "/api/user/auth/passkey/options", "passkey_options",
            "/api/user/auth/passkey/verify", "passkey_verify");

    private final MeterRegistry meters;

    public LoginOutcomeMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String endpoint = ENDPOINTS.get(exchange.getRequest().getPath().pathWithinApplication().value());
        if (endpoint == null || exchange.getRequest().getMethod() != HttpMethod.POST) {
            return chain.filter(exchange);
        }
        // Counted when the answer is committed, before the client can read it; a refusal is counted by its code
        // when it leaves the chain, before the error handler commits its envelope.
        AtomicBoolean counted = new AtomicBoolean();
        exchange.getResponse().beforeCommit(() -> {
            if (counted.compareAndSet(false, true)) {
                count(endpoint, answered(endpoint, exchange));
            }
            return Mono.empty();
        });
        return chain.filter(exchange)
                .doOnError(error -> {
                    if (counted.compareAndSet(false, true)) {
                        count(endpoint, error instanceof GatewayException refused ? refused.code().code() : "error");
                    }
                });
    }

    private static String answered(String endpoint, ServerWebExchange exchange) {
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        if (status != null && !status.is2xxSuccessful()) {
            return "status_" + status.value();
        }
        if (endpoint.equals("login") && !setsSessionCookie(exchange)) {
            return "mfa_required";
        }
        return "success";
    }

    private static boolean setsSessionCookie(ServerWebExchange exchange) {
        List<String> cookies = exchange.getResponse().getHeaders().get(HttpHeaders.SET_COOKIE);
        if (cookies != null && cookies.stream().anyMatch(c -> c.startsWith("token="))) {
            return true;
        }
        return exchange.getResponse().getCookies().containsKey("token");
    }

    private void count(String endpoint, String outcome) {
        meters.counter(METRIC, "endpoint", endpoint, "outcome", outcome).increment();
    }

    @Override
    public int getOrder() {
        return FilterOrder.LOGIN_OUTCOME_METRICS;
    }
}
