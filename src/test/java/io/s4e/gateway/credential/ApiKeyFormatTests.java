package io.s4e.gateway.credential;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class ApiKeyFormatTests {

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static final String BODY = "s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ0";

    private static final String KEY = BODY + "42FMf1";

    private final SecureRandom random = new SecureRandom();

    @ParameterizedTest
    @CsvSource({
            "s4e_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ, 2lhGSX",
            "s4e_live_abcdefghijklmnopqrstuvwxyz, 24CGLe",
            "s4e_live_00000000000000000000000000, 4IPcjB",
            "s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ0, 42FMf1",
            "s4e_live_00000000000000000000000206, 00Ipvm"
    })
    void checksumWhenKnownBodyThenMatchesPublishedVector(String body, String expected) {
        assertThat(ApiKeyFormat.checksum(body)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "s4e_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ0",
            "s4e_live_00000000000000000000000206",
            "s4e_live_zzzzzzzzzzzzzzzzzzzzzzzzzz"
    })
    void checksumWhenFixedBodyThenMatchesIndependentReference(String body) {
        long crc = referenceCrc32(body.getBytes(StandardCharsets.US_ASCII));

        assertThat(ApiKeyFormat.checksum(body)).isEqualTo(referenceBase62(crc));
    }

    @Test
    void checksumWhenReferenceUsedOnExtremeValuesThenPadsAndFits() {
        assertThat(referenceBase62(0)).isEqualTo("000000");
        assertThat(referenceBase62(61)).isEqualTo("00000z");
        assertThat(referenceBase62(62)).isEqualTo("000010");
        assertThat(referenceBase62(0xFFFFFFFFL)).hasSize(6);
    }

    @Test
    void checksumWhenBodyIsNotAsciiThenThrows() {
        assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyFormat.checksum("s4e_live_é"));
        assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyFormat.checksum(null));
    }

    @Test
    void generateWhenCalledManyTimesThenEveryKeyIsWellFormed() {
        for (int i = 0; i < 20_000; i++) {
            String key = ApiKeyFormat.generate(random);

            assertThat(key).hasSize(ApiKeyFormat.LENGTH).startsWith(ApiKeyFormat.PREFIX);
            assertThat(key.substring(ApiKeyFormat.PREFIX.length())).matches("[A-Za-z0-9]{32}");
            assertThat(ApiKeyFormat.isWellFormed(key)).as(key).isTrue();
        }
    }

    @Test
    void generateWhenCalledThenUsesOnlyAlphabetCharacters() {
        for (int i = 0; i < 1_000; i++) {
            String key = ApiKeyFormat.generate(random);
            for (int j = ApiKeyFormat.PREFIX.length(); j < key.length(); j++) {
                assertThat(ALPHABET.indexOf(key.charAt(j))).as(key).isNotNegative();
            }
        }
    }

    @Test
    void generateWhenCalledManyTimesThenCoversWholeAlphabet() {
        boolean[] seen = new boolean[128];
        for (int i = 0; i < 2_000; i++) {
            String key = ApiKeyFormat.generate(random);
            for (int j = ApiKeyFormat.PREFIX.length(); j < ApiKeyFormat.BODY_LENGTH; j++) {
                seen[key.charAt(j)] = true;
            }
        }
        for (char c : ALPHABET.toCharArray()) {
            assertThat(seen[c]).as("character %s", c).isTrue();
        }
    }

    @Test
    void generateWhenRandomIsNullThenThrows() {
        assertThatNullPointerException().isThrownBy(() -> ApiKeyFormat.generate(null));
    }

    @Test
    void isWellFormedWhenKnownValidKeyThenTrue() {
        assertThat(ApiKeyFormat.isWellFormed(KEY)).isTrue();
    }

    @Test
    void isWellFormedWhenAnySingleCharacterChangedThenFalse() {
        for (int position = ApiKeyFormat.PREFIX.length(); position < ApiKeyFormat.LENGTH; position++) {
            for (char replacement : ALPHABET.toCharArray()) {
                if (KEY.charAt(position) == replacement) {
                    continue;
                }
                String tampered = KEY.substring(0, position) + replacement + KEY.substring(position + 1);

                assertThat(ApiKeyFormat.isWellFormed(tampered)).as(tampered).isFalse();
            }
        }
    }

    @Test
    void isWellFormedWhenGeneratedKeyHasOneRandomCharacterChangedThenFalse() {
        for (int i = 0; i < 2_000; i++) {
            String key = ApiKeyFormat.generate(random);
            int position = ApiKeyFormat.PREFIX.length() + random.nextInt(ApiKeyFormat.RANDOM_LENGTH);
            char original = key.charAt(position);
            char replacement = ALPHABET.charAt((ALPHABET.indexOf(original) + 1 + random.nextInt(61)) % 62);
            String tampered = key.substring(0, position) + replacement + key.substring(position + 1);

            assertThat(ApiKeyFormat.isWellFormed(tampered)).as(tampered).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "s4e_test_", "S4E_LIVE_", "s4e-live_", "s4f_live_", "s4e_livex" })
    void isWellFormedWhenPrefixIsWrongThenFalse(String prefix) {
        String body = prefix + BODY.substring(ApiKeyFormat.PREFIX.length());
        String key = body + ApiKeyFormat.checksum(body);

        assertThat(key).hasSize(ApiKeyFormat.LENGTH);
        assertThat(ApiKeyFormat.isWellFormed(key)).isFalse();
    }

    @Test
    void isWellFormedWhenLengthIsWrongThenFalse() {
        String longerBody = BODY + "A";
        String shorterBody = BODY.substring(0, BODY.length() - 1);

        assertThat(ApiKeyFormat.isWellFormed(KEY + "A")).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(KEY.substring(0, KEY.length() - 1))).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(longerBody + ApiKeyFormat.checksum(longerBody))).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(shorterBody + ApiKeyFormat.checksum(shorterBody))).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(ApiKeyFormat.PREFIX)).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(" " + KEY)).isFalse();
        assertThat(ApiKeyFormat.isWellFormed(KEY + "\n")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(chars = { '\u0663', '\uFF21', '\uFF11', '\u00E9', '\u0130', '\u212A', '_', '-', ' ', '+', '/', '=' })
    void isWellFormedWhenRandomPartContainsNonAlphanumericAsciiThenFalse(char c) {
        String tampered = KEY.substring(0, 20) + c + KEY.substring(21);

        assertThat(ApiKeyFormat.isWellFormed(tampered)).isFalse();
    }

    @Test
    void isWellFormedWhenAsciiSymbolCarriesMatchingChecksumThenFalse() {
        String body = BODY.substring(0, 20) + '_' + BODY.substring(21);

        assertThat(ApiKeyFormat.isWellFormed(body + ApiKeyFormat.checksum(body))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(chars = { '\u0663', '\uFF21', '\u00E9' })
    void isWellFormedWhenChecksumContainsNonAsciiThenFalse(char c) {
        String tampered = KEY.substring(0, ApiKeyFormat.LENGTH - 1) + c;

        assertThat(ApiKeyFormat.isWellFormed(tampered)).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    void isWellFormedWhenNullOrEmptyThenFalse(String candidate) {
        assertThat(ApiKeyFormat.isWellFormed(candidate)).isFalse();
    }

    @Test
    void isWellFormedWhenChecksumLetterCaseSwappedThenFalse() {
        int swapped = 0;
        for (int i = 0; i < 200; i++) {
            String key = ApiKeyFormat.generate(random);
            for (int position = ApiKeyFormat.BODY_LENGTH; position < ApiKeyFormat.LENGTH; position++) {
                char c = key.charAt(position);
                if (!Character.isLetter(c)) {
                    continue;
                }
                char other = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
                String tampered = key.substring(0, position) + other + key.substring(position + 1);

                assertThat(ApiKeyFormat.isWellFormed(tampered)).as(tampered).isFalse();
                swapped++;
            }
        }
        assertThat(swapped).isPositive();
    }

    @Test
    void isWellFormedWhenWholeKeyCaseChangedThenFalse() {
        assertThat(ApiKeyFormat.isWellFormed(KEY.toUpperCase())).isFalse();
        String lowerChecksum = BODY + "42fmf1";

        assertThat(ApiKeyFormat.isWellFormed(lowerChecksum)).isFalse();
    }

    @Test
    void hasPrefixWhenValueStartsWithPrefixThenTrue() {
        assertThat(ApiKeyFormat.hasPrefix(KEY)).isTrue();
        assertThat(ApiKeyFormat.hasPrefix("s4e_live_")).isTrue();
        assertThat(ApiKeyFormat.hasPrefix("s4e_live_garbage")).isTrue();
    }

    @Test
    void hasPrefixWhenValueDoesNotStartWithPrefixThenFalse() {
        assertThat(ApiKeyFormat.hasPrefix(null)).isFalse();
        assertThat(ApiKeyFormat.hasPrefix("")).isFalse();
        assertThat(ApiKeyFormat.hasPrefix("s4e_live")).isFalse();
        assertThat(ApiKeyFormat.hasPrefix("S4E_LIVE_abc")).isFalse();
        assertThat(ApiKeyFormat.hasPrefix("Bearer s4e_live_abc")).isFalse();
    }

    @Test
    void displayPrefixWhenKeyThenReturnsPrefixAndFourCharacters() {
        assertThat(ApiKeyFormat.displayPrefix(KEY)).isEqualTo("s4e_live_7Qm2");
    }

    @Test
    void displayPrefixWhenKeyTooShortThenThrows() {
        assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyFormat.displayPrefix("s4e_live_7Q"));
        assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyFormat.displayPrefix(null));
    }

    @Test
    void last4WhenKeyThenReturnsLastFourCharacters() {
        assertThat(ApiKeyFormat.last4(KEY)).isEqualTo("FMf1");
    }

    @Test
    void last4WhenKeyTooShortThenThrows() {
        assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyFormat.last4("abc"));
        assertThatIllegalArgumentException().isThrownBy(() -> ApiKeyFormat.last4(null));
    }

    private static long referenceCrc32(byte[] data) {
        long crc = 0xFFFFFFFFL;
        for (byte b : data) {
            crc ^= (b & 0xFF);
            for (int bit = 0; bit < 8; bit++) {
                crc = ((crc & 1) != 0) ? (crc >>> 1) ^ 0xEDB88320L : crc >>> 1;
            }
        }
        return crc ^ 0xFFFFFFFFL;
    }

    private static String referenceBase62(long value) {
        char[] digits = new char[6];
        long remaining = value;
        for (int i = 5; i >= 0; i--) {
            long digit = remaining % 62;
            remaining = remaining / 62;
            if (digit < 10) {
                digits[i] = (char) ('0' + digit);
            }
            else if (digit < 36) {
                digits[i] = (char) ('A' + (digit - 10));
            }
            else {
                digits[i] = (char) ('a' + (digit - 36));
            }
        }
        assertThat(remaining).isZero();
        return new String(digits);
    }
}
