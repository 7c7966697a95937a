package io.s4e.gateway.login;

import java.util.List;

import io.s4e.gateway.session.IssuedSession;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.session.SessionGenerations;
import io.s4e.gateway.session.SessionIssuer;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.user.UserRepository;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Issues sessions so that they agree with a revocation running at the same moment (a disable, a new role, logout
 * everywhere). Every session is issued from the user's state as read from PostgreSQL <em>after</em> the user's
 * {@linkplain SessionGenerations session generation} was read, and written with that generation; the generation is
 * read again once the session is written. A revocation changes PostgreSQL, then moves the generation, then sweeps:
 * whichever way the two interleave, the new session either carries the new state, or is refused, or is swept.
 */
@Component
public class AccountSessions {

    private static final String ENDED = "The account changed while signing in. Log in again.";

    private final SessionGenerations generations;
    private final UserRepository users;
    private final SessionIssuer issuer;

    public AccountSessions(SessionGenerations generations, UserRepository users, SessionIssuer issuer) {
        this.generations = generations;
        this.users = users;
        this.issuer = issuer;
    }

    /**
     * The current session generation of {@code userId}, for an MFA step to carry until it completes.
     *
     * @return the generation; a 503 error when Redis cannot be reached
     */
    public Mono<Long> generation(long userId) {
        return generations.current(userId);
    }

    /**
     * Starts a session of {@code userId} with {@code amr}.
     *
     * @param expectedGeneration the generation an MFA step was opened in (a revocation since then ends the step),
     *                           or null for a login without an MFA step
     * @return the session; a 401 error when the user is disabled or gone, or its sessions were revoked since
     *         {@code expectedGeneration}; a 503 error when a store cannot be reached
     */
    public Mono<IssuedSession> start(long userId, List<String> amr, Long expectedGeneration) {
        return generations.current(userId)
                .flatMap(generation -> expectedGeneration != null && generation != expectedGeneration
                        ? Mono.error(Errors.unauthorized(ENDED))
                        : activeUser(userId).flatMap(user -> issuer.start(user.id(), user.email(), user.role(), amr,
                                generation)));
    }

    /**
     * Refreshes {@code current} with the user's current e-mail, role and state.
     *
     * @return the new session; a 401 error when the user is disabled or gone, or the session cannot be refreshed
     *         ({@link SessionIssuer#refresh}); a 429 error past the chain's refreshes of the minute; a 503 error when
     *         a store cannot be reached
     */
    public Mono<IssuedSession> refresh(Session current) {
        return generations.current(current.userId())
                .flatMap(generation -> activeUser(current.userId())
                        .flatMap(user -> issuer.refresh(current, user.email(), user.role(), generation)));
    }

    private Mono<UserRecord> activeUser(long userId) {
        return users.findById(userId)
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("Login is not possible right now. Try again shortly."))
                .filter(user -> !user.disabled())
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized(ENDED)));
    }
}
