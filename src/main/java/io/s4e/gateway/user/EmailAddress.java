package io.s4e.gateway.user;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

import io.s4e.gateway.web.TextRules;

/**
 * An e-mail address as the gateway accepts it, and the one canonical form of any spelling of an address.
 * <p>
 * {@link #canonical(String)} is the only function that decides whether two spellings name the same account: it is
 * the unique key in {@code users.email_canonical}, the lookup of a login, and every lock and limit key that is about
 * an e-mail. It is NFKC, then a full case fold, then NFKC again, with the domain as lower-case IDNA A-labels:
 * <ol>
 *   <li>NFKC ({@link Normalizer.Form#NFKC}): compatibility twins such as full-width {@code ｖｉｃｔｉｍ} become
 *       {@code victim}, ligatures are split, composed and decomposed accents become one form.</li>
 *   <li>Case fold: upper case then lower case in {@link Locale#ROOT}, which covers the multi-character folds of full
 *       case folding ({@code ß} → {@code ss}, final sigma → sigma). U+0130 (capital I with dot) folds to {@code i},
 *       as U+0131 (dotless i) already does through upper case, so neither Turkish i is a separate spelling of
 *       {@code i}.</li>
 *   <li>NFKC again, since folding may leave a sequence that is not normalised.</li>
 *   <li>The domain (after the last {@code @}) becomes A-labels with {@link IDN#toASCII(String, int)} (IDNA 2003 with
 *       the STD3 rules) in lower case; a domain IDNA refuses is folded like the local part.</li>
 * </ol>
 * On pure ASCII input this is exactly ASCII lower case, which the database relies on for rows written by hand
 * (see the {@code V5} migration). The function is total: it gives a key for any text, so a login with a malformed
 * address is throttled under the same key as every other spelling that would reach the same account.
 * <p>
 * {@link #parse(String)} is stricter: it accepts one plain address (no display name, no list, no comment, no quoted
 * local part) whose every character is printable, and whose parts follow the rules in {@code docs/input-rules.md}.
 *
 * @param address   the address to deliver to: NFKC of what was given, the domain as lower-case A-labels, the case
 *                  of the local part kept
 * @param canonical {@link #canonical(String)} of the address
 */
public record EmailAddress(String address, String canonical) {

    /** Longest address in octets (RFC 5321 path limit less the angle brackets). */
    public static final int MAX_LENGTH = 254;
    private static final int MAX_LOCAL = 64;
    private static final int MAX_DOMAIN = 253;
    private static final int MAX_LABEL = 63;
    /** ASCII characters a local part may hold besides letters and digits. */
    private static final String LOCAL_PUNCTUATION = "._+-'";

    /**
     * The canonical form of {@code text}, which need not be a valid address.
     *
     * @return NFKC, case fold and NFKC of the local part, {@code @}, the domain as lower-case A-labels
     */
    public static String canonical(String text) {
        String normal = Normalizer.normalize(text, Normalizer.Form.NFKC);
        int at = normal.lastIndexOf('@');
        if (at < 0) {
            return fold(normal);
        }
        String domain = normal.substring(at + 1);
        String ascii = asciiDomain(domain);
        return fold(normal.substring(0, at)) + "@" + (ascii == null ? fold(domain) : ascii);
    }

    /**
     * The address {@code text}, validated.
     *
     * @throws IllegalArgumentException saying what is wrong (never repeating the input) when it is not one plain
     *                                  address
     */
    public static EmailAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("it is required");
        }
        if (text.length() > 4 * MAX_LENGTH) {
            throw new IllegalArgumentException("it is longer than " + MAX_LENGTH + " octets");
        }
        requirePrintable(text);
        String normal = Normalizer.normalize(text, Normalizer.Form.NFKC);
        requirePrintable(normal);
        int at = normal.indexOf('@');
        if (at < 0 || at != normal.lastIndexOf('@')) {
            throw new IllegalArgumentException("it must hold exactly one '@'");
        }
        String local = normal.substring(0, at);
        requireLocalPart(local);
        String domain = asciiDomain(normal.substring(at + 1));
        if (domain == null || !isHostName(domain)) {
            throw new IllegalArgumentException("the part after '@' must be a domain name such as example.com");
        }
        String address = local + "@" + domain;
        if (address.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new IllegalArgumentException("it is longer than " + MAX_LENGTH + " octets");
        }
        return new EmailAddress(address, canonical(address));
    }

    /**
     * Loads the Unicode data of NFKC and IDNA, which the JDK reads from its resources on first use, so that read
     * happens at startup and never on an event loop.
     */
    static void warmUp() {
        canonical("\uff37arm.\u0130@B\u00fccher.example");
    }

    /** Upper case, lower case (ROOT), NFKC; U+0130 first becomes I. */
    private static String fold(String text) {
        String folded = text.replace('\u0130', 'I').toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(folded, Normalizer.Form.NFKC);
    }

    /** The domain as lower-case A-labels, or null when IDNA refuses it. */
    private static String asciiDomain(String domain) {
        if (domain.isEmpty()) {
            return null;
        }
        try {
            return IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        }
        catch (IllegalArgumentException | IndexOutOfBoundsException refused) {
            return null;
        }
    }

    /**
     * Refuses controls (C0, C1, U+0085), format characters (zero-width, BOM, bidi embeddings, overrides, isolates and
     * marks), line and paragraph separators, every space (no-break and ideographic included), lone surrogates,
     * private-use and unassigned code points.
     */
    private static void requirePrintable(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (!TextRules.isVisible(cp) || Character.isSpaceChar(cp)) {
                throw new IllegalArgumentException(
                        "it must not contain spaces, control, invisible or direction-changing characters");
            }
            i += Character.charCount(cp);
        }
    }

    /**
     * A dot-atom of letters and digits (any script), combining marks after them, and {@code . _ + - '}: no empty atom
     * (no leading, trailing or double dot), at most 64 octets.
     */
    private static void requireLocalPart(String local) {
        if (local.isEmpty() || local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL) {
            throw new IllegalArgumentException("the part before '@' must be 1 to " + MAX_LOCAL + " octets");
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new IllegalArgumentException("the part before '@' must not start or end with a dot or hold two "
                    + "dots in a row");
        }
        boolean afterLetter = false;
        for (int i = 0; i < local.length(); ) {
            int cp = local.codePointAt(i);
            int type = Character.getType(cp);
            boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
            boolean allowed = Character.isLetterOrDigit(cp) || (mark && afterLetter)
                    || (cp < 0x80 && LOCAL_PUNCTUATION.indexOf(cp) >= 0);
            if (!allowed) {
                throw new IllegalArgumentException("the part before '@' may hold only letters, digits, combining "
                        + "marks and . _ + - '");
            }
            afterLetter = Character.isLetterOrDigit(cp) || mark;
            i += Character.charCount(cp);
        }
    }

    /** At least two LDH labels of 1 to 63 characters, not starting or ending with '-', a top level not all digits. */
    private static boolean isHostName(String domain) {
        if (domain.length() > MAX_DOMAIN) {
            return false;
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                    return false;
                }
            }
        }
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
