package io.s4e.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.s4e.gateway.session.SessionProperties;
import io.s4e.gateway.web.Errors;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Signs and checks the {@code cursor} of {@code GET /api/audit-log}, so the gateway reads only positions it made:
 * {@code <base64url of the position>.<base64url of its HMAC-SHA256>}. The key is derived with HKDF-SHA256 (RFC 5869)
 * from {@code s4e.session.jwt-secret} with its own label, so every replica with the same configuration signs alike
 * and the signing key of sessions is never used as is. A cursor made before the session secret changed is refused
 * (400); the client starts again from the newest page.
 */
@Component
public class AuditCursors {

    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] SALT = "s4e-gateway".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO = "audit-log cursor v1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;

    @Autowired
    public AuditCursors(SessionProperties session) {
        this.key = keyFrom(session.jwtSecret());
    }

    private AuditCursors(SecretKeySpec key) {
        this.key = key;
    }

    /** Cursors signed with a key derived from {@code secret} (as from {@code s4e.session.jwt-secret}). */
    static AuditCursors forSecret(String secret) {
        return new AuditCursors(keyFrom(secret));
    }

    private static SecretKeySpec keyFrom(String secret) {
        return new SecretKeySpec(derive(secret.getBytes(StandardCharsets.UTF_8)), ALGORITHM);
    }

    /** The signed text of {@code cursor}. */
    public String encode(AuditQuery.Cursor cursor) {
        String position = cursor.encode();
        return position + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(position));
    }

    /** The cursor {@code text} holds; 400 {@code invalid_request} unless this gateway signed it. */
    public AuditQuery.Cursor decode(String text) {
        int dot = text.lastIndexOf('.');
        if (dot <= 0 || text.length() > 256) {
            throw refused();
        }
        String position = text.substring(0, dot);
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(text.substring(dot + 1));
        }
        catch (IllegalArgumentException malformed) {
            throw refused();
        }
        if (!MessageDigest.isEqual(mac(position), given)) {
            throw refused();
        }
        return AuditQuery.Cursor.decode(position);
    }

    private byte[] mac(String position) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(position.getBytes(StandardCharsets.US_ASCII));
        }
        catch (GeneralSecurityException impossible) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", impossible);
        }
    }

    /** HKDF-SHA256: extract with {@link #SALT}, expand one block with {@link #INFO}. */
    private static byte[] derive(byte[] secret) {
        try {
            Mac extract = Mac.getInstance(ALGORITHM);
            extract.init(new SecretKeySpec(SALT, ALGORITHM));
            byte[] pseudoRandomKey = extract.doFinal(secret);
            Mac expand = Mac.getInstance(ALGORITHM);
            expand.init(new SecretKeySpec(pseudoRandomKey, ALGORITHM));
            expand.update(INFO);
            expand.update((byte) 1);
            return expand.doFinal();
        }
        catch (GeneralSecurityException impossible) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", impossible);
        }
    }

    private static RuntimeException refused() {
        return Errors.invalidRequest("Parameter 'cursor' is not a cursor of this log.");
    }
}
