package io.s4e.gateway.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PathNormalizerTests {

    @ParameterizedTest
    @NullAndEmptySource
    void normalizeWhenNullOrEmptyThenRoot(String rawPath) {
        assertThat(PathNormalizer.normalize(rawPath)).isEqualTo("/");
    }

    @ParameterizedTest
    @CsvSource({
            "/, /",
            "/a, /a",
            "/a/b/, /a/b",
            "/public/../private, /private",
            "/public/%2e%2e/private, /private",
            "/public/%2E%2E/private, /private",
            "/public/.%2e/private, /private",
            "/public/%2e./private, /private",
            "//private, /private",
            "///private//x, /private/x",
            "/a/./b, /a/b",
            "/a/%2e/b, /a/b",
            "/a//b/, /a/b",
            "/a/b/.., /a",
            "/a/b/../, /a",
            "/a/b/., /a/b",
            "/a/b/%2e, /a/b",
            "/a/b/../.., /",
            "/a/.., /",
            "/., /",
            "//, /",
            "/./, /",
            "/a/../b/./c/, /b/c",
            "/a/..., /a/...",
            "/a/.hidden, /a/.hidden",
            "/.well-known/jwks.json, /.well-known/jwks.json",
            "/a/%2e%2e%2e, /a/...",
            "/a/..b, /a/..b",
            "/a%20b, /a%20b",
            "/a%2Bb/%7e, /a%2Bb/~",
            "/a%2bb, /a%2Bb",
            "/api/scan/cre%61te, /api/scan/create",
            "/api/scan/create/, /api/scan/create",
            "/api/scan/create/., /api/scan/create",
            "/api/scan/create//, /api/scan/create",
            "/%41%5a%30%39%2D%5F%7E%2e, /AZ09-_~.",
            "/api/Scan/Create, /api/Scan/Create",
            "/a%c3%a9, /a%C3%A9",
            "/a%3F%23%40%21%24%26%27%28%29%2A%2C%3D%3A, /a%3F%23%40%21%24%26%27%28%29%2A%2C%3D%3A",
            "/a%c3%a9/%2e%2e/b, /b",
            "/%C3%A9/x, /%C3%A9/x",
            "/a/b?, /a/b?"
    })
    void normalizeWhenPathThenNormalized(String rawPath, String expected) {
        assertThat(PathNormalizer.normalize(rawPath)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a/b | must start with '/'",
            "%2Fa | must start with '/'",
            "* | must start with '/'",
            "/public/..%2Fprivate | encoded slash",
            "/public/..%2fprivate | encoded slash",
            "/a%2fb | encoded slash",
            "/a%5cb | encoded backslash",
            "/a%5Cb | encoded backslash",
            "/a\\b | backslash",
            "/public\\..\\private | backslash",
            "/a%00b | encoded control character",
            "/a%0d%0aSet-Cookie | encoded control character",
            "/a%7F | encoded control character",
            "/a;jsessionid=1 | matrix parameters",
            "/public/..;/private | matrix parameters",
            "/a%3bb | matrix parameters",
            "/a%3Bb | matrix parameters",
            "/a%252e%252e/b | double encoding",
            "/a%25 | double encoding",
            "/a%2 | malformed percent-encoding",
            "/a% | malformed percent-encoding",
            "/a%zz | malformed percent-encoding",
            "/a%g0/b | malformed percent-encoding",
            "/a%u002e | malformed percent-encoding",
            "/.. | escapes the root",
            "/../a | escapes the root",
            "/a/../.. | escapes the root",
            "/%2E%2e/x | escapes the root",
            "/a/%2e%2e/%2e%2e/x | escapes the root",
            "//../x | escapes the root"
    })
    void normalizeWhenAmbiguousThenRefused(String rawPath, String reason) {
        assertThatIllegalArgumentException().isThrownBy(() -> PathNormalizer.normalize(rawPath))
                .withMessage("Path is not allowed: " + reason);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/a\u0000b", "/a\nb", "/a\rb", "/a\tb", "/a\u007fb", "/a\u0085b" })
    void normalizeWhenControlCharacterThenRefused(String rawPath) {
        assertThatIllegalArgumentException().isThrownBy(() -> PathNormalizer.normalize(rawPath))
                .withMessage("Path is not allowed: control character");
    }

    @ParameterizedTest
    @ValueSource(strings = { "/", "/a", "/a/b", "/api/v1/items", "/a%20b", "/.well-known/x", "/a.b/c.d", "/a-b_c~d" })
    void normalizeWhenAlreadyNormalThenSameInstance(String rawPath) {
        String path = new String(rawPath);

        assertThat(PathNormalizer.normalize(path)).isSameAs(path);
    }

    @Test
    void normalizeWhenResultIsNormalThenIdempotent() {
        String once = PathNormalizer.normalize("/a/./b//c/../d/%7e%c3%a9/");

        assertThat(once).isEqualTo("/a/b/d/~%C3%A9");
        assertThat(PathNormalizer.normalize(once)).isSameAs(once);
    }
}
