package io.s4e.gateway.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one-way hash API keys are stored under: SHA-256, hex. A key holds about 155 random bits, so a fast hash is
 * the right tool (a slow password hash would only cost every request).
 */
public final class ApiKeyHasher {

    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ApiKeyHasher::newDigest);

    private ApiKeyHasher() {
    }

    /** The lower-case hex SHA-256 of {@code key}. */
    public static String hash(String key) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return HEX.formatHex(digest.digest(key.getBytes(StandardCharsets.US_ASCII)));
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
