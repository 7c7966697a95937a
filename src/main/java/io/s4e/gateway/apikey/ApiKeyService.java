package io.s4e.gateway.apikey;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditLog;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.InvalidationTopics;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Service;

/**
 * Creates, lists, revokes and rotates API keys on behalf of a principal. Secrets are generated here, returned once
 * and stored only as hashes. Access: the key's owner or an admin; an API key may manage keys only with the
 * {@code admin} scope. A key the caller may not see answers 404, as an unknown one does.
 */
@Service
public class ApiKeyService {

    private static final int MAX_LIST = 1000;

    private final ApiKeyRepository repository;
    private final ApiKeyRequests requests;
    private final InvalidationBus bus;
    private final ApiKeyProperties properties;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiKeyService(ApiKeyRepository repository, RoleScopes roleScopes, InvalidationBus bus,
                         ApiKeyProperties properties, Clock clock) {
        this.repository = repository;
        this.requests = new ApiKeyRequests(roleScopes, properties, clock);
        this.bus = bus;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Creates a key owned by {@code caller}'s user.
     *
     * @return the key with its secret; 400 for an invalid body, 403 when a scope exceeds the caller's role, 409
     *         when the caller's user has {@code s4e.api-keys.max-per-user} active (neither revoked nor expired) keys
     */
    public Mono<ApiKeyViews.Created> create(Principal caller, ApiKeyViews.CreateRequest request) {
        return Mono.defer(() -> {
            requireManager(caller);
            String name = ApiKeyRequests.validName(request.name());
            List<String> scopes = requests.validScopes(caller, request.scopes());
            Instant expiresAt = requests.validExpiry(request.expiresAt());
            return insert(caller.userId(), name, scopes, expiresAt)
                    .flatMap(created -> Audit.keyCreated(caller, created.id(), caller.userId(),
                            AuditLog.keyHintOf(created.key()), created.scopes()).thenReturn(created));
        });
    }

    /**
     * Inserts a key with a fresh secret for {@code userId}, without access checks.
     *
     * @return the key with its secret; 409 when the user has {@code s4e.api-keys.max-per-user} active keys
     */
    Mono<ApiKeyViews.Created> insert(long userId, String name, List<String> scopes, Instant expiresAt) {
        return newSecret()
                .flatMap(secret -> insertWithSecret(userId, name, scopes, expiresAt, secret));
    }

    /**
     * Inserts a key with the given secret within the per-user cap, retrying with a new id on the rare id collision.
     *
     * @return the key with its secret; 409 when the user has {@code s4e.api-keys.max-per-user} active keys
     */
    Mono<ApiKeyViews.Created> insertWithSecret(long userId, String name, List<String> scopes, Instant expiresAt,
                                               String secret) {
        String hash = SecretHashes.sha256(secret);
        int cap = properties.maxPerUser();
        return ApiKeyIds.insertingWithNewId(id -> repository.insertWithinCap(id, userId, name, hash,
                        ApiKeyFormat.displayPrefix(secret), ApiKeyFormat.last4(secret), scopes, expiresAt, cap,
                        clock.instant()))
                .switchIfEmpty(Mono.error(() -> Errors.of(ErrorCode.CONFLICT, "This user has " + cap
                        + " active API keys, the most allowed. Revoke one before creating another.")))
                .flatMap(key -> bus.publish(InvalidationTopics.KEY, hash).thenReturn(created(key, secret, null)));
    }

    /** Keys visible to {@code caller}: its own, or (admin) everyone's or {@code userId}'s. */
    public Mono<ApiKeyViews.KeyList> list(Principal caller, Long userId) {
        return Mono.defer(() -> {
            requireManager(caller);
            Long owner = caller.isAdmin() ? userId : Long.valueOf(caller.userId());
            return repository.list(owner, MAX_LIST)
                    .map(this::view)
                    .collectList()
                    .map(ApiKeyViews.KeyList::new);
        });
    }

    /** One key visible to {@code caller}; 404 otherwise. */
    public Mono<ApiKeyViews.Key> get(Principal caller, String id) {
        return visible(caller, id).map(this::view);
    }

    /**
     * Revokes a key; every replica refuses it within a second. Revoking a revoked key changes nothing.
     *
     * @return the revoked key
     */
    public Mono<ApiKeyViews.Key> revoke(Principal caller, String id) {
        return visible(caller, id)
                .flatMap(key -> repository.revoke(id)
                        .concatMap(hash -> bus.publish(InvalidationTopics.KEY, hash))
                        .then(repository.findById(id)))
                .flatMap(key -> Audit.keyRevoked(caller, id, key.userId(), AuditLog.keyHint(key.prefix(), key.last4()))
                        .thenReturn(key))
                .map(this::view);
    }

    /**
     * Gives a key a new secret; the old one works for {@code grace_seconds} more (default 24h).
     *
     * @return the key with its new secret; 409 when the key is revoked or expired: neither gets a new secret, and
     *         the old one of an expired key must not gain a grace period
     */
    public Mono<ApiKeyViews.Created> rotate(Principal caller, String id, ApiKeyViews.RotateRequest request) {
        return Mono.defer(() -> {
            Duration grace = requests.validGrace(request == null ? null : request.graceSeconds());
            return visible(caller, id)
                    .flatMap(key -> newSecret().flatMap(secret -> rotateTo(id, secret, grace))
                            .flatMap(rotated -> Audit.keyRotated(caller, id, key.userId(),
                                    AuditLog.keyHintOf(rotated.key())).thenReturn(rotated)));
        });
    }

    private Mono<ApiKeyViews.Created> rotateTo(String id, String secret, Duration grace) {
        Instant now = clock.instant();
        Instant graceEnd = now.plus(grace);
        String hash = SecretHashes.sha256(secret);
        return repository.rotate(id, hash, ApiKeyFormat.displayPrefix(secret), ApiKeyFormat.last4(secret), graceEnd,
                        now)
                .switchIfEmpty(Mono.error(() -> Errors.of(ErrorCode.CONFLICT,
                        "A revoked or expired key cannot be rotated.")))
                .flatMap(rotation -> Flux.fromIterable(rotation.staleHashes())
                        .concatMap(stale -> bus.publish(InvalidationTopics.KEY, stale))
                        .then(bus.publish(InvalidationTopics.KEY, hash))
                        .thenReturn(created(rotation.key(), secret, graceEnd)));
    }

    private Mono<ApiKeyRecord> visible(Principal caller, String id) {
        return Mono.defer(() -> {
            requireManager(caller);
            if (!ApiKeyIds.isWellFormed(id)) {
                return Mono.error(Errors.notFound("No API key with this id."));
            }
            return repository.findById(id)
                    .filter(key -> caller.isAdmin() || key.userId() == caller.userId())
                    .switchIfEmpty(Mono.error(() -> Errors.notFound("No API key with this id.")));
        });
    }

    /** Refuses (403) an API key without the {@code admin} scope: only such keys may manage keys. */
    static void requireManager(Principal caller) {
        if (caller.method() == Principal.AuthMethod.API_KEY && !caller.isAdmin()) {
            throw Errors.forbidden("Managing API keys with an API key needs the admin scope.");
        }
    }

    /** A new secret, drawn off the event loop (the system's entropy source may block). */
    private Mono<String> newSecret() {
        return Mono.fromCallable(() -> ApiKeyFormat.generate(random))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private ApiKeyViews.Key view(ApiKeyRecord key) {
        boolean rotationDue = key.secretCreatedAt() != null
                && key.secretCreatedAt().isBefore(clock.instant().minus(properties.rotationDueAfter()));
        return new ApiKeyViews.Key(key.id(), key.name(), key.prefix(), key.last4(), key.scopes(), key.userId(),
                key.createdAt(), key.expiresAt(), key.lastUsed(), key.revokedAt(), rotationDue);
    }

    private static ApiKeyViews.Created created(ApiKeyRecord key, String secret, Instant previousExpiresAt) {
        return new ApiKeyViews.Created(key.id(), key.name(), secret, key.scopes(), key.createdAt(), key.expiresAt(),
                key.lastUsed(), previousExpiresAt);
    }
}
