package io.s4e.gateway.web;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns raw (still percent-encoded) request paths into their canonical form, the one path on which routes, route
 * policy and endpoint limits are decided and which the upstream receives (docs/request-paths.md):
 * <ul>
 * <li>percent-escapes of unreserved characters (RFC 3986 §2.3: letters, digits, {@code - . _ ~}) are decoded, so
 * {@code /api/scan/cre%61te} is {@code /api/scan/create}; every other escape is kept, its hex digits in upper
 * case ({@code %c3%a9} is {@code %C3%A9});</li>
 * <li>empty and {@code .} segments are removed and {@code ..} segments resolved;</li>
 * <li>a trailing slash is removed ({@code /api/scan/create/} and {@code /api/scan/create/.} are
 * {@code /api/scan/create}); only the root keeps its slash;</li>
 * <li>letter case is kept: the upstream's identifiers may depend on it. Case variants of a route are answered
 * 404 by {@link io.s4e.gateway.route.RouteClaims}, and endpoint limits compare paths ignoring case.</li>
 * </ul>
 * Paths whose meaning could differ between components (encoded slashes or backslashes, matrix parameters, double
 * encoding, control characters, malformed escapes, escaping the root) are refused.
 */
public final class PathNormalizer {

    private static final String NOT_ALLOWED = "Path is not allowed: ";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathNormalizer() {
    }

    /** Returns the canonical path (the same instance if unchanged, "/" for null or empty); throws IllegalArgumentException with a client-safe message if the path is ambiguous. */
    public static String normalize(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        if (rawPath.charAt(0) != '/') {
            throw refused("must start with '/'");
        }
        boolean needsWork = false;
        int length = rawPath.length();
        for (int i = 0; i < length; i++) {
            char c = rawPath.charAt(i);
            if (Character.isISOControl(c)) {
                throw refused("control character");
            }
            if (c == '\\') {
                throw refused("backslash");
            }
            if (c == ';') {
                throw refused("matrix parameters");
            }
            if (c == '%') {
                checkEscape(rawPath, i);
                needsWork = true;
                i += 2;
            }
            else if (c == '/' && i + 1 < length) {
                char next = rawPath.charAt(i + 1);
                if (next == '/' || next == '.') {
                    needsWork = true;
                }
            }
        }
        if (!needsWork && (length == 1 || rawPath.charAt(length - 1) != '/')) {
            return rawPath;
        }
        String normalized = resolveSegments(decodeUnreserved(rawPath));
        return normalized.equals(rawPath) ? rawPath : normalized;
    }

    private static void checkEscape(String path, int index) {
        if (index + 2 >= path.length()) {
            throw refused("malformed percent-encoding");
        }
        int high = HexDigits.value(path.charAt(index + 1));
        int low = HexDigits.value(path.charAt(index + 2));
        if (high < 0 || low < 0) {
            throw refused("malformed percent-encoding");
        }
        int value = (high << 4) | low;
        switch (value) {
            case 0x2F -> throw refused("encoded slash");
            case 0x5C -> throw refused("encoded backslash");
            case 0x3B -> throw refused("matrix parameters");
            case 0x25 -> throw refused("double encoding");
            default -> {
                if (value < 0x20 || value == 0x7F) {
                    throw refused("encoded control character");
                }
            }
        }
    }

    /** Decodes escapes of unreserved characters and writes the hex digits of the others in upper case. */
    private static String decodeUnreserved(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder decoded = new StringBuilder(path.length());
        int length = path.length();
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c != '%') {
                decoded.append(c);
                continue;
            }
            int value = (HexDigits.value(path.charAt(i + 1)) << 4) | HexDigits.value(path.charAt(i + 2));
            if (isUnreserved(value)) {
                decoded.append((char) value);
            }
            else {
                decoded.append('%').append(HEX[value >> 4]).append(HEX[value & 0xF]);
            }
            i += 2;
        }
        return decoded.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static String resolveSegments(String path) {
        List<String> segments = new ArrayList<>();
        int length = path.length();
        int start = 1;
        while (start <= length) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = length;
            }
            String segment = path.substring(start, end);
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    throw refused("escapes the root");
                }
                segments.remove(segments.size() - 1);
            }
            else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
            start = end + 1;
        }
        if (segments.isEmpty()) {
            return "/";
        }
        StringBuilder result = new StringBuilder(path.length());
        for (String segment : segments) {
            result.append('/').append(segment);
        }
        return result.toString();
    }

    private static IllegalArgumentException refused(String reason) {
        return new IllegalArgumentException(NOT_ALLOWED + reason);
    }
}
