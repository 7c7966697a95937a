package io.s4e.gateway.credential;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one-way hash of high-entropy secrets at rest: API keys (about 155 random bits), and the one-time codes and
 * tokens kept for a short time under their hash. SHA-256, lower-case hex. For secrets this random a fast hash is the
 * right tool (a slow password hash would only cost every request); passwords use user/PasswordHasher.
 */
public final class SecretHashes {

    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(SecretHashes::newDigest);

    private SecretHashes() {
    }

    /** The lower-case hex SHA-256 of {@code secret} (UTF-8). */
    public static String sha256(String secret) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return HEX.formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is not available", impossible);
        }
    }
}
