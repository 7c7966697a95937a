package io.s4e.gateway.hardening;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.support.Generated.Case;
import io.s4e.gateway.support.Generated;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based tests over the API key parser ({@link ApiKeyFormat}): it never throws on any input, accepts exactly
 * the keys of the documented format (checked here against an independent reading of CONTRACT §5), and refuses any
 * single-character change of a real key, so a malformed or guessed key never reaches a store.
 */
@ExtendWith(Generated.ReportSeed.class)
class ApiKeyParserPropertyTests {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String NEAR_KEY_CHARS = ALPHABET + "_-!é\u0000";
    private static final String CHECKSUMMED_CHARS = ALPHABET + "!~é";
    private static final String PADDING_CHARS = " \t\r\n\u00a0\u200b0aZ=";
    /** A real key the same at every run, for the edge cases. */
    private static final String KEY = ApiKeyFormat.generate(Generated.secureRandom(new SplittableRandom(41)));

    /** Any text, near-keys (the prefix and 30 to 34 odd characters), real keys, bodies with a correct checksum. */
    static Stream<Case<String>> candidates() {
        List<String> edges = new ArrayList<>(Generated.edgeStrings(60));
        Generated.edgeStrings(NEAR_KEY_CHARS, 30, 34).forEach(s -> edges.add(ApiKeyFormat.PREFIX + s));
        Generated.edgeStrings(CHECKSUMMED_CHARS, 26, 26).forEach(s -> edges.add(checksummed(s)));
        edges.addAll(List.of(KEY, ApiKeyFormat.PREFIX, "s4e_live", KEY.toUpperCase(), "S4E_LIVE_" + KEY.substring(9),
                KEY.substring(0, 40), KEY + "0", " " + KEY, KEY + "\n", KEY.replace('_', '-'),
                ApiKeyFormat.PREFIX + "0".repeat(32), checksummed("0".repeat(26)), checksummed("z".repeat(26)),
                checksummed("é".repeat(26)), checksummed("a".repeat(25) + "\u0000")));
        return Generated.cases(1000, edges, ApiKeyParserPropertyTests::candidate);
    }

    private static String candidate(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> Generated.anyString(random, 0, 60);
            case 1 -> ApiKeyFormat.PREFIX + Generated.string(random, NEAR_KEY_CHARS, 30, 34);
            case 2 -> ApiKeyFormat.generate(Generated.secureRandom(random));
            default -> checksummed(Generated.string(random, CHECKSUMMED_CHARS, 26, 26));
        };
    }

    /** The parser agrees with an independent reading of the format on every input, and never throws. */
    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("candidates")
    void isWellFormedWhenAnyInputThenExactlyTheDocumentedFormat(Case<String> candidate) {
        String value = candidate.value();

        assertThat(ApiKeyFormat.isWellFormed(value)).as(Generated.printable(value, 200))
                .isEqualTo(documentedFormat(value));
    }

    /** A real key, a position in it (0 to 40) and a character (U+0000 to U+02FF) other than the one there. */
    record Change(String key, int position, char other) {
    }

    static Stream<Case<Change>> changes() {
        List<Change> edges = new ArrayList<>();
        for (int position : new int[] {0, 1, 8, 9, 34, 35, 39, 40}) {
            for (char other : "\u0000\u000109AZaz_\u007f\u00e9\u02fe\u02ff".toCharArray()) {
                edges.add(new Change(KEY, position, other));
            }
        }
        for (int position = 0; position < ApiKeyFormat.LENGTH; position++) {
            edges.add(new Change(KEY, position, neighbour(KEY.charAt(position))));
        }
        return Generated.cases(1000, edges.stream().filter(c -> c.key().charAt(c.position()) != c.other()).toList(),
                random -> {
                    String key = ApiKeyFormat.generate(Generated.secureRandom(random));
                    int position = Generated.between(random, 0, 40);
                    char other;
                    do {
                        other = (char) Generated.between(random, 0, 0x2FF);
                    }
                    while (other == key.charAt(position));
                    return new Change(key, position, other);
                });
    }

    /** Any one character of a real key changed to any other character makes it malformed. */
    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("changes")
    void isWellFormedWhenOneCharacterOfARealKeyChangedThenFalse(Case<Change> change) {
        String key = change.value().key();
        int position = change.value().position();
        assertThat(ApiKeyFormat.isWellFormed(key)).as(key).isTrue();
        assertThat(change.value().other()).isNotEqualTo(key.charAt(position));
        String changed = key.substring(0, position) + change.value().other() + key.substring(position + 1);

        assertThat(ApiKeyFormat.isWellFormed(changed)).as(Generated.printable(changed, 60)).isFalse();
    }

    /** A real key, where to cut it (1 to 40 characters kept) and 1 to 3 characters of padding. */
    record Trim(String key, int cut, String padding) {
    }

    static Stream<Case<Trim>> trims() {
        List<String> paddings = new ArrayList<>();
        for (char c : PADDING_CHARS.toCharArray()) {
            paddings.add(String.valueOf(c));
        }
        paddings.addAll(Generated.edgeStrings(PADDING_CHARS, 1, 3));
        List<Trim> edges = new ArrayList<>();
        for (int cut = 1; cut < ApiKeyFormat.LENGTH; cut++) {
            edges.add(new Trim(KEY, cut, paddings.get(cut % paddings.size())));
        }
        for (String padding : paddings) {
            edges.add(new Trim(KEY, 40, padding));
        }
        return Generated.cases(1000, edges, random -> new Trim(ApiKeyFormat.generate(Generated.secureRandom(random)),
                Generated.between(random, 1, 40), Generated.string(random, PADDING_CHARS, 1, 3)));
    }

    /** Truncated, extended or padded real keys are malformed. */
    @ParameterizedTest(name = Generated.NAME)
    @MethodSource("trims")
    void isWellFormedWhenRealKeyTruncatedExtendedOrPaddedThenFalse(Case<Trim> trim) {
        String key = trim.value().key();
        String padding = trim.value().padding();
        assertThat(ApiKeyFormat.isWellFormed(key)).as(key).isTrue();

        assertThat(ApiKeyFormat.isWellFormed(key.substring(0, trim.value().cut()))).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(key + padding)).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(padding + key)).isFalse();
    }

    /** The prefix, {@code body} and the checksum of both as {@link #reference} computes it. */
    private static String checksummed(String body) {
        return ApiKeyFormat.PREFIX + body + reference(ApiKeyFormat.PREFIX + body);
    }

    /** The next character of the key alphabet (wrapping), or for a prefix character the next code point. */
    private static char neighbour(char c) {
        int at = ALPHABET.indexOf(c);
        return at < 0 ? (char) (c + 1) : ALPHABET.charAt((at + 1) % ALPHABET.length());
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
