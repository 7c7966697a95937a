package io.s4e.gateway.web;

/**
 * Numeric ids as the gateway writes them: ASCII decimal digits, no sign, no leading zero, within a {@code long}.
 * {@link Long#parseLong} also takes {@code +1}, {@code 01} and full-width or Arabic-Indic digits, which would make
 * several spellings of one id; only the one the gateway writes is accepted.
 */
public final class DecimalIds {

    private static final int MAX_DIGITS = 19;

    private DecimalIds() {
    }

    /** The id {@code text} spells canonically, or null when it is not that spelling of a non-negative long. */
    public static Long parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_DIGITS
                || (text.length() > 1 && text.charAt(0) == '0')) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            return Long.parseLong(text);
        }
        catch (NumberFormatException tooLarge) {
            return null;
        }
    }
}
