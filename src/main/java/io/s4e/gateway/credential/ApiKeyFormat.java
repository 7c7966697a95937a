package io.s4e.gateway.credential;

import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * Format of S4E API keys: {@code s4e_live_} followed by 26 random base-62 characters and a
 * 6-character base-62 CRC-32 checksum of everything before it.
 *
 * <p>The checksum lets obviously mistyped or fabricated keys be rejected without a store lookup.
 * It is not a security control: the secrecy of a key lies entirely in its random part.
 */
public final class ApiKeyFormat {

    /** Fixed prefix of every key. */
    public static final String PREFIX = "s4e_live_";

    /** Total length of a key. */
    public static final int LENGTH = 41;

    static final int RANDOM_LENGTH = 26;

    static final int CHECKSUM_LENGTH = 6;

    /** Length of the part the checksum covers (prefix and random part). */
    public static final int BODY_LENGTH = LENGTH - CHECKSUM_LENGTH;

    static final int DISPLAY_PREFIX_LENGTH = 13;

    static final int LAST4_LENGTH = 4;

    private static final int BASE = 62;

    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private ApiKeyFormat() {
    }

    /** Returns a new well-formed key whose random part is drawn uniformly from {@code random}; throws NullPointerException if {@code random} is null. */
    public static String generate(SecureRandom random) {
        if (random == null) {
            throw new NullPointerException("random must not be null");
        }
        StringBuilder key = new StringBuilder(LENGTH);
        key.append(PREFIX);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            key.append(ALPHABET[random.nextInt(BASE)]);
        }
        key.append(checksum(key));
        return key.toString();
    }

    /** Returns the 6-character base-62 CRC-32 checksum of {@code body}; throws IllegalArgumentException if it is null or contains a non-ASCII character. */
    public static String checksum(CharSequence body) {
        if (body == null) {
            throw new IllegalArgumentException("Checksum body must not be null");
        }
        CRC32 crc = new CRC32();
        for (int i = 0, n = body.length(); i < n; i++) {
            char c = body.charAt(i);
            if (c > 0x7F) {
                throw new IllegalArgumentException("Checksum body must be ASCII");
            }
            crc.update(c);
        }
        long value = crc.getValue();
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = ALPHABET[(int) (value % BASE)];
            value /= BASE;
        }
        return new String(digits);
    }

    /** Returns true only if {@code candidate} has the prefix, the exact length, only ASCII alphanumerics after the prefix and a matching checksum; never throws. */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            if (digitValue(candidate.charAt(i)) < 0) {
                return false;
            }
        }
        CRC32 crc = new CRC32();
        for (int i = 0; i < BODY_LENGTH; i++) {
            crc.update(candidate.charAt(i));
        }
        long expected = 0;
        for (int i = BODY_LENGTH; i < LENGTH; i++) {
            expected = expected * BASE + digitValue(candidate.charAt(i));
        }
        return expected == crc.getValue();
    }

    /** Returns true if {@code value} is non-null and starts with {@link #PREFIX}. */
    public static boolean hasPrefix(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** Returns the first 13 characters of {@code key} (the prefix plus 4 characters); throws IllegalArgumentException if it is null or shorter. */
    public static String displayPrefix(String key) {
        if (key == null || key.length() < DISPLAY_PREFIX_LENGTH) {
            throw new IllegalArgumentException("Key is too short for a display prefix");
        }
        return key.substring(0, DISPLAY_PREFIX_LENGTH);
    }

    /** Returns the last 4 characters of {@code key}; throws IllegalArgumentException if it is null or shorter than 4 characters. */
    public static String last4(String key) {
        if (key == null || key.length() < LAST4_LENGTH) {
            throw new IllegalArgumentException("Key is too short for its last 4 characters");
        }
        return key.substring(key.length() - LAST4_LENGTH);
    }

    private static int digitValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 36;
        }
        return -1;
    }
}
