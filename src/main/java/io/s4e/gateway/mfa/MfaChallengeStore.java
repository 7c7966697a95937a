package io.s4e.gateway.mfa;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.credential.CredentialExtractor;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Open MFA login steps in Redis: a hash per {@code mfa_token} under {@code <prefix>mfa:<SHA-256 of the token>}
 * (the token itself is stored nowhere), living {@link #LIFETIME} and ended by success or by {@link #MAX_FAILURES}
 * wrong codes. A second key {@code <prefix>mfa-send:<userId>} living {@link #SEND_INTERVAL} limits e-mail sends per
 * account, across its mfa_tokens.
 * Redis that cannot be reached is a 503.
 */
@Component
public class MfaChallengeStore {

    /** How long an mfa_token lives. */
    public static final Duration LIFETIME = Duration.ofMinutes(5);

    /** Wrong codes an mfa_token survives, minus one: the fifth ends it. */
    public static final int MAX_FAILURES = 5;

    /** Shortest time between two e-mail sends to one account, whatever mfa_token asks. */
    public static final Duration SEND_INTERVAL = Duration.ofSeconds(30);

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String USER_ID = "user_id";
    private static final String FAILURES = "failures";
    private static final String EMAIL_CODE = "email_code";
    private static final String EMAIL_CODE_EXPIRES = "email_code_expires";
    private static final String GENERATION = "gen";

    private final ReactiveStringRedisTemplate redis;
    private final String prefix;

    public MfaChallengeStore(ReactiveStringRedisTemplate redis, RedisKeyProperties keys) {
        this.redis = redis;
        this.prefix = keys.keyPrefix();
    }

    /**
     * Opens an MFA step for {@code userId} in its session generation {@code generation}.
     *
     * @return the new {@code mfa_temp_} token; a 503 error when Redis cannot be reached
     */
    public Mono<String> open(long userId, long generation) {
        return newToken().flatMap(token -> {
            String key = key(token);
            return redis.opsForHash().putAll(key, Map.of(USER_ID, Long.toString(userId), FAILURES, "0",
                            GENERATION, Long.toString(generation)))
                    .then(redis.expire(key, LIFETIME))
                    .thenReturn(token)
                    .transform(MfaChallengeStore::bounded);
        });
    }

    /**
     * The state of {@code token}'s step.
     *
     * @return the state; empty when the token is unknown, expired, used or exhausted; a 503 error when Redis cannot
     *         be reached
     */
    public Mono<MfaChallenge> find(String token) {
        if (token == null || !token.startsWith(CredentialExtractor.MFA_TEMP_PREFIX)) {
            return Mono.empty();
        }
        return redis.<String, String>opsForHash().entries(key(token))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .transform(MfaChallengeStore::bounded)
                .flatMap(fields -> Mono.justOrEmpty(challenge(fields)));
    }

    /**
     * Counts a wrong code against {@code token}; the {@link #MAX_FAILURES}th ends it.
     *
     * @return empty when counted; a 503 error when Redis cannot be reached
     */
    public Mono<Void> recordFailure(String token) {
        String key = key(token);
        return redis.opsForHash().increment(key, FAILURES, 1)
                .flatMap(failures -> failures >= MAX_FAILURES ? redis.delete(key).then() : dropIfOrphaned(key))
                .transform(MfaChallengeStore::bounded);
    }

    /**
     * Ends {@code token}'s step.
     *
     * @return true when this call ended it (so exactly one successful verification wins); a 503 error when Redis
     *         cannot be reached
     */
    public Mono<Boolean> close(String token) {
        return redis.delete(key(token))
                .map(deleted -> deleted > 0)
                .transform(MfaChallengeStore::bounded);
    }

    /**
     * Claims the right to send an e-mail code to account {@code userId} now, whichever of its mfa_tokens asks.
     *
     * @return true when no send to the account happened in the last {@link #SEND_INTERVAL}; a 503 error when Redis
     *         cannot be reached
     */
    public Mono<Boolean> claimSend(long userId) {
        return redis.opsForValue().setIfAbsent(sendKey(userId), "1", SEND_INTERVAL)
                .transform(MfaChallengeStore::bounded);
    }

    /**
     * Gives back a claimed send, after the send failed, so the user may try again at once.
     *
     * @return empty when released; a 503 error when Redis cannot be reached
     */
    public Mono<Void> releaseSend(long userId) {
        return redis.delete(sendKey(userId))
                .then()
                .transform(MfaChallengeStore::bounded);
    }

    /**
     * Remembers the hash of the e-mail code just sent for {@code token}, replacing an earlier one.
     *
     * @return empty when stored; a 503 error when Redis cannot be reached
     */
    public Mono<Void> storeEmailCode(String token, String codeHash, Instant expiresAt) {
        String key = key(token);
        return redis.opsForHash().putAll(key, Map.of(EMAIL_CODE, codeHash,
                        EMAIL_CODE_EXPIRES, Long.toString(expiresAt.getEpochSecond())))
                .then(dropIfOrphaned(key))
                .transform(MfaChallengeStore::bounded);
    }

    /**
     * Deletes {@code key} when a write just recreated it after it expired: such a hash has no user and no expiry,
     * and must not stay behind.
     */
    private Mono<Void> dropIfOrphaned(String key) {
        return redis.opsForHash().hasKey(key, USER_ID)
                .flatMap(hasUser -> hasUser ? Mono.<Void>empty() : redis.delete(key).then());
    }

    private String sendKey(long userId) {
        return prefix + "mfa-send:" + userId;
    }

    private String key(String token) {
        return prefix + "mfa:" + SecretHashes.sha256(token);
    }

    private static MfaChallenge challenge(Map<String, String> fields) {
        String userId = fields.get(USER_ID);
        if (userId == null) {
            return null;
        }
        String expires = fields.get(EMAIL_CODE_EXPIRES);
        return new MfaChallenge(Long.parseLong(userId), fields.get(EMAIL_CODE),
                expires == null ? null : Instant.ofEpochSecond(Long.parseLong(expires)),
                Long.parseLong(fields.getOrDefault(GENERATION, "0")));
    }

    /** A new {@code mfa_temp_} token of 32 random bytes, drawn off the event loop. */
    private static Mono<String> newToken() {
        return Mono.fromCallable(() -> {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            return CredentialExtractor.MFA_TEMP_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static <T> Mono<T> bounded(Mono<T> call) {
        return call.timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("MFA cannot be checked right now. Try again shortly."));
    }
}
