package io.s4e.gateway.apikey;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditLog;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.InvalidationTopics;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.principal.Scopes;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.TextRules;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

/**
 * Creates, lists, revokes and rotates API keys on behalf of a principal. Secrets are generated here, returned once
 * and stored only as hashes. Access: the key's owner or an admin; an API key may manage keys only with the
 * {@code admin} scope. A key the caller may not see answers 404, as an unknown one does.
 */
@Service
public class ApiKeyService {

    private static final int MAX_NAME = 100;
    private static final int MAX_LIST = 1000;
    /** Latest expiry accepted: far enough for any use, and well inside what PostgreSQL can store. */
    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private final ApiKeyRepository repository;
    private final RoleScopes roleScopes;
    private final InvalidationBus bus;
    private final ApiKeyProperties properties;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiKeyService(ApiKeyRepository repository, RoleScopes roleScopes, InvalidationBus bus,
                         ApiKeyProperties properties, Clock clock) {
        this.repository = repository;
        this.roleScopes = roleScopes;
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
            String name = validName(request.name());
            List<String> scopes = validScopes(caller, request.scopes());
            Instant expiresAt = validExpiry(request.expiresAt());
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
        return Mono.defer(() -> repository.insertWithinCap(newId(), userId, name, hash,
                        ApiKeyFormat.displayPrefix(secret), ApiKeyFormat.last4(secret), scopes, expiresAt, cap,
                        clock.instant()))
                .retryWhen(Retry.max(3).filter(e -> e instanceof DuplicateKeyException && isIdCollision(e)))
                .switchIfEmpty(Mono.error(() -> Errors.of(ErrorCode.CONFLICT, "This user has " + cap
                        + " active API keys, the most allowed. Revoke one before creating another.")))
                .flatMap(key -> bus.publish(InvalidationTopics.KEY, hash).thenReturn(created(key, secret, null)));
    }

    private static boolean isIdCollision(Throwable e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("api_keys_pkey");
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
            Duration grace = validGrace(request == null ? null : request.graceSeconds());
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
            if (!isKeyId(id)) {
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

    private static boolean isKeyId(String id) {
        if (id == null || id.length() != 12 || !id.startsWith("key-")) {
            return false;
        }
        for (int i = 4; i < 12; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw Errors.invalidRequest("Field 'name' is required.");
        }
        String trimmed = name.strip();
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_NAME) {
            throw Errors.invalidRequest("Field 'name' must be at most 100 characters.");
        }
        for (int i = 0; i < trimmed.length(); ) {
            int cp = trimmed.codePointAt(i);
            if (!TextRules.isVisible(cp) || (Character.isSpaceChar(cp) && cp != ' ')) {
                throw Errors.invalidRequest("Field 'name' must not contain control, invisible or direction-changing "
                        + "characters, or spaces other than U+0020.");
            }
            i += Character.charCount(cp);
        }
        return trimmed;
    }

    private List<String> validScopes(Principal caller, List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            throw Errors.invalidRequest("Field 'scopes' must list at least one scope.");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String scope : requested) {
            if (scope == null || !Scopes.isKnown(scope)) {
                throw Errors.invalidRequest("Field 'scopes' names an unknown scope.");
            }
            unique.add(scope);
        }
        Set<String> allowed = roleScopes.allowedFor(caller.role());
        for (String scope : unique) {
            if (!allowed.contains(scope)) {
                throw Errors.forbidden("Your role does not allow the scope '" + scope + "'.");
            }
        }
        return new ArrayList<>(unique);
    }

    private Instant validExpiry(Instant expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw Errors.invalidRequest("Field 'expires_at' must be in the future.");
        }
        if (expiresAt != null && expiresAt.isAfter(LATEST_EXPIRY)) {
            throw Errors.invalidRequest("Field 'expires_at' must be before the year 10000.");
        }
        return expiresAt;
    }

    private Duration validGrace(Long seconds) {
        if (seconds == null) {
            return properties.defaultGrace();
        }
        Duration grace = Duration.ofSeconds(seconds);
        if (grace.isNegative() || grace.compareTo(properties.maxGrace()) > 0) {
            throw Errors.invalidRequest("Field 'grace_seconds' must be between 0 and "
                    + properties.maxGrace().toSeconds() + ".");
        }
        return grace;
    }

    /** A new secret, drawn off the event loop (the system's entropy source may block). */
    private Mono<String> newSecret() {
        return Mono.fromCallable(() -> ApiKeyFormat.generate(random))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private String newId() {
        return "key-%08x".formatted(ThreadLocalRandom.current().nextInt());
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

    /**
     * Bootstrap: creates a key with exactly {@code secret} for {@code userId} unless this secret was bootstrapped
     * before, even if its key was since rotated away or revoked. Replicas starting together create it once; a secret
     * that an ordinary key already uses is reported as present instead of failing the start.
     *
     * @return true when this call created it
     */
    public Mono<Boolean> ensureKey(long userId, String name, List<String> scopes, String secret) {
        String hash = SecretHashes.sha256(secret);
        return Mono.defer(() -> repository.insertBootstrapKey(newId(), userId, name, hash,
                        ApiKeyFormat.displayPrefix(secret), ApiKeyFormat.last4(secret), scopes))
                .retryWhen(Retry.max(3).filter(e -> e instanceof DuplicateKeyException && isIdCollision(e)))
                .flatMap(key -> bus.publish(InvalidationTopics.KEY, hash).thenReturn(true))
                .defaultIfEmpty(false)
                .onErrorResume(ApiKeyService::isSecretCollision, taken -> Mono.just(false));
    }

    private static boolean isSecretCollision(Throwable e) {
        return e instanceof DuplicateKeyException && String.valueOf(e.getMessage()).contains("api_keys_key_hash_key");
    }
}
