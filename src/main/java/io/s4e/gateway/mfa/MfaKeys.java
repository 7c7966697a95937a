package io.s4e.gateway.mfa;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The keys of {@code s4e.mfa.encryption-keys}, parsed and checked once: each entry is
 * {@code <key id>:<base64 of exactly 32 bytes>}, ids are unique. The first key is the one that encrypts. A malformed
 * entry stops the start with a message that names the entry and its id, never the key.
 */
@Component
public class MfaKeys {

    /** The property that holds the keys. */
    public static final String PROPERTY = "s4e.mfa.encryption-keys";
    /** AES-256. */
    public static final int KEY_BYTES = 32;

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,40}");

    private final Map<String, byte[]> keys;

    @Autowired
    public MfaKeys(MfaProperties properties) {
        this(properties.encryptionKeys());
    }

    MfaKeys(List<String> entries) {
        this.keys = Collections.unmodifiableMap(parse(entries));
    }

    /** Keys from {@code entries} as the property holds them; for tests and the migration. */
    public static MfaKeys of(List<String> entries) {
        return new MfaKeys(entries);
    }

    /** True when at least one key is configured. */
    public boolean configured() {
        return !keys.isEmpty();
    }

    /** The id of the key that encrypts; null when none is configured. */
    public String primaryId() {
        return keys.isEmpty() ? null : keys.keySet().iterator().next();
    }

    /** Every configured key id, the primary first. */
    public Set<String> ids() {
        return keys.keySet();
    }

    /** The AES key of {@code id}; null when not configured. */
    SecretKeySpec aesKey(String id) {
        byte[] key = keys.get(id);
        return key == null ? null : new SecretKeySpec(key, "AES");
    }

    /**
     * A key derived from key {@code id} for the purpose {@code label} (HMAC-SHA256 of the label under the key), so
     * one configured key never serves two algorithms directly.
     *
     * @return the derived key; null when {@code id} is not configured
     */
    byte[] derived(String id, String label) {
        byte[] key = keys.get(id);
        if (key == null) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static Map<String, byte[]> parse(List<String> entries) {
        Map<String, byte[]> parsed = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i) == null ? "" : entries.get(i).trim();
            String where = PROPERTY + "[" + i + "]";
            if (entry.isEmpty() && entries.size() == 1) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(where + " must be <key id>:<base64 of " + KEY_BYTES
                        + " random bytes> (e.g. k1:$(openssl rand -base64 32))");
            }
            String id = entry.substring(0, colon);
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(where + " has an invalid key id: use 1 to 40 of A-Z a-z 0-9 _ . -");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
            }
            catch (IllegalArgumentException notBase64) {
                throw new IllegalArgumentException(where + " (key id '" + id + "') is not base64");
            }
            if (key.length != KEY_BYTES) {
                throw new IllegalArgumentException(where + " (key id '" + id + "') is " + key.length
                        + " bytes: it must be exactly " + KEY_BYTES + " random bytes, base64 (openssl rand -base64 32)");
            }
            if (isConstant(key)) {
                throw new IllegalArgumentException(where + " (key id '" + id + "') is one byte repeated: use "
                        + KEY_BYTES + " random bytes");
            }
            if (parsed.putIfAbsent(id, key) != null) {
                throw new IllegalArgumentException(where + " repeats the key id '" + id + "'");
            }
        }
        return parsed;
    }

    private static boolean isConstant(byte[] key) {
        for (byte b : key) {
            if (b != key[0]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "MfaKeys[ids=" + keys.keySet() + "]";
    }
}
