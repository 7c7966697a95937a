package io.s4e.gateway.mfa;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.apache.commons.codec.binary.Base32;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/** New TOTP secrets (20 random bytes, Base32 without padding) and the otpauth URI authenticator apps scan. */
@Component
public class TotpSecrets {

    /** The issuer shown in authenticator apps. */
    public static final String ISSUER = "S4E";

    private static final int SECRET_BYTES = 20;

    private final SecureRandom random = new SecureRandom();

    /** A fresh Base32 secret, drawn off the event loop (the random source may read /dev/urandom). */
    public Mono<String> generate() {
        return Mono.fromCallable(this::draw)
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** The {@code otpauth://totp/} URI of {@code secret} for the account {@code email}. */
    public static String otpauthUri(String email, String secret) {
        return "otpauth://totp/" + ISSUER + ":" + encode(email)
                + "?secret=" + secret
                + "&issuer=" + ISSUER
                + "&algorithm=SHA1&digits=" + TotpAlgorithm.DIGITS
                + "&period=" + TotpAlgorithm.STEP_SECONDS;
    }

    private String draw() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return new Base32().encodeAsString(bytes).replace("=", "");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
    }
}
