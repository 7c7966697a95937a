package io.s4e.gateway.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.r2dbc.spi.R2dbcException;
import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditLog;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.InvalidationTopics;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.reactive.Ready;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.RequestIdLogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Verifies API keys: format and checksum first (no store touched), then one bounded cache of verdicts keyed by the
 * key's hash, holding verified keys for {@code cache-ttl} and refusals for {@code negative-cache-ttl}. Concurrent
 * requests with one uncached key share one PostgreSQL lookup. Revocations, rotations and user changes reach the
 * cache of every replica through the {@link InvalidationBus}. When PostgreSQL cannot answer within
 * {@code lookup-timeout}, an uncached key is answered 503, never 401, and the failure is not cached.
 */
@Component
public class ApiKeyVerifier {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyVerifier.class);

    private final ApiKeyRepository repository;
    private final RoleScopes roleScopes;
    private final LastUsedRecorder lastUsed;
    private final Clock clock;
    private final Duration lookupTimeout;
    private final AsyncCache<String, VerifiedKey> verdicts;
    private final StatsCounter stats = new ConcurrentStatsCounter();
    private final Counter malformed;
    private final Counter lookups;
    private final List<Consumer<String>> verifiedListeners = new CopyOnWriteArrayList<>();

    public ApiKeyVerifier(ApiKeyRepository repository, RoleScopes roleScopes, LastUsedRecorder lastUsed,
                          ApiKeyProperties properties, InvalidationBus bus, MeterRegistry meters, Clock clock) {
        this.repository = repository;
        this.roleScopes = roleScopes;
        this.lastUsed = lastUsed;
        this.clock = clock;
        this.lookupTimeout = properties.lookupTimeout();
        this.verdicts = Caffeine.newBuilder()
                .maximumSize(properties.cacheMaxSize())
                .expireAfter(new VerdictExpiry(properties.cacheTtl(), properties.negativeCacheTtl(), clock))
                .recordStats(() -> stats)
                .buildAsync();
        CaffeineCacheMetrics.monitor(meters, verdicts.synchronous(), "s4e.apikeys");
        this.malformed = meters.counter("s4e.apikey.malformed");
        this.lookups = meters.counter("s4e.apikey.db.lookups");
        bus.listen(InvalidationTopics.KEY, this::invalidateHash);
        bus.listen(InvalidationTopics.USER, this::invalidateUser);
    }

    /**
     * Verifies {@code key}.
     *
     * @return the key's principal; a 401 error for a malformed, unknown, revoked, expired or rotated-out key or a
     *         disabled owner; a 503 error when PostgreSQL is needed and cannot answer
     */
    public Mono<Principal> verify(String key) {
        if (!ApiKeyFormat.isWellFormed(key)) {
            malformed.increment();
            return Mono.error(Errors.invalidApiKey());
        }
        String hash = SecretHashes.sha256(key);
        VerifiedKey known = cachedVerdict(hash);
        if (known != null) {
            return accept(known, key);
        }
        return Mono.deferContextual(context -> verdictOn(hash, context)).flatMap(verdict -> accept(verdict, key));
    }

    /**
     * Whether this replica's cache holds the key of {@code hash} as verified and usable now. No store is asked and
     * no cache statistic is counted: it answers a refused-key block, which must not look keys up.
     *
     * @return true for a key cached as verified and not expired; false otherwise (uncached, refused, expired)
     */
    public boolean isVerifiedHere(String hash) {
        VerifiedKey verdict = Ready.valueOf(verdicts.asMap().get(hash));
        return verdict != null && verdict.usableAt(clock.instant());
    }

    /**
     * The verdict on {@code hash} when the cache already holds it, counted as a hit; null otherwise. A cached key
     * (the common case) is answered with a ready {@code Mono} and no operator around it.
     */
    private VerifiedKey cachedVerdict(String hash) {
        VerifiedKey verdict = Ready.valueOf(verdicts.asMap().get(hash));
        if (verdict != null) {
            stats.recordHits(1);
        }
        return verdict;
    }

    /**
     * The cached verdict on {@code hash}, or one shared lookup. The lookup runs with the context of the request that
     * started it, so its log lines carry that request's id. A failed lookup is dropped from the cache before its
     * error reaches the caller: Caffeine drops it too, but only after the callers' own callbacks have run, so a
     * request arriving just after a 503 could otherwise be given the same failure without asking PostgreSQL again.
     */
    private Mono<VerifiedKey> verdictOn(String hash, ContextView context) {
        CompletableFuture<VerifiedKey> verdict = verdicts.get(hash,
                (h, executor) -> lookup(h).contextWrite(context).toFuture());
        return Mono.fromFuture(verdict, true)
                .doOnError(failure -> verdicts.asMap().remove(hash, verdict));
    }

    private Mono<Principal> accept(VerifiedKey verdict, String key) {
        Instant now = clock.instant();
        if (!verdict.usableAt(now)) {
            return verdict.expiredAt(now)
                    ? Audit.keyExpiredUse(verdict.principal().userId(), verdict.principal().keyId(),
                            AuditLog.keyHintOf(key)).then(Mono.error(Errors.invalidApiKey()))
                    : Mono.error(Errors.invalidApiKey());
        }
        Principal principal = verdict.principal();
        lastUsed.record(principal.keyId());
        return Mono.just(principal);
    }

    private Mono<VerifiedKey> lookup(String hash) {
        return Mono.defer(() -> {
                    lookups.increment();
                    return repository.findForVerification(hash);
                })
                .map(this::verdictOf)
                .doOnNext(verdict -> verifiedByLookup(hash, verdict))
                .defaultIfEmpty(VerifiedKey.REFUSED)
                .timeout(lookupTimeout)
                .transform(RequestIdLogContext.logOnError(failure -> {
                    if (isStoreFailure(failure)) {
                        log.warn("API key lookup failed; answering 503: {}", failure.toString());
                    }
                }))
                .onErrorMap(ApiKeyVerifier::isStoreFailure,
                        failure -> Errors.unavailable("API keys cannot be verified right now. Try again shortly."));
    }

    /**
     * Calls {@code listener} with the hash of every key a lookup of this replica found valid, on the thread that
     * completed the lookup; it must not block.
     */
    public void whenVerifiedByLookup(Consumer<String> listener) {
        verifiedListeners.add(listener);
    }

    private void verifiedByLookup(String hash, VerifiedKey verdict) {
        if (!verdict.refused()) {
            verifiedListeners.forEach(listener -> listener.accept(hash));
        }
    }

    private VerifiedKey verdictOf(KeyOwnerRow row) {
        Instant now = clock.instant();
        Instant validUntil = earliest(row.expiresAt(), row.matchedPrevious() ? row.graceEnd() : null);
        boolean expired = row.expiresAt() != null && !now.isBefore(row.expiresAt());
        if (row.ownerDisabled() || (!expired && validUntil != null && !now.isBefore(validUntil))) {
            return VerifiedKey.REFUSED;
        }
        Set<String> scopes = roleScopes.effective(row.role(), row.scopes());
        Principal principal = Principal.ofApiKey(row.userId(), row.email(), row.role(), row.keyId(), scopes);
        return new VerifiedKey(principal, validUntil, row.expiresAt());
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    private static boolean isStoreFailure(Throwable failure) {
        return failure instanceof TimeoutException || failure instanceof DataAccessException
                || failure instanceof R2dbcException;
    }

    /** Drops the cached verdict on {@code hash}, or every verdict when null. */
    void invalidateHash(String hash) {
        if (hash == null) {
            verdicts.synchronous().invalidateAll();
        } else {
            verdicts.synchronous().invalidate(hash);
        }
    }

    /**
     * Drops the cached verdicts of every key of user {@code userId}, or every verdict when null. Cached refusals are
     * dropped too: a refusal does not record whose key it was, and it may be the refusal of this user's key while the
     * user was disabled, which must not outlive the user being enabled again. User changes are rare, so the few
     * lookups this costs do not matter.
     */
    void invalidateUser(String userId) {
        if (userId == null) {
            verdicts.synchronous().invalidateAll();
            return;
        }
        long id = Long.parseLong(userId);
        verdicts.synchronous().asMap().values()
                .removeIf(v -> v.refused() || v.principal().userId() == id);
    }

    private record VerdictExpiry(Duration ttl, Duration negativeTtl, Clock clock) implements Expiry<String, VerifiedKey> {

        @Override
        public long expireAfterCreate(String key, VerifiedKey value, long currentTime) {
            if (value.refused() || value.expiredAt(clock.instant())) {
                return negativeTtl.toNanos();
            }
            if (value.validUntil() == null) {
                return ttl.toNanos();
            }
            long untilInvalid = Duration.between(clock.instant(), value.validUntil()).toNanos();
            return Math.max(0, Math.min(ttl.toNanos(), untilInvalid));
        }

        @Override
        public long expireAfterUpdate(String key, VerifiedKey value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(String key, VerifiedKey value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
