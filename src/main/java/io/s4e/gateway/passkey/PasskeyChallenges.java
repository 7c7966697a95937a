package io.s4e.gateway.passkey;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * WebAuthn challenges in Redis, so a challenge issued by one replica is accepted by any other: 32 random bytes,
 * kept under {@code <prefix>webauthn:<SHA-256 of the challenge>} for {@link #LIFETIME} with what it was issued for
 * ({@link Grant}). Taking a challenge is one {@code GETDEL}, so each works at most once, however many replicas
 * receive it at the same instant. Redis that cannot be reached is a 503.
 */
@Component
public class PasskeyChallenges {

    /** How long a challenge may be answered. */
    public static final Duration LIFETIME = Duration.ofMinutes(5);

    private static final int BYTES = 32;
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ReactiveStringRedisTemplate redis;
    private final String prefix;

    public PasskeyChallenges(ReactiveStringRedisTemplate redis, RedisKeyProperties keys) {
        this.redis = redis;
        this.prefix = keys.keyPrefix() + "webauthn:";
    }

    /** What a challenge may be used for. */
    public enum Purpose {
        /** Adding a passkey, by the session {@link Grant#binding()} of user {@link Grant#userId()}. */
        REGISTER,
        /** The second step of the login whose mfa_token hashes to {@link Grant#binding()}. */
        SECOND_FACTOR,
        /** A password-free sign-in; user and binding are unknown until the credential says whose it is. */
        PASSWORD_FREE
    }

    /**
     * What a challenge was issued for.
     *
     * @param purpose what it may be used for
     * @param userId  the user it was issued to; 0 for {@link Purpose#PASSWORD_FREE}
     * @param binding the session id ({@link Purpose#REGISTER}) or the SHA-256 of the mfa_token
     *                ({@link Purpose#SECOND_FACTOR}) it belongs to; empty for {@link Purpose#PASSWORD_FREE}
     */
    public record Grant(Purpose purpose, long userId, String binding) {

        String encode() {
            return purpose.name() + "|" + userId + "|" + binding;
        }

        static Grant decode(String value) {
            String[] parts = value.split("\\|", 3);
            return new Grant(Purpose.valueOf(parts[0]), Long.parseLong(parts[1]), parts.length > 2 ? parts[2] : "");
        }
    }

    /**
     * Issues a challenge for {@code grant}.
     *
     * @return the challenge's bytes; a 503 error when Redis cannot be reached
     */
    public Mono<byte[]> issue(Grant grant) {
        return Mono.fromCallable(() -> {
                    byte[] challenge = new byte[BYTES];
                    RANDOM.nextBytes(challenge);
                    return challenge;
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(challenge -> redis.opsForValue().set(key(challenge), grant.encode(), LIFETIME)
                        .thenReturn(challenge))
                .transform(PasskeyChallenges::bounded);
    }

    /**
     * Takes {@code challenge}: after this call no one can take it again.
     *
     * @return what it was issued for; empty when it is unknown, expired or taken already; a 503 error when Redis
     *         cannot be reached
     */
    public Mono<Grant> take(byte[] challenge) {
        if (challenge == null || challenge.length != BYTES) {
            return Mono.empty();
        }
        return redis.opsForValue().getAndDelete(key(challenge))
                .map(Grant::decode)
                .transform(PasskeyChallenges::bounded);
    }

    /** The binding of a second-factor challenge to {@code mfaToken}: its SHA-256, so the token is stored nowhere. */
    public static String bindingOf(String mfaToken) {
        return SecretHashes.sha256(mfaToken);
    }

    private String key(byte[] challenge) {
        return prefix + SecretHashes.sha256(Base64.getUrlEncoder().withoutPadding().encodeToString(challenge));
    }

    private static <T> Mono<T> bounded(Mono<T> call) {
        return call.timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("Passkeys cannot be checked right now. Try again shortly."));
    }
}
