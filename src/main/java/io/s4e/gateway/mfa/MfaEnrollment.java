package io.s4e.gateway.mfa;

import java.time.Clock;

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
    private final Clock clock;

    public MfaEnrollment(MfaRepository repository, TotpSecrets secrets, TotpCodeCheck totp, Clock clock) {
        this.repository = repository;
        this.secrets = secrets;
        this.totp = totp;
        this.clock = clock;
    }

    /**
     * Generates and stores a TOTP secret, not yet enabled.
     *
     * @return the secret and its otpauth URI; 409 {@code conflict} when TOTP is already enabled; 401 when the user
     *         is gone
     */
    public Mono<MfaViews.TotpSetup> setupTotp(Principal user, Session session) {
        return recentlyAuthenticated(user, session)
                .then(secrets.generate())
                .flatMap(secret -> repository.storePendingTotpSecret(user.userId(), secret)
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
        return recentlyAuthenticated(user, session)
                .then(settings(user))
                .flatMap(settings -> settings.totpSecret() == null
                        ? Mono.error(Errors.invalidRequest("Set up TOTP first (POST /api/user/mfa/totp/setup)."))
                        : totp.check(settings, request.code())
                                .then(repository.enableTotp(user.userId()))
                                .thenReturn(new MfaViews.Enabled(true, settings.emailEnabled())));
    }

    /**
     * Enables e-mail codes.
     *
     * @return the enabled factors; 401 when the user is gone
     */
    public Mono<MfaViews.Enabled> enableEmail(Principal user, Session session) {
        return recentlyAuthenticated(user, session)
                .then(repository.enableEmail(user.userId()))
                .then(settings(user))
                .map(settings -> new MfaViews.Enabled(settings.totpEnabled(), true));
    }

    /**
     * Refuses a factor change unless the session's authentication is recent (CONTRACT §10): a login under
     * {@link Session#RECENT_AUTHENTICATION} ago that passed MFA, or, for a user without any factor yet, a recent
     * password. A stolen older session cannot add a factor and lock the owner out.
     *
     * @return completes when recent enough; a 403 {@code mfa_required} error otherwise
     */
    private Mono<Void> recentlyAuthenticated(Principal user, Session session) {
        return settings(user).flatMap(settings -> {
            boolean recent = session.authenticatedWithin(Session.RECENT_AUTHENTICATION, clock.instant());
            if (recent && (session.mfaPassed() || !settings.anyEnabled())) {
                return Mono.empty();
            }
            return Mono.error(Errors.of(ErrorCode.MFA_REQUIRED, settings.anyEnabled()
                    ? "Changing a second factor needs a sign-in with MFA within the last 10 minutes. Sign in again."
                    : "Changing a second factor needs a sign-in within the last 10 minutes. Sign in again."));
        });
    }

    private Mono<MfaSettings> settings(Principal user) {
        return repository.settings(user.userId())
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The user no longer exists.")));
    }
}
