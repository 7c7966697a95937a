package io.s4e.gateway.mfa;

import java.util.Optional;

import io.s4e.gateway.web.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Accepts a user's TOTP code at most once: the matched step must be newer than the last accepted one. The secret is
 * decrypted for the check only; a secret under an older key is re-encrypted under the current one once a code of it
 * was accepted (lazy key rotation).
 */
@Component
public class TotpCodeCheck {

    private static final Logger log = LoggerFactory.getLogger(TotpCodeCheck.class);

    private final TotpVerifier verifier;
    private final MfaRepository repository;
    private final TotpSecretCipher cipher;

    public TotpCodeCheck(TotpVerifier verifier, MfaRepository repository, TotpSecretCipher cipher) {
        this.verifier = verifier;
        this.repository = repository;
        this.cipher = cipher;
    }

    /**
     * Checks {@code code} against the user's TOTP secret and uses up its step.
     *
     * @return empty when accepted; 401 {@code unauthorized} for a wrong code, a code of an already used step, or a
     *         user without a secret
     */
    public Mono<Void> check(MfaSettings settings, String code) {
        return accepts(settings, code)
                .filter(Boolean::booleanValue)
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("Invalid or already used code.")))
                .then();
    }

    /**
     * Whether {@code code} is valid for the user's TOTP secret now; when it is, its step is used up.
     *
     * @return true when accepted; false for a wrong code, a code of an already used step, or a user without a
     *         secret (or with one that does not decrypt); an error only when PostgreSQL fails
     */
    public Mono<Boolean> accepts(MfaSettings settings, String code) {
        return Mono.defer(() -> {
            Optional<TotpSecretCipher.Opened> opened = cipher.open(settings.userId(), settings.totpSecret());
            if (opened.isEmpty()) {
                return Mono.just(false);
            }
            return Mono.justOrEmpty(verifier.matchingStep(opened.get().secret(), code).stream().boxed().findFirst())
                    .flatMap(step -> repository.acceptTotpStep(settings.userId(), step))
                    .flatMap(accepted -> accepted && !opened.get().underPrimaryKey()
                            ? reEncrypt(settings, opened.get().secret()).thenReturn(true)
                            : Mono.just(accepted))
                    .defaultIfEmpty(false);
        });
    }

    /** Stores the secret again under the current key; a failure is logged and leaves the old form in place. */
    private Mono<Void> reEncrypt(MfaSettings settings, String secret) {
        return cipher.seal(settings.userId(), secret)
                .flatMap(sealed -> repository.replaceTotpSecret(settings.userId(), settings.totpSecret(), sealed))
                .doOnNext(replaced -> log.info("Re-encrypted the TOTP secret of user {} under the current key",
                        settings.userId()))
                .onErrorResume(RuntimeException.class, failure -> {
                    log.warn("Could not re-encrypt the TOTP secret of user {} under the current key: {}",
                            settings.userId(), failure.getClass().getSimpleName());
                    return Mono.empty();
                })
                .then();
    }
}
