package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Blocks client IPs that present refused API keys (key guessing): every refused key (a 401 of a request carrying an
 * API key, forwarded or gateway-owned) is counted per client IP in Redis, and after
 * {@code refused-keys.max-failures} within {@code refused-keys.window} every API-key request of that IP is refused
 * with 429 for {@code refused-keys.block-duration}, before its key is looked up. The block is shared through Redis
 * and kept in memory by each replica that learned of it, so valid keys cost no extra round trip: a replica learns of
 * a block on the first refused key it sees from that IP.
 */
@Component
public class RefusedKeyGuard implements WebFilter, Ordered {

    private final FailureLocks locks;
    private final RateLimitMetrics metrics;
    private final ClientIps clientIps;
    private final Clock clock;
    private final RateLimitProperties.RefusedKeys settings;
    private final Cache<String, Long> blockedUntil;

    public RefusedKeyGuard(FailureLocks locks, RateLimitMetrics metrics, ClientIps clientIps, Clock clock,
                           RateLimitProperties properties) {
        this.locks = locks;
        this.metrics = metrics;
        this.clientIps = clientIps;
        this.clock = clock;
        this.settings = properties.refusedKeys();
        this.blockedUntil = Caffeine.newBuilder()
                .maximumSize(properties.localCacheSize())
                .expireAfterWrite(settings.blockDuration())
                .build();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Credential credential = AuthenticationFilter.authenticationOf(exchange).credential().orElse(null);
        if (credential == null || credential.kind() != Credential.Kind.API_KEY) {
            return chain.filter(exchange);
        }
        String ip = clientIps.of(exchange);
        Long until = blockedUntil.getIfPresent(ip);
        long now = clock.millis();
        if (until != null && until > now) {
            metrics.decided(LimitKind.REFUSED_KEYS, false);
            return Mono.error(blocked(Duration.ofMillis(until - now)));
        }
        return chain.filter(exchange)
                .onErrorResume(RefusedKeyGuard::isRefusal, refusal -> recordRefusedKey(ip)
                        .then(Mono.error(refusal)));
    }

    private static boolean isRefusal(Throwable failure) {
        return failure instanceof GatewayException refused && refused.code() == ErrorCode.UNAUTHORIZED;
    }

    /**
     * Records a refused API key of client {@code ip}.
     *
     * @return completes when the IP is not blocked by it; a 429 error when it is (now) blocked
     */
    public Mono<Void> recordRefusedKey(String ip) {
        return locks.fail("key-ip:" + ip, LimitKind.REFUSED_KEYS, settings.maxFailures(), settings.window(),
                        settings.blockDuration())
                .flatMap(locked -> {
                    metrics.decided(LimitKind.REFUSED_KEYS, locked.isZero());
                    if (locked.isZero()) {
                        return Mono.empty();
                    }
                    blockedUntil.put(ip, clock.millis() + locked.toMillis());
                    return Mono.error(blocked(locked));
                });
    }

    private static GatewayException blocked(Duration locked) {
        int retryAfter = (int) Math.max(1, (locked.toMillis() + 999) / 1000);
        return Errors.rateLimited("Too many invalid API keys from this address. Try again in " + retryAfter
                + " seconds.", retryAfter);
    }

    @Override
    public int getOrder() {
        return FilterOrder.REFUSED_KEY_GUARD;
    }
}
