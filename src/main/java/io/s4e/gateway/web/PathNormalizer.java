package io.s4e.gateway.web;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises raw (still percent-encoded) request paths so that route matching, security policy
 * and the upstream all see the same path.
 *
 * <p>Empty and {@code .} segments are removed, {@code ..} segments are resolved and
 * {@code %2E} is decoded to {@code .}; every other percent-escape is kept exactly as received.
 * Paths whose meaning could differ between components (encoded slashes or backslashes, matrix
 * parameters, double encoding, control characters, malformed escapes, escaping the root) are
 * refused.
 */
public final class PathNormalizer {

    private static final String NOT_ALLOWED = "Path is not allowed: ";

    private PathNormalizer() {
    }

    /** Returns the normalised path (the same instance if unchanged, "/" for null or empty); throws IllegalArgumentException with a client-safe message if the path is ambiguous. */
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
        if (!needsWork) {
            return rawPath;
        }
        String normalized = resolveSegments(decodeDots(rawPath));
        return normalized.equals(rawPath) ? rawPath : normalized;
    }

    private static void checkEscape(String path, int index) {
        if (index + 2 >= path.length()) {
            throw refused("malformed percent-encoding");
        }
        int high = hexValue(path.charAt(index + 1));
        int low = hexValue(path.charAt(index + 2));
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

    private static String decodeDots(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder decoded = new StringBuilder(path.length());
        int length = path.length();
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c == '%' && path.charAt(i + 1) == '2' && (path.charAt(i + 2) == 'e' || path.charAt(i + 2) == 'E')) {
                decoded.append('.');
                i += 2;
            }
            else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }

    private static String resolveSegments(String path) {
        List<String> segments = new ArrayList<>();
        boolean trailingSlash = false;
        int length = path.length();
        int start = 1;
        while (start <= length) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = length;
            }
            String segment = path.substring(start, end);
            boolean last = end == length;
            if (segment.isEmpty()) {
                trailingSlash = last || trailingSlash;
            }
            else if (segment.equals(".")) {
                trailingSlash = true;
            }
            else if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    throw refused("escapes the root");
                }
                segments.remove(segments.size() - 1);
                trailingSlash = true;
            }
            else {
                segments.add(segment);
                trailingSlash = false;
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
        if (trailingSlash) {
            result.append('/');
        }
        return result.toString();
    }

    private static int hexValue(char c) {
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

    private static IllegalArgumentException refused(String reason) {
        return new IllegalArgumentException(NOT_ALLOWED + reason);
    }
}
