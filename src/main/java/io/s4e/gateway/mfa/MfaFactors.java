package io.s4e.gateway.mfa;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/**
 * The signed-in user's own factor changes beyond enrolment (CONTRACT §10), each behind "recent MFA": a new set of
 * recovery codes, and turning TOTP or e-mail codes off. When the last factor goes, the recovery codes go with it:
 * with no factor the sign-in asks for none, so they would recover nothing, and a leftover set would silently come
 * back to life with the next factor.
 */
@Service
public class MfaFactors {

    static final String TOTP = "totp";
    static final String EMAIL = "email";

    private final MfaRepository repository;
    private final RecoveryCodes recoveryCodes;
    private final RecoveryCodeRepository codes;
    private final RecentMfa recentMfa;

    public MfaFactors(MfaRepository repository, RecoveryCodes recoveryCodes, RecoveryCodeRepository codes,
                      RecentMfa recentMfa) {
        this.repository = repository;
        this.recoveryCodes = recoveryCodes;
        this.codes = codes;
        this.recentMfa = recentMfa;
    }

    /**
     * Draws a new set of recovery codes, replacing the old one.
     *
     * @return the codes, shown once; 403 {@code mfa_required} without recent MFA; 409 {@code conflict} when the user
     *         has no factor to recover; 503 when no key is configured
     */
    public Mono<MfaViews.RecoveryCodeSet> regenerateRecoveryCodes(Principal user, Session session) {
        return recentMfa.require(user, session)
                .flatMap(settings -> settings.anyEnabled() ? recoveryCodes.regenerate(user.userId())
                        : Mono.error(Errors.of(ErrorCode.CONFLICT,
                                "Turn on a second factor (TOTP or e-mail codes) before drawing recovery codes.")))
                .flatMap(set -> Audit.mfaRecoveryCodesGenerated(user.userId(), set.size())
                        .thenReturn(new MfaViews.RecoveryCodeSet(set)));
    }

    /**
     * Turns TOTP off and forgets its secret (also a pending one).
     *
     * @return the factors left; 403 {@code mfa_required} without recent MFA; 401 when the user is gone
     */
    public Mono<MfaViews.Factors> disableTotp(Principal user, Session session) {
        return recentMfa.require(user, session)
                .then(repository.disableTotp(user.userId()))
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The user no longer exists.")))
                .flatMap(after -> afterRemoval(user, TOTP, after));
    }

    /**
     * Turns e-mail codes off.
     *
     * @return the factors left; 403 {@code mfa_required} without recent MFA; 401 when the user is gone
     */
    public Mono<MfaViews.Factors> disableEmail(Principal user, Session session) {
        return recentMfa.require(user, session)
                .then(repository.disableEmail(user.userId()))
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The user no longer exists.")))
                .flatMap(after -> afterRemoval(user, EMAIL, after));
    }

    private Mono<MfaViews.Factors> afterRemoval(Principal user, String factor, MfaSettings after) {
        return codes.deleteIfNoFactorLeft(user.userId())
                .flatMap(removed -> Audit.mfaFactorRemoved(user.userId(), factor, removed)
                        .then(recoveryCodes.remaining(user.userId())))
                .map(left -> new MfaViews.Factors(after.totpEnabled(), after.emailEnabled(), left));
    }
}
