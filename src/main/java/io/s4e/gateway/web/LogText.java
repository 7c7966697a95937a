package io.s4e.gateway.web;

/**
 * Text from a request made safe for one log line (SECURITY-CHECKLIST §6): control characters (C0, DEL, C1) and the
 * Unicode line and paragraph separators are written as escapes ({@code \r}, {@code \n}, {@code \t},
 * {@code \x1B}, {@code \u2028}), so a client cannot start a forged line, recolour a terminal or hide text.
 */
public final class LogText {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LogText() {
    }

    /** {@code text} with its control characters escaped; the same instance when it has none (null stays null). */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int length = text.length();
        int first = 0;
        while (first < length && !needsEscape(text.charAt(first))) {
            first++;
        }
        if (first == length) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(length + 16).append(text, 0, first);
        for (int i = first; i < length; i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                escaped.append(c);
                continue;
            }
            switch (c) {
                case '\r' -> escaped.append("\\r");
                case '\n' -> escaped.append("\\n");
                case '\t' -> escaped.append("\\t");
                default -> {
                    if (c <= 0xFF) {
                        escaped.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    }
                    else {
                        escaped.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    }
                }
            }
        }
        return escaped.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
    }
}
