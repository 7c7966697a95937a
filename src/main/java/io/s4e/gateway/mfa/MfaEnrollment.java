package io.s4e.gateway.mfa;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/**
 * Turns second factors on for the signed-in user: TOTP in two steps (a secret, then a first valid code), e-mail
 * codes in one.
 */
@Service
public class MfaEnrollment {

    private final MfaRepository repository;
    private final TotpSecrets secrets;
    private final TotpCodeCheck totp;
    private final RecentMfa recentMfa;
    private final TotpSecretCipher cipher;

    public MfaEnrollment(MfaRepository repository, TotpSecrets secrets, TotpCodeCheck totp, RecentMfa recentMfa,
                         TotpSecretCipher cipher) {
        this.repository = repository;
        this.secrets = secrets;
        this.totp = totp;
        this.recentMfa = recentMfa;
        this.cipher = cipher;
    }

    /**
     * Generates and stores a TOTP secret (encrypted, {@link TotpSecretCipher}), not yet enabled.
     *
     * @return the secret and its otpauth URI; 409 {@code conflict} when TOTP is already enabled; 401 when the user
     *         is gone; 503 when no encryption key is configured
     */
    public Mono<MfaViews.TotpSetup> setupTotp(Principal user, Session session) {
        return recentMfa.require(user, session)
                .then(secrets.generate())
                .flatMap(secret -> cipher.seal(user.userId(), secret)
                        .flatMap(sealed -> repository.storePendingTotpSecret(user.userId(), sealed))
                        .flatMap(stored -> stored ? Mono.just(secret) : Mono.error(
                                () -> Errors.of(ErrorCode.CONFLICT, "TOTP is already enabled."))))
                .map(secret -> new MfaViews.TotpSetup(secret, TotpSecrets.otpauthUri(user.email(), secret)));
    }

    /**
     * Enables TOTP when {@code code} is valid for the stored secret; the code's step is used up.
     *
     * @return the enabled factors; 400 when the code is missing or no setup was done; 401 for a wrong or reused code
     */
    public Mono<MfaViews.Enabled> confirmTotp(Principal user, Session session, MfaViews.CodeRequest request) {
        if (request.code() == null || request.code().isBlank()) {
            return Mono.error(Errors.invalidRequest("Field 'code' is required."));
        }
        return recentMfa.require(user, session)
                .then(settings(user))
                .flatMap(settings -> settings.totpSecret() == null
                        ? Mono.error(Errors.invalidRequest("Set up TOTP first (POST /api/user/mfa/totp/setup)."))
                        : totp.check(settings, request.code())
                                .then(repository.enableTotp(user.userId()))
                                .then(Audit.mfaFactorEnabled(user.userId(), "totp"))
                                .thenReturn(new MfaViews.Enabled(true, settings.emailEnabled())));
    }

    /**
     * Enables e-mail codes.
     *
     * @return the enabled factors; 401 when the user is gone
     */
    public Mono<MfaViews.Enabled> enableEmail(Principal user, Session session) {
        return recentMfa.require(user, session)
                .then(repository.enableEmail(user.userId()))
                .then(Audit.mfaFactorEnabled(user.userId(), "email"))
                .then(settings(user))
                .map(settings -> new MfaViews.Enabled(settings.totpEnabled(), true));
    }

    private Mono<MfaSettings> settings(Principal user) {
        return repository.settings(user.userId())
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The user no longer exists.")));
    }
}
