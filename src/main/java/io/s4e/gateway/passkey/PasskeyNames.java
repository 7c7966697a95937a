package io.s4e.gateway.passkey;

import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.TextRules;

/** The names owners give passkeys: 1 to 64 visible characters, single spaces only as U+0020. */
final class PasskeyNames {

    static final int MAX = 64;
    static final String DEFAULT = "Passkey";

    private PasskeyNames() {
    }

    /**
     * {@code name} stripped, or {@link #DEFAULT} when absent and {@code optional}.
     *
     * @throws io.s4e.gateway.web.GatewayException 400 when it is too long, blank where required, or holds control,
     *                                             invisible or direction-changing characters
     */
    static String valid(String name, boolean optional) {
        if (name == null || name.isBlank()) {
            if (optional) {
                return DEFAULT;
            }
            throw Errors.invalidRequest("Field 'name' is required.");
        }
        String trimmed = name.strip();
        if (trimmed.codePointCount(0, trimmed.length()) > MAX) {
            throw Errors.invalidRequest("Field 'name' must be at most " + MAX + " characters.");
        }
        TextRules.requireVisibleName("name", trimmed);
        return trimmed;
    }
}
