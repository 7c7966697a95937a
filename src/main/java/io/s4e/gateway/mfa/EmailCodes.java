package io.s4e.gateway.mfa;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;

import io.s4e.gateway.credential.SecretHashes;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/**
 * Six-digit e-mail codes: drawn at random, stored only as SHA-256 of the mfa_token and the code together (so a
 * stored hash is useless without the token), and compared in constant time.
 */
@Component
public class EmailCodes {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new six-digit code, drawn off the event loop. */
    public Mono<String> generate() {
        return Mono.fromCallable(() -> String.format("%06d", RANDOM.nextInt(1_000_000)))
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** The stored form of {@code code} sent for {@code mfaToken}. */
    public static String hash(String mfaToken, String code) {
        return SecretHashes.sha256(mfaToken + ":" + code);
    }

    /** True when {@code code} is the unexpired code last sent for {@code mfaToken}. */
    public static boolean matches(MfaChallenge challenge, String mfaToken, String code, Instant now) {
        if (challenge.emailCodeHash() == null || challenge.emailCodeExpiresAt() == null
                || !now.isBefore(challenge.emailCodeExpiresAt())) {
            return false;
        }
        return MessageDigest.isEqual(challenge.emailCodeHash().getBytes(StandardCharsets.US_ASCII),
                hash(mfaToken, code).getBytes(StandardCharsets.US_ASCII));
    }
}
