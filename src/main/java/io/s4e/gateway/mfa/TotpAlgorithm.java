package io.s4e.gateway.mfa;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.nio.charset.StandardCharsets;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 6238 time-based one-time passwords with HMAC-SHA1 and a 30-second step: pure computation, no state, no I/O.
 */
public final class TotpAlgorithm {

    /** Seconds per time step. */
    public static final long STEP_SECONDS = 30;

    /** Digits of the codes the gateway issues and accepts. */
    public static final int DIGITS = 6;

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
            100_000_000};

    private TotpAlgorithm() {
    }

    /** The time step (RFC 6238 "T", T0 = 0) that contains {@code instant}. */
    public static long step(Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), STEP_SECONDS);
    }

    /**
     * The code of {@code key} for time step {@code step}, zero-padded to {@code digits} digits.
     *
     * @throws IllegalArgumentException when {@code digits} is not between 1 and 8
     */
    public static String code(byte[] key, long step, int digits) {
        if (digits < 1 || digits > 8) {
            throw new IllegalArgumentException("digits must be between 1 and 8");
        }
        int truncated = dynamicTruncation(hmacSha1(key, counterBytes(step)));
        String digitsText = Integer.toString(truncated % POWERS_OF_TEN[digits]);
        return "0".repeat(digits - digitsText.length()) + digitsText;
    }

    /** True when {@code expected} and {@code given} are equal, compared in time independent of where they differ. */
    public static boolean sameCode(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] counterBytes(long step) {
        byte[] counter = new byte[8];
        for (int i = 7; i >= 0; i--) {
            counter[i] = (byte) (step & 0xff);
            step >>>= 8;
        }
        return counter;
    }

    private static byte[] hmacSha1(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is unavailable", e);
        }
    }

    private static int dynamicTruncation(byte[] hash) {
        int offset = hash[hash.length - 1] & 0x0f;
        return ((hash[offset] & 0x7f) << 24)
                | ((hash[offset + 1] & 0xff) << 16)
                | ((hash[offset + 2] & 0xff) << 8)
                | (hash[offset + 3] & 0xff);
    }
}
