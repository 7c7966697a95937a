package io.s4e.gateway.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Password reset tokens in Redis. A token is {@code pwr_} and 43 characters of base64url (32 random bytes); Redis
 * holds only its SHA-256 ({@code <prefix>pwr:<hex>}), expiring after {@code s4e.accounts.reset-token-ttl}, with the
 * user id and a fingerprint of the password hash it was issued against, so a token dies when the password changes
 * by any way. A token is used up by one {@code GETDEL}: of two resets with the same token, exactly one gets it.
 * The per-account mail interval is one {@code SET NX EX} key ({@code <prefix>pwr-mailed:<userId>}).
 * <p>
 * Why Redis and not PostgreSQL: tokens live 30 minutes, so Redis' own expiry removes them without a sweeper; the
 * single use is one atomic command on one key (fine on a Redis Cluster); and losing them with Redis costs a user
 * one more request, nothing else.
 */
@Component
public class ResetTokens {

    /** The prefix of every reset token. */
    public static final String PREFIX = "pwr_";

    private static final Pattern FORMAT = Pattern.compile("pwr_[A-Za-z0-9_-]{43}");
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * What a stored token stands for.
     *
     * @param userId      the account
     * @param fingerprint the fingerprint of the password hash it was issued against
     */
    public record Claim(long userId, String fingerprint) {

        String value() {
            return userId + ":" + fingerprint;
        }

        static Claim parse(String value) {
            int colon = value == null ? -1 : value.indexOf(':');
            if (colon <= 0) {
                return null;
            }
            try {
                return new Claim(Long.parseLong(value.substring(0, colon)), value.substring(colon + 1));
            }
            catch (NumberFormatException malformed) {
                return null;
            }
        }
    }

    private final ReactiveStringRedisTemplate redis;
    private final String prefix;

    public ResetTokens(ReactiveStringRedisTemplate redis, RedisKeyProperties keys) {
        this.redis = redis;
        this.prefix = keys.keyPrefix();
    }

    /** Whether {@code token} has the form of a reset token (checked before any store is asked). */
    public static boolean wellFormed(String token) {
        return token != null && FORMAT.matcher(token).matches();
    }

    /** The fingerprint of a password hash: enough to tell a changed password, useless to guess one. */
    public static String fingerprint(String passwordHash) {
        return sha256(passwordHash == null ? "" : passwordHash).substring(0, 32);
    }

    /**
     * Takes the mail slot of {@code userId} for {@code interval}.
     *
     * @return true when taken (a mail may go out); false when a mail went out within the interval; a 503 error when
     *         Redis cannot be reached
     */
    public Mono<Boolean> claimMailSlot(long userId, Duration interval) {
        return redis.opsForValue().setIfAbsent(mailedKey(userId), "1", interval)
                .defaultIfEmpty(false)
                .transform(ResetTokens::bounded);
    }

    /** Gives the mail slot of {@code userId} back (the mail could not be sent). */
    public Mono<Void> releaseMailSlot(long userId) {
        return redis.delete(mailedKey(userId)).then().transform(ResetTokens::bounded);
    }

    /**
     * Stores a new token of {@code userId} for a password hash, expiring after {@code ttl}.
     *
     * @return the token; a 503 error when Redis cannot be reached
     */
    public Mono<String> issue(long userId, String passwordHash, Duration ttl) {
        return newToken().flatMap(token -> redis.opsForValue()
                .set(key(token), new Claim(userId, fingerprint(passwordHash)).value(), ttl)
                .transform(ResetTokens::bounded)
                .thenReturn(token));
    }

    /**
     * What {@code token} stands for, without using it up.
     *
     * @return the claim; empty when the token is malformed, unknown, used or expired; a 503 error when Redis cannot
     *         be reached
     */
    public Mono<Claim> peek(String token) {
        if (!wellFormed(token)) {
            return Mono.empty();
        }
        return redis.opsForValue().get(key(token))
                .transform(ResetTokens::bounded)
                .mapNotNull(Claim::parse);
    }

    /**
     * Uses {@code token} up, atomically.
     *
     * @return the claim when this call used it up; empty when it was used, expired or unknown; a 503 error when
     *         Redis cannot be reached
     */
    public Mono<Claim> consume(String token) {
        if (!wellFormed(token)) {
            return Mono.empty();
        }
        return redis.opsForValue().getAndDelete(key(token))
                .transform(ResetTokens::bounded)
                .mapNotNull(Claim::parse);
    }

    /** Deletes {@code token} (its mail could not be sent). */
    public Mono<Void> delete(String token) {
        return redis.delete(key(token)).then().transform(ResetTokens::bounded);
    }

    /** The Redis key of {@code token}: the SHA-256 of the token, never the token. */
    String key(String token) {
        return prefix + "pwr:" + sha256(token);
    }

    private String mailedKey(long userId) {
        return prefix + "pwr-mailed:" + userId;
    }

    /** A new token, drawn off the event loop (the system's entropy source may block). */
    private static Mono<String> newToken() {
        return Mono.fromCallable(() -> {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static <T> Mono<T> bounded(Mono<T> call) {
        return call.timeout(TIMEOUT)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("Password resets are not possible right now. Try again shortly."));
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
