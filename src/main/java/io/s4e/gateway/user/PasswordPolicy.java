package io.s4e.gateway.user;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;

import org.springframework.stereotype.Component;

/**
 * The policy of every new password (CONTRACT §10): at least {@value #MIN_LENGTH} characters (Unicode code points),
 * not the account's e-mail address nor its local part (ignoring case), and not one of the common passwords shipped
 * in the jar ({@value #LIST}: the 30,000 most common passwords of zxcvbn 4.4.2, MIT licence, licence text beside
 * it). A refusal is 400 {@code weak_password} whose message gives the reason, never the password. The list is read
 * once at start-up into one sorted array searched by bisection (about 30,000 short strings, no hash table).
 */
@Component
public class PasswordPolicy {

    /** The shortest allowed password, in code points. */
    public static final int MIN_LENGTH = 12;
    /** The longest accepted password, in UTF-16 units (a longer one is 400 {@code invalid_request}). */
    public static final int MAX_LENGTH = 1024;
    /** The class-path resource of the common passwords, one a line. */
    static final String LIST = "user/common-passwords.txt";

    private final String[] common;

    public PasswordPolicy() {
        this.common = load();
    }

    /** How many common passwords are known. */
    public int commonPasswords() {
        return common.length;
    }

    /**
     * Refuses {@code password} as the new password of the account with e-mail {@code email}.
     *
     * @param field the request field that holds it, named in the messages
     * @throws GatewayException 400 {@code weak_password} with the reason; 400 {@code invalid_request} when missing or
     *                          longer than {@value #MAX_LENGTH}
     */
    public void check(String password, String email, String field) {
        if (password == null || password.isEmpty()) {
            throw Errors.invalidRequest("Field '" + field + "' is required.");
        }
        if (password.length() > MAX_LENGTH) {
            throw Errors.invalidRequest("Field '" + field + "' must be at most " + MAX_LENGTH + " characters.");
        }
        if (password.codePointCount(0, password.length()) < MIN_LENGTH) {
            throw weak("The new password is too short: use at least " + MIN_LENGTH + " characters.");
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (email != null && !email.isEmpty()) {
            String address = email.strip().toLowerCase(Locale.ROOT);
            int at = address.lastIndexOf('@');
            String local = at > 0 ? address.substring(0, at) : address;
            if (lower.equals(address) || lower.equals(local)) {
                throw weak("The new password must not be the account's e-mail address.");
            }
        }
        if (isCommon(lower)) {
            throw weak("The new password is one of the most common passwords: choose another one.");
        }
    }

    /** Whether {@code password} (any case) is on the list of common passwords. */
    public boolean isCommon(String password) {
        return Arrays.binarySearch(common, password.toLowerCase(Locale.ROOT)) >= 0;
    }

    private static GatewayException weak(String reason) {
        return Errors.of(ErrorCode.WEAK_PASSWORD, reason);
    }

    private static String[] load() {
        List<String> entries = new ArrayList<>(30_000);
        try (InputStream in = PasswordPolicy.class.getClassLoader().getResourceAsStream(LIST)) {
            if (in == null) {
                throw new IllegalStateException("The list of common passwords (" + LIST + ") is missing from the jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String entry = line.strip().toLowerCase(Locale.ROOT);
                if (!entry.isEmpty()) {
                    entries.add(entry);
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] sorted = entries.stream().distinct().sorted().toArray(String[]::new);
        if (sorted.length < 10_000) {
            throw new IllegalStateException("The list of common passwords (" + LIST + ") holds only " + sorted.length
                    + " entries");
        }
        return sorted;
    }
}
