package io.s4e.gateway.mfa;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.s4e.gateway.web.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/**
 * TOTP secrets at rest: AES-256-GCM under the first key of {@link MfaKeys}, with a random 96-bit nonce and the user
 * id (and key id) as associated data, so a stored secret decrypts only for the user it was written for. The stored
 * form is {@code v1:<key id>:<base64url nonce>:<base64url ciphertext and 128-bit tag>}; anything else (plaintext
 * included) is refused.
 */
@Component
public class TotpSecretCipher {

    /** The prefix of every stored secret. */
    public static final String VERSION = "v1";

    private static final Logger log = LoggerFactory.getLogger(TotpSecretCipher.class);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final MfaKeys keys;
    private final SecureRandom random = new SecureRandom();

    public TotpSecretCipher(MfaKeys keys) {
        this.keys = keys;
        try {
            // Look the provider up once here, on the main thread, not first on an event loop.
            Cipher.getInstance("AES/GCM/NoPadding");
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is not available", e);
        }
    }

    /** A secret as read back: its plaintext, and whether it is under the primary key (false: re-encrypt it). */
    public record Opened(String secret, boolean underPrimaryKey) {

        @Override
        public String toString() {
            return "Opened[underPrimaryKey=" + underPrimaryKey + "]";
        }
    }

    /**
     * Encrypts {@code secret} of user {@code userId} under the primary key, off the event loop (the nonce comes from
     * a {@link SecureRandom}, which may read the system's entropy source).
     *
     * @return the stored form; a 503 error when no key is configured
     */
    public Mono<String> seal(long userId, String secret) {
        if (!keys.configured()) {
            return Mono.error(() -> Errors.unavailable("TOTP is not available: the operator has not set "
                    + MfaKeys.PROPERTY + "."));
        }
        return Mono.fromCallable(() -> sealNow(userId, secret))
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** Encrypts at once, on the calling thread; for the migration and tests. */
    public String sealNow(long userId, String secret) {
        String keyId = keys.primaryId();
        if (keyId == null) {
            throw new IllegalStateException(MfaKeys.PROPERTY + " holds no key");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.aesKey(keyId), nonce, userId, keyId);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.US_ASCII));
            return VERSION + ":" + keyId + ":" + ENCODER.encodeToString(nonce) + ":" + ENCODER.encodeToString(sealed);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    /**
     * Decrypts the stored secret of user {@code userId}. CPU only: safe on an event loop.
     *
     * @return the secret; empty when {@code stored} is null, not in the stored form, under a key that is not
     *         configured, or does not authenticate (altered, or written for another user); each such case but null
     *         is logged with the user id (never the value)
     */
    public Optional<Opened> open(long userId, String stored) {
        if (stored == null) {
            return Optional.empty();
        }
        String[] parts = stored.split(":", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            log.warn("The TOTP secret of user {} is not in the encrypted form: it is refused", userId);
            return Optional.empty();
        }
        String keyId = parts[1];
        SecretKeySpec key = keys.aesKey(keyId);
        if (key == null) {
            log.warn("The TOTP secret of user {} is encrypted under key id '{}', which {} does not hold", userId,
                    keyId, MfaKeys.PROPERTY);
            return Optional.empty();
        }
        try {
            byte[] nonce = DECODER.decode(parts[2]);
            byte[] sealed = DECODER.decode(parts[3]);
            if (nonce.length != NONCE_BYTES) {
                throw new IllegalArgumentException("nonce length");
            }
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, nonce, userId, keyId);
            String secret = new String(cipher.doFinal(sealed), StandardCharsets.US_ASCII);
            return Optional.of(new Opened(secret, keyId.equals(keys.primaryId())));
        }
        catch (GeneralSecurityException | IllegalArgumentException e) {
            log.warn("The TOTP secret of user {} does not decrypt under key id '{}' (altered, or not written for "
                    + "this user): it is refused", userId, keyId);
            return Optional.empty();
        }
    }

    /** The key id of a stored secret; null when it is not in the stored form. */
    public static String keyIdOf(String stored) {
        if (stored == null) {
            return null;
        }
        String[] parts = stored.split(":", -1);
        return parts.length == 4 && VERSION.equals(parts[0]) ? parts[1] : null;
    }

    private static Cipher cipher(int mode, SecretKeySpec key, byte[] nonce, long userId, String keyId)
            throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(associatedData(userId, keyId));
        return cipher;
    }

    private static byte[] associatedData(long userId, String keyId) {
        byte[] label = ("s4e totp secret " + VERSION + "|" + keyId + "|").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(label.length + Long.BYTES).put(label).putLong(userId).array();
    }
}
