package io.s4e.gateway.web;

/**
 * The value of one ASCII hexadecimal digit, as both an IPv6 address group and a percent-encoded path byte are read.
 * Only {@code 0-9}, {@code a-f} and {@code A-F} count: unlike {@link Character#digit(char, int)}, fullwidth and other
 * non-ASCII digits are not digits here.
 */
final class HexDigits {

    private HexDigits() {
    }

    /** The value 0–15 of {@code c}, or -1 when it is not an ASCII hexadecimal digit. */
    static int value(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
