package io.s4e.gateway.apikey;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.R2dbcException;
import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditLog;
import io.s4e.gateway.cluster.InvalidatedCache;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.InvalidationTopics;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.usage.UsageCounters;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.RequestIdLogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
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
    private final InvalidatedCache<VerifiedKey> verdicts;
    private final Counter malformed;
    private final Counter lookups;
    private final List<Consumer<String>> verifiedListeners = new CopyOnWriteArrayList<>();
    private final UsageCounters usage;

    /** A verifier that counts no usage. */
    public ApiKeyVerifier(ApiKeyRepository repository, RoleScopes roleScopes, LastUsedRecorder lastUsed,
                          ApiKeyProperties properties, InvalidationBus bus, MeterRegistry meters, Clock clock) {
        this(repository, roleScopes, lastUsed, properties, bus, meters, clock, UsageCounters.disabled());
    }

    @Autowired
    public ApiKeyVerifier(ApiKeyRepository repository, RoleScopes roleScopes, LastUsedRecorder lastUsed,
                          ApiKeyProperties properties, InvalidationBus bus, MeterRegistry meters, Clock clock,
                          UsageCounters usage) {
        this.usage = usage;
        this.repository = repository;
        this.roleScopes = roleScopes;
        this.lastUsed = lastUsed;
        this.clock = clock;
        this.lookupTimeout = properties.lookupTimeout();
        Duration ttl = properties.cacheTtl();
        Duration negativeTtl = properties.negativeCacheTtl();
        // A user's change drops cached refusals too: a refusal does not record whose key it was, and it may be the
        // refusal of this user's key while the user was disabled, which must not outlive the user being enabled
        // again. User changes are rare, so the few lookups this costs do not matter.
        this.verdicts = new InvalidatedCache<VerifiedKey>("s4e.apikeys", properties.cacheMaxSize(),
                verdict -> lifetime(verdict, ttl, negativeTtl), meters)
                .forgetKeyOn(bus, InvalidationTopics.KEY)
                .forgetMatchingOn(bus, InvalidationTopics.USER, userId -> {
                    long id = Long.parseLong(userId);
                    return verdict -> verdict.refused() || verdict.principal().userId() == id;
                });
        this.malformed = meters.counter("s4e.apikey.malformed");
        this.lookups = meters.counter("s4e.apikey.db.lookups");
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
        VerifiedKey known = verdicts.cached(hash);
        if (known != null) {
            return accept(known, key); // a ready Mono: no operator around a cached key, the common case
        }
        return verdicts.load(hash, this::lookup).flatMap(verdict -> accept(verdict, key));
    }

    /**
     * Whether this replica's cache holds the key of {@code hash} as verified and usable now. No store is asked and
     * no cache statistic is counted: it answers a refused-key block, which must not look keys up.
     *
     * @return true for a key cached as verified and not expired; false otherwise (uncached, refused, expired)
     */
    public boolean isVerifiedHere(String hash) {
        VerifiedKey verdict = verdicts.peek(hash);
        return verdict != null && verdict.usableAt(clock.instant());
    }

    private Mono<Principal> accept(VerifiedKey verdict, String key) {
        Instant now = clock.instant();
        if (!verdict.usableAt(now)) {
            if (verdict.principal() != null) {
                usage.refused(verdict.principal().keyId()); // a known key, expired or rotated out
            }
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

    /**
     * How long a verdict is cached: a refusal or an expired key for the negative time-to-live; a verified key for
     * the time-to-live, cut short by the end of its validity (expiry or rotation grace).
     */
    private Duration lifetime(VerifiedKey verdict, Duration ttl, Duration negativeTtl) {
        if (verdict.refused() || verdict.expiredAt(clock.instant())) {
            return negativeTtl;
        }
        if (verdict.validUntil() == null) {
            return ttl;
        }
        Duration untilInvalid = Duration.between(clock.instant(), verdict.validUntil());
        return untilInvalid.compareTo(ttl) < 0 ? untilInvalid : ttl;
    }
}
