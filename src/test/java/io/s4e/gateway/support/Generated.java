package io.s4e.gateway.support;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Generated cases for the property tests ({@code *PropertyTests}), on plain JUnit Jupiter: a property is a
 * {@code @ParameterizedTest(name = "{0}")} over a {@code @MethodSource} that returns {@link #cases}, i.e. fixed edge
 * cases (empty, longest, control characters, lone surrogates, boundary numbers) followed by a fixed number of cases
 * drawn from a {@link SplittableRandom}.
 *
 * <p>Each property draws its own seed at every run, so runs explore different cases; the seed is in every case's
 * display name and, through {@link ReportSeed}, in the message of every failure. {@code -Ds4e.test.seed=<seed>}
 * makes every property generate the cases of that seed again.
 */
public final class Generated {

    /** The system property that fixes the seed of every property. */
    public static final String SEED_PROPERTY = "s4e.test.seed";

    /** Display name of a generated invocation: the case itself ({@link Case#toString()}). */
    public static final String NAME = "{0}";

    /** Characters worth meeting in any text: controls, separators, invisible ones, lone surrogates, non-characters. */
    private static final String ODD_CHARS = "\u0000\u0001\t\n\u000b\f\r\u001b\u001f\u007f\u0080\u0085\u009f\u00a0"
            + "\u00ad\u00e9\u00ff\u0100\u02ff\u0300\u061c\u180e\u2000\u200b\u200d\u200e\u2028\u2029\u202e\u2060"
            + "\u3000\ud800\udbff\udc00\udfff\ue000\ufeff\ufffd\ufffe\uffff";

    private static final String ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Generated() {
    }

    /**
     * The cases of one property: {@code fixed} first, then {@code tries} values of {@code generator}, each from its
     * own random split off the property's seed (so the same seed gives the same cases in the same order).
     */
    public static <T> Stream<Case<T>> cases(int tries, List<? extends T> fixed,
                                            Function<SplittableRandom, ? extends T> generator) {
        long seed = seed();
        SplittableRandom random = new SplittableRandom(seed);
        List<Case<T>> cases = new ArrayList<>(fixed.size() + tries);
        for (T value : fixed) {
            cases.add(new Case<>(seed, cases.size() + 1, true, value));
        }
        for (int i = 0; i < tries; i++) {
            cases.add(new Case<>(seed, cases.size() + 1, false, generator.apply(random.split())));
        }
        return cases.stream();
    }

    /** The seed of {@value #SEED_PROPERTY} when set, otherwise a new one. */
    static long seed() {
        String fixed = System.getProperty(SEED_PROPERTY);
        if (fixed != null && !fixed.isBlank()) {
            return Long.parseLong(fixed.trim());
        }
        return new SecureRandom().nextLong();
    }

    /**
     * One case of a property.
     *
     * @param seed   the seed of the run that made it
     * @param number its place among the property's cases, from 1
     * @param edge   whether it is one of the fixed edge cases
     * @param value  the generated value
     */
    public record Case<T>(long seed, int number, boolean edge, T value) {

        @Override
        public String toString() {
            return "#" + number + (edge ? " (edge)" : "") + " of -D" + SEED_PROPERTY + "=" + seed + ": "
                    + printable(value, 160);
        }
    }

    /**
     * Puts the failing case (with its seed) and the way to generate it again in front of the failure. For
     * property test classes: {@code @ExtendWith(Generated.ReportSeed.class)}.
     */
    public static final class ReportSeed implements TestExecutionExceptionHandler {

        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable thrown) {
            throw new AssertionError("Failed for case " + context.getDisplayName() + " (the -D option generates "
                    + "the same cases again): " + thrown, thrown);
        }
    }

    /** {@code value} as printable ASCII: other characters as {@code \\uXXXX}, cut after {@code max} characters. */
    public static String printable(Object value, int max) {
        String text = String.valueOf(value);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            }
            else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (out.length() >= max && text.length() > max) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }

    /** An int in {@code [min, max]}: one in eight times {@code min}, one in eight {@code max}, else uniform. */
    public static int between(SplittableRandom random, int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            default -> (int) random.nextLong(min, (long) max + 1);
        };
    }

    /** Any int: the boundaries and small values often, else uniform over all ints. */
    public static int anyInt(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            case 1 -> random.nextInt(-2, 3);
            case 2 -> random.nextInt(-1000, 1001);
            default -> random.nextInt();
        };
    }

    /** A length in {@code [min, max]}, short ones more often than long ones. */
    public static int length(SplittableRandom random, int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            case 2, 3, 4 -> random.nextInt(min, Math.min(max, min + 8) + 1);
            default -> random.nextInt(min, max + 1);
        };
    }

    /** One of {@code values}, uniformly. */
    @SafeVarargs
    public static <T> T oneOf(SplittableRandom random, T... values) {
        return values[random.nextInt(values.length)];
    }

    /** One of {@code values}, uniformly. */
    public static <T> T oneOf(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /**
     * Any char: printable ASCII, ASCII and C1 controls, Latin-1, the odd characters (separators, invisible ones,
     * lone surrogates, non-characters) and anything in the Basic Multilingual Plane.
     */
    public static char anyChar(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0, 1 -> (char) random.nextInt(0x20, 0x7f);
            case 2 -> (char) (random.nextBoolean() ? random.nextInt(0, 0x20) : random.nextInt(0x7f, 0xa0));
            case 3 -> (char) random.nextInt(0xa0, 0x100);
            case 4 -> ODD_CHARS.charAt(random.nextInt(ODD_CHARS.length()));
            case 5 -> (char) random.nextInt(0xd800, 0xe000);
            default -> (char) random.nextInt(0, 0x10000);
        };
    }

    /** Any text of {@code min} to {@code max} chars (see {@link #anyChar}), sometimes with valid surrogate pairs. */
    public static String anyString(SplittableRandom random, int min, int max) {
        int length = length(random, min, max);
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            if (length - text.length() >= 2 && random.nextInt(16) == 0) {
                text.appendCodePoint(random.nextInt(0x10000, 0x110000));
            }
            else {
                text.append(anyChar(random));
            }
        }
        return text.toString();
    }

    /** Text of {@code min} to {@code max} chars, each one of {@code chars}. */
    public static String string(SplittableRandom random, String chars, int min, int max) {
        int length = length(random, min, max);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(chars.charAt(random.nextInt(chars.length())));
        }
        return text.toString();
    }

    /** ASCII letters, at most {@code max} of them. */
    public static String alpha(SplittableRandom random, int max) {
        return string(random, ALPHA, 0, max);
    }

    /** A list of {@code min} to {@code max} values of {@code element}, short ones more often. */
    public static <T> List<T> list(SplittableRandom random, int min, int max, Function<SplittableRandom, T> element) {
        int size = length(random, min, max);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.apply(random));
        }
        return list;
    }

    /**
     * The edge cases of {@link #anyString} up to {@code max} chars: empty, blank, each odd character alone, a
     * supplementary character, quoting and escaping characters, and texts of exactly {@code max} chars (ASCII,
     * controls, lone surrogates, mixed).
     */
    public static List<String> edgeStrings(int max) {
        List<String> edges = new ArrayList<>();
        edges.add("");
        edges.add(" ");
        for (char c : ODD_CHARS.toCharArray()) {
            edges.add(String.valueOf(c));
        }
        edges.addAll(List.of("\ud83d\ude00", "\"", "'", "\\", "%", "%00", "\r\n", " \t ", "null", "0"));
        edges.add("a".repeat(max));
        edges.add("\u0000".repeat(max));
        edges.add("\ud800".repeat(max));
        edges.add(cycle(ODD_CHARS + "a~ ", max));
        return edges.stream().filter(s -> s.length() <= max).distinct().toList();
    }

    /**
     * The edge cases of {@link #string} over {@code chars}: the first and the last character at the shortest and
     * the longest length, and all of {@code chars} over the longest length.
     */
    public static List<String> edgeStrings(String chars, int min, int max) {
        char first = chars.charAt(0);
        char last = chars.charAt(chars.length() - 1);
        List<String> edges = new ArrayList<>();
        edges.add(String.valueOf(first).repeat(min));
        edges.add(String.valueOf(last).repeat(min));
        edges.add(String.valueOf(first).repeat(Math.max(min, 1)));
        edges.add(String.valueOf(last).repeat(Math.max(min, 1)));
        edges.add(String.valueOf(first).repeat(max));
        edges.add(String.valueOf(last).repeat(max));
        edges.add(cycle(chars, max));
        return edges.stream().distinct().toList();
    }

    /** {@code chars} repeated and cut to {@code length}. */
    public static String cycle(String chars, int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            text.append(chars, 0, Math.min(chars.length(), length - text.length()));
        }
        return text.toString();
    }

    /**
     * A {@link SecureRandom} whose output follows from {@code random} (SHA1PRNG seeded before its first use), for
     * code that takes only a SecureRandom, such as the key generator, while keeping the case reproducible.
     */
    public static SecureRandom secureRandom(SplittableRandom random) {
        try {
            SecureRandom secure = SecureRandom.getInstance("SHA1PRNG");
            secure.setSeed(Long.toString(random.nextLong()).getBytes(StandardCharsets.US_ASCII));
            return secure;
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
