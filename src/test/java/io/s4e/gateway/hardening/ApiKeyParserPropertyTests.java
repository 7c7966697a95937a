package io.s4e.gateway.hardening;

import java.security.SecureRandom;
import java.util.zip.CRC32;

import io.s4e.gateway.apikey.ApiKeyFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests over the API key parser ({@link ApiKeyFormat}): it never throws on any input, accepts exactly
 * the keys of the documented format (checked here against an independent reading of CONTRACT §5), and refuses any
 * single-character change of a real key, so a malformed or guessed key never reaches a store.
 */
class ApiKeyParserPropertyTests {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Provide
    Arbitrary<String> candidates() {
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(60);
        Arbitrary<String> nearKeys = Arbitraries.strings().withChars(ALPHABET + "_-!é\u0000")
                .ofMinLength(30).ofMaxLength(34).map(s -> ApiKeyFormat.PREFIX + s);
        Arbitrary<String> realKeys = Arbitraries.just(0).map(i -> ApiKeyFormat.generate(RANDOM));
        Arbitrary<String> checksummed = Arbitraries.strings().withChars(ALPHABET + "!~é")
                .ofLength(26).map(body -> ApiKeyFormat.PREFIX + body + reference(ApiKeyFormat.PREFIX + body));
        return Arbitraries.oneOf(anything, nearKeys, realKeys, checksummed);
    }

    /** The parser agrees with an independent reading of the format on every input, and never throws. */
    @Property(tries = 5000)
    void isWellFormedWhenAnyInputThenExactlyTheDocumentedFormat(@ForAll("candidates") String candidate) {
        assertThat(ApiKeyFormat.isWellFormed(candidate)).as(candidate).isEqualTo(documentedFormat(candidate));
    }

    /** Any one character of a real key changed to any other character makes it malformed. */
    @Property(tries = 3000)
    void isWellFormedWhenOneCharacterOfARealKeyChangedThenFalse(
            @ForAll @IntRange(min = 0, max = 40) int position, @ForAll @CharRange(from = 0, to = 0x2FF) char other) {
        String key = ApiKeyFormat.generate(RANDOM);
        if (key.charAt(position) == other) {
            return;
        }
        String changed = key.substring(0, position) + other + key.substring(position + 1);

        assertThat(ApiKeyFormat.isWellFormed(changed)).as(changed).isFalse();
    }

    /** Truncated, extended or padded real keys are malformed. */
    @Property(tries = 1000)
    void isWellFormedWhenRealKeyTruncatedExtendedOrPaddedThenFalse(@ForAll @IntRange(min = 1, max = 40) int cut,
                                                                    @ForAll("padding") String padding) {
        String key = ApiKeyFormat.generate(RANDOM);

        assertThat(ApiKeyFormat.isWellFormed(key.substring(0, cut))).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(key + padding)).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(padding + key)).isFalse();
    }

    @Provide
    Arbitrary<String> padding() {
        return Arbitraries.strings().withChars(" \t\r\n\u00a0\u200b0aZ=").ofMinLength(1).ofMaxLength(3);
    }

    /** {@code s4e_live_} + 32 of [A-Za-z0-9] whose last 6 are the base-62 CRC-32 of the rest. */
    private static boolean documentedFormat(String candidate) {
        if (candidate == null || candidate.length() != 41 || !candidate.startsWith("s4e_live_")) {
            return false;
        }
        for (int i = 9; i < 41; i++) {
            if (ALPHABET.indexOf(candidate.charAt(i)) < 0) {
                return false;
            }
        }
        return candidate.substring(35).equals(reference(candidate.substring(0, 35)));
    }

    /** CRC-32 (IEEE) of the ASCII bytes of {@code body}, in base 62 left-padded to 6 characters. */
    private static String reference(String body) {
        CRC32 crc = new CRC32();
        for (int i = 0; i < body.length(); i++) {
            crc.update(body.charAt(i) & 0xFF);
        }
        long value = crc.getValue();
        char[] out = new char[6];
        for (int i = 5; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }
}
