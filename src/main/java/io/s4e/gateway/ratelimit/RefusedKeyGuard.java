package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import io.s4e.gateway.apikey.ApiKeyVerifier;
import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.reactive.LocalCaches;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.GatewayWebFilter;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * Blocks client IPs that present refused API keys (key guessing): every refused key (a 401 of a request carrying an
 * API key, forwarded or gateway-owned) is counted per client IP in Redis ({@link RefusedKeyCounts}: in batches, the
 * block still exact on one replica), and after
 * {@code refused-keys.max-failures} within {@code refused-keys.window} the API-key requests of that IP are refused
 * with 429 for {@code refused-keys.block-duration}, before their key is looked up. The block is shared through Redis
 * and kept in memory by each replica that learned of it, so valid keys cost no extra round trip: a replica learns of
 * a block on the first refused key it sees from that IP.
 * <p>
 * A block spares the innocent behind the same address (a NAT, a shared CI egress): a key this replica knows to be
 * valid passes, that is a key it holds as verified in its cache or found valid by a lookup within the last
 * {@code refused-keys.block-duration}; once its cache entry expired it is looked up again, as any key is, about once
 * per {@code s4e.api-keys.cache-ttl}. Every other key of a blocked address (malformed, refused, or unknown to this
 * replica) is refused without a lookup, so guessing costs the key store nothing while blocked. A valid key that this
 * replica has not verified within that time and that is first sent from a blocked address waits for the block to
 * end: telling it from a guess would take the lookup the block exists to save.
 */
@Component
public class RefusedKeyGuard extends GatewayWebFilter {

    /** The failure-lock subject of a client IP: this prefix and the IP. */
    static final String SUBJECT = "key-ip:";

    private final RefusedKeyCounts counts;
    private final RateLimitMetrics metrics;
    private final ClientIps clientIps;
    private final Clock clock;
    private final RateLimitProperties.RefusedKeys settings;
    private final Cache<String, Long> blockedUntil;
    /** Hashes of the keys this replica found valid by a lookup, for as long as a block lasts. */
    private final Cache<String, Boolean> knownValid;
    private final ApiKeyVerifier verifier;
    private final Lockouts lockouts;

    public RefusedKeyGuard(RefusedKeyCounts counts, RateLimitMetrics metrics, ClientIps clientIps, Clock clock,
                           RateLimitProperties properties, ApiKeyVerifier verifier, Lockouts lockouts) {
        this.counts = counts;
        this.lockouts = lockouts;
        this.verifier = verifier;
        this.metrics = metrics;
        this.clientIps = clientIps;
        this.clock = clock;
        this.settings = properties.refusedKeys();
        this.blockedUntil = LocalCaches.builder()
                .maximumSize(properties.localCacheSize())
                .expireAfterWrite(settings.blockDuration())
                .build();
        this.knownValid = LocalCaches.builder()
                .maximumSize(properties.localCacheSize())
                .expireAfterWrite(settings.blockDuration())
                .build();
        verifier.whenVerifiedByLookup(hash -> knownValid.put(hash, Boolean.TRUE));
        lockouts.whenLifted(subject -> {
            counts.forget(subject);
            if (subject == null) {
                blockedUntil.invalidateAll();
            } else if (subject.startsWith(SUBJECT)) {
                blockedUntil.invalidate(subject.substring(SUBJECT.length()));
            }
        });
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Credential credential = AuthenticationFilter.authenticationOf(exchange).credential().orElse(null);
        if (credential == null || credential.kind() != Credential.Kind.API_KEY
                || !ApiKeyFormat.isWellFormed(credential.value())) {
            // a malformed key cannot be a guess at a valid one: refused without a store and never counted
            return chain.filter(exchange);
        }
        String ip = clientIps.of(exchange);
        Long until = blockedUntil.getIfPresent(ip);
        long now = clock.millis();
        if (until != null && until > now && !spares(credential.value())) {
            metrics.decided(LimitKind.REFUSED_KEYS, false);
            return Mono.error(blocked(Duration.ofMillis(until - now)));
        }
        return chain.filter(exchange)
                .onErrorResume(RefusedKeyGuard::isRefusal, refusal -> recordRefusedKey(ip)
                        .then(Mono.error(refusal)));
    }

    /**
     * Whether a request of a blocked address with {@code key} goes on: this replica holds the key as verified, or
     * found it valid by a lookup within the block duration. Never asks a store.
     */
    private boolean spares(String key) {
        if (!ApiKeyFormat.isWellFormed(key)) {
            return false;
        }
        String hash = SecretHashes.sha256(key);
        boolean passes = verifier.isVerifiedHere(hash) || knownValid.getIfPresent(hash) != null;
        if (passes) {
            metrics.sparedByBlock();
        }
        return passes;
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
        return counts.record(SUBJECT + ip)
                .flatMap(locked -> {
                    metrics.decided(LimitKind.REFUSED_KEYS, locked.isZero());
                    if (locked.isZero()) {
                        return Mono.empty();
                    }
                    blockedUntil.put(ip, clock.millis() + locked.toMillis());
                    lockouts.noteLocked(Lockouts.Kind.REFUSED_KEYS, SUBJECT + ip, ip, locked);
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
