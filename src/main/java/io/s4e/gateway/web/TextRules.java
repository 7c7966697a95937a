package io.s4e.gateway.web;

/**
 * Which characters the gateway stores in names and addresses it is given (docs/input-rules.md). Invisible characters
 * let two different values look the same in a list, an audit record or a log, and direction-changing ones let a
 * value look like another; neither has a use in an e-mail address or a key name.
 */
public final class TextRules {

    private TextRules() {
    }

    /**
     * True unless {@code codePoint} is a control (C0, C1, DEL), a format character (zero-width space and joiners,
     * U+FEFF, soft hyphen, the bidi marks U+200E/U+200F/U+061C, embeddings and overrides U+202A–U+202E, isolates
     * U+2066–U+2069), a line or paragraph separator (U+2028, U+2029), a lone surrogate, private use, unassigned, or a
     * noncharacter.
     */
    public static boolean isVisible(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> {
                return false;
            }
            default -> {
                return !isNoncharacter(codePoint);
            }
        }
    }

    /** True when {@code text} holds a UTF-16 surrogate that is not half of a pair. */
    public static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return true;
            }
            if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNoncharacter(int codePoint) {
        return (codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE;
    }

    /**
     * Checks a display name already stripped: only visible characters and plain spaces (U+0020).
     *
     * @throws GatewayException 400 {@code invalid_request} naming {@code field} otherwise
     */
    public static void requireVisibleName(String field, String stripped) {
        for (int i = 0; i < stripped.length(); ) {
            int cp = stripped.codePointAt(i);
            if (!isVisible(cp) || (Character.isSpaceChar(cp) && cp != ' ')) {
                throw Errors.invalidRequest("Field '" + field + "' must not contain control, invisible or "
                        + "direction-changing characters, or spaces other than U+0020.");
            }
            i += Character.charCount(cp);
        }
    }
}
