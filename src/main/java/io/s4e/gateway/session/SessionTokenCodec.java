package io.s4e.gateway.session;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.SecretKey;

import com.github.benmanes.caffeine.cache.Cache;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.Keys;
import io.s4e.gateway.reactive.LocalCaches;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;

import org.springframework.stereotype.Component;

/**
 * Signs and verifies session tokens: HS256 JWTs with a {@code kid} header, so the signing key can rotate while tokens
 * of the previous keys are still accepted. jjwt's exceptions never leave this class, and no message names the token.
 */
@Component
public class SessionTokenCodec {

    /** The longest token verified at all; anything longer is refused unread. */
    public static final int MAX_TOKEN_CHARS = 8 * 1024;

    /**
     * How long a verified token's claims are kept (never beyond its {@code exp}, checked on every use): a token is
     * verified once, not on every request, which saved most of the CPU a session request cost beyond an API key's.
     */
    static final Duration VERIFIED_TTL = Duration.ofMinutes(5);

    private static final String ALGORITHM = "HS256";

    private final Clock clock;
    private final String issuer;
    private final String currentKid;
    private final SecretKey currentKey;
    private final Map<String, SecretKey> verificationKeys;
    private final JwtParser parser;
    private final Cache<String, SessionClaims> verified;

    public SessionTokenCodec(SessionProperties properties, Clock clock) {
        this.clock = clock;
        this.issuer = properties.issuer();
        this.currentKid = properties.jwtKid();
        this.currentKey = key(properties.jwtSecret());
        Map<String, SecretKey> keys = new HashMap<>();
        properties.previousKeys().forEach((kid, secret) -> keys.put(kid, key(secret)));
        keys.put(currentKid, currentKey);
        this.verificationKeys = Map.copyOf(keys);
        this.parser = Jwts.parser()
                .keyLocator(new KidLocator())
                .requireIssuer(issuer)
                .clock(() -> Date.from(clock.instant()))
                .build();
        this.verified = LocalCaches.builder()
                .maximumSize(properties.cacheMaxSize())
                .expireAfterWrite(VERIFIED_TTL)
                .build();
    }

    /** A signed token carrying {@code claims}, with the current key. */
    public String encode(SessionClaims claims) {
        return Jwts.builder()
                .header().keyId(currentKid).and()
                .issuer(issuer)
                .subject(Long.toString(claims.userId()))
                .claim("sid", claims.sid())
                .claim("role", claims.role())
                .claim("amr", claims.amr())
                .issuedAt(Date.from(claims.issuedAt()))
                .expiration(Date.from(claims.expires()))
                .signWith(currentKey, Jwts.SIG.HS256)
                .compact();
    }

    /**
     * The claims of {@code token}.
     *
     * @return the verified claims; throws a 401 {@code token_expired} when {@code exp} has passed, and a 401
     *         {@code unauthorized} for anything else that is not a token of this gateway (bad signature, another
     *         algorithm, unknown kid, other issuer, missing claim, too long)
     */
    public SessionClaims decode(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw unusable();
        }
        SessionClaims known = verified.getIfPresent(token);
        if (known != null) {
            if (clock.instant().isAfter(known.expires())) {
                verified.invalidate(token);
                throw expired();
            }
            return known;
        }
        try {
            SessionClaims claims = claims(parser.parseSignedClaims(token).getPayload());
            verified.put(token, claims);
            return claims;
        }
        catch (ExpiredJwtException expired) {
            throw expired();
        }
        catch (JwtException | IllegalArgumentException | ClassCastException invalid) {
            throw unusable();
        }
    }

    private SessionClaims claims(Claims claims) {
        String subject = claims.getSubject();
        String sid = claims.get("sid", String.class);
        String role = claims.get("role", String.class);
        List<?> amr = claims.get("amr", List.class);
        if (subject == null || sid == null || sid.isBlank() || role == null || amr == null
                || claims.getIssuedAt() == null || claims.getExpiration() == null) {
            throw unusable();
        }
        return new SessionClaims(Long.parseLong(subject), sid, role, amr.stream().map(String::valueOf).toList(),
                claims.getIssuedAt().toInstant(), claims.getExpiration().toInstant());
    }

    private static GatewayException expired() {
        return Errors.of(ErrorCode.TOKEN_EXPIRED, "The session token has expired. Log in again.");
    }

    private static GatewayException unusable() {
        return Errors.unauthorized("The session token is invalid.");
    }

    private static SecretKey key(String secret) {
        return Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** Finds the key of a token's {@code kid}, refusing any algorithm but HS256 and any unknown kid. */
    private final class KidLocator extends LocatorAdapter<Key> {

        @Override
        protected Key locate(ProtectedHeader header) {
            if (!ALGORITHM.equals(header.getAlgorithm())) {
                throw new UnsupportedJwtException("Unsupported algorithm");
            }
            SecretKey key = header.getKeyId() == null ? null : verificationKeys.get(header.getKeyId());
            if (key == null) {
                throw new UnsupportedJwtException("Unknown key id");
            }
            return key;
        }
    }
}
