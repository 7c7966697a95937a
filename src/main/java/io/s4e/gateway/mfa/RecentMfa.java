package io.s4e.gateway.mfa;

import java.time.Clock;

import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * "Recent MFA" (CONTRACT §10): the session's login or last step-up is under {@link Session#RECENT_AUTHENTICATION}
 * old and passed MFA, or, for a user without any factor yet, is a recent password sign-in. Every change of a factor
 * or of what proves the account asks for it, so a stolen older session cannot add or remove a factor and lock the
 * owner out.
 */
@Component
public class RecentMfa {

    private final MfaRepository repository;
    private final Clock clock;

    public RecentMfa(MfaRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /**
     * @return the user's factors when the session is recent enough; 403 {@code mfa_required} otherwise, 401 when
     *         the user no longer exists
     */
    public Mono<MfaSettings> require(Principal user, Session session) {
        return repository.settings(user.userId())
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The user no longer exists.")))
                .flatMap(settings -> {
                    boolean recent = session.authenticatedWithin(Session.RECENT_AUTHENTICATION, clock.instant());
                    if (recent && (session.mfaPassed() || !settings.anyEnabled())) {
                        return Mono.just(settings);
                    }
                    return Mono.error(Errors.of(ErrorCode.MFA_REQUIRED, settings.anyEnabled()
                            ? "This change needs a sign-in with MFA within the last 10 minutes. Sign in again."
                            : "This change needs a sign-in within the last 10 minutes. Sign in again."));
                });
    }
}
