package io.s4e.gateway.mfa;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/**
 * Recovery codes (CONTRACT §10): {@value #COUNT} single-use codes {@code xxxxx-xxxxx} of 10 characters from
 * Crockford's base32 alphabet in lower case (50 random bits each; typed {@code o}, {@code i} and {@code l} count as
 * {@code 0}, {@code 1} and {@code 1}, and case, spaces and hyphens do not matter).
 * <p>
 * Stored as HMAC-SHA256 of the user id and the code under a key derived from {@code s4e.mfa.encryption-keys}. A fast
 * hash is enough for 50 random bits: guessing is bounded by the MFA attempt limit online; offline, a copy of the
 * table alone is useless without the key (an unkeyed fast hash of 50 bits could be searched on GPUs in days, which
 * the key rules out). The key id is stored beside each hash, so a code stays usable while its key is configured.
 */
@Component
public class RecoveryCodes {

    /** Codes per set. */
    public static final int COUNT = 10;
    /** Crockford's base32, lower case: no i, l, o, u. */
    static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final int LENGTH = 10;
    private static final String LABEL = "s4e recovery code hash v1";

    private final RecoveryCodeRepository repository;
    private final MfaKeys keys;
    private final SecureRandom random = new SecureRandom();

    public RecoveryCodes(RecoveryCodeRepository repository, MfaKeys keys) {
        this.repository = repository;
        this.keys = keys;
    }

    /**
     * Draws a new set for user {@code userId} and stores its hashes in place of every earlier code, atomically.
     *
     * @return the codes, to be shown once; 401 when the user is gone; 503 when no key is configured
     */
    public Mono<List<String>> regenerate(long userId) {
        if (!keys.configured()) {
            return Mono.error(() -> Errors.unavailable("Recovery codes are not available: the operator has not set "
                    + MfaKeys.PROPERTY + "."));
        }
        String keyId = keys.primaryId();
        return Mono.fromCallable(this::draw)
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(codes -> repository.replace(userId, keyId,
                                codes.stream().map(code -> hash(keyId, userId, normalize(code))).toList())
                        .flatMap(replaced -> replaced ? Mono.just(codes)
                                : Mono.error(() -> Errors.unauthorized("The user no longer exists."))));
    }

    /**
     * Uses up {@code typed}, a code of user {@code userId}. Of concurrent uses of one code, exactly one succeeds.
     *
     * @return true when it was an unused code of the user; false otherwise (also when malformed)
     */
    public Mono<Boolean> consume(long userId, String typed) {
        String code = normalize(typed);
        if (code == null || !keys.configured()) {
            return Mono.just(false);
        }
        return repository.consume(userId, keys.ids().stream().map(id -> hash(id, userId, code)).toList());
    }

    /**
     * How many unused recovery codes user {@code userId} has (what {@code GET /api/user/me} shows as
     * {@code recovery_codes_left}).
     *
     * @return the count, 0 for none or an unknown user; an error only when PostgreSQL fails
     */
    public Mono<Integer> remaining(long userId) {
        return repository.count(userId);
    }

    /** {@code typed} in canonical form (10 characters of {@link #ALPHABET}); null when it cannot be a code. */
    static String normalize(String typed) {
        if (typed == null || typed.length() > 40) {
            return null;
        }
        StringBuilder code = new StringBuilder(LENGTH);
        for (char c : typed.toLowerCase(Locale.ROOT).toCharArray()) {
            char canonical = switch (c) {
                case 'o' -> '0';
                case 'i', 'l' -> '1';
                default -> c;
            };
            if (c == '-' || c == ' ') {
                continue;
            }
            if (ALPHABET.indexOf(canonical) < 0) {
                return null;
            }
            code.append(canonical);
        }
        return code.length() == LENGTH ? code.toString() : null;
    }

    private List<String> draw() {
        List<String> codes = new ArrayList<>(COUNT);
        while (codes.size() < COUNT) {
            StringBuilder code = new StringBuilder(LENGTH + 1);
            for (int i = 0; i < LENGTH; i++) {
                if (i == LENGTH / 2) {
                    code.append('-');
                }
                code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            if (!codes.contains(code.toString())) {
                codes.add(code.toString());
            }
        }
        return List.copyOf(codes);
    }

    private String hash(String keyId, long userId, String code) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keys.derived(keyId, LABEL), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((userId + ":" + code).getBytes(StandardCharsets.US_ASCII)));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
