package io.s4e.gateway.apikey;

import java.util.List;

import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.InvalidationTopics;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.SecretHashes;
import reactor.core.publisher.Mono;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

/** The API key a deployment is started with (docs/configuration.md, {@code s4e.bootstrap}). */
@Component
public class BootstrapKeys {

    private final ApiKeyRepository repository;
    private final InvalidationBus bus;

    public BootstrapKeys(ApiKeyRepository repository, InvalidationBus bus) {
        this.repository = repository;
        this.bus = bus;
    }

    /**
     * Creates a key with exactly {@code secret} for {@code userId} unless this secret was bootstrapped before, even
     * if its key was since rotated away or revoked. Replicas starting together create it once; a secret that an
     * ordinary key already uses is reported as present instead of failing the start.
     *
     * @return true when this call created it
     */
    public Mono<Boolean> ensureKey(long userId, String name, List<String> scopes, String secret) {
        String hash = SecretHashes.sha256(secret);
        return ApiKeyIds.insertingWithNewId(id -> repository.insertBootstrapKey(id, userId, name, hash,
                        ApiKeyFormat.displayPrefix(secret), ApiKeyFormat.last4(secret), scopes))
                .flatMap(key -> bus.publish(InvalidationTopics.KEY, hash).thenReturn(true))
                .defaultIfEmpty(false)
                .onErrorResume(BootstrapKeys::isSecretCollision, taken -> Mono.just(false));
    }

    private static boolean isSecretCollision(Throwable e) {
        return e instanceof DuplicateKeyException && String.valueOf(e.getMessage()).contains("api_keys_key_hash_key");
    }
}
