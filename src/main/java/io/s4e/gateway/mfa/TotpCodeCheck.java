package io.s4e.gateway.mfa;

import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** Accepts a user's TOTP code at most once: the matched step must be newer than the last accepted one. */
@Component
public class TotpCodeCheck {

    private final TotpVerifier verifier;
    private final MfaRepository repository;

    public TotpCodeCheck(TotpVerifier verifier, MfaRepository repository) {
        this.verifier = verifier;
        this.repository = repository;
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
     *         secret; an error only when PostgreSQL fails
     */
    public Mono<Boolean> accepts(MfaSettings settings, String code) {
        return Mono.justOrEmpty(verifier.matchingStep(settings.totpSecret(), code).stream().boxed().findFirst())
                .flatMap(step -> repository.acceptTotpStep(settings.userId(), step))
                .defaultIfEmpty(false);
    }
}
