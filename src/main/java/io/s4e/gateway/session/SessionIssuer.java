package io.s4e.gateway.session;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;

import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

/** Starts sessions (login), replaces them (refresh) and ends them (logout). */
@Component
public class SessionIssuer {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CANNOT_REFRESH = "This session cannot be refreshed. Log in again.";

    private final SessionStore store;
    private final SessionTokenCodec codec;
    private final SessionRevocations revocations;
    private final SessionGenerations generations;
    private final SessionProperties properties;
    private final Clock clock;

    public SessionIssuer(SessionStore store, SessionTokenCodec codec, SessionRevocations revocations,
                         SessionGenerations generations, SessionProperties properties, Clock clock) {
        this.store = store;
        this.codec = codec;
        this.revocations = revocations;
        this.generations = generations;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Starts a session for a user who just logged in, with the user's state read <em>after</em>
     * {@code generation} was: the session is checked against the generation once written, so a revocation in
     * between leaves nothing behind.
     *
     * @return the session and its token; a 401 error when the user's sessions were revoked meanwhile; a 503 error
     *         when Redis cannot be reached
     */
    public Mono<IssuedSession> start(long userId, String email, String role, List<String> amr, long generation) {
        Instant now = now();
        return issue(userId, email, role, amr, now, now, generation, null);
    }

    /**
     * Replaces {@code current} with a new session of a fresh ttl window (never beyond max-lifetime from login), with
     * the user's current {@code email} and {@code role} read after {@code generation}; the current one keeps
     * working for the refresh grace only. A login chain is refreshed at most {@code refresh-per-minute} times a
     * minute.
     *
     * @return the new session and token; a 401 error when {@code current} was already refreshed, reached its
     *         max-lifetime, or belongs to an earlier generation (its sessions were revoked); a 429 error past the
     *         chain's refreshes of the minute; a 503 error when Redis cannot be reached
     */
    public Mono<IssuedSession> refresh(Session current, String email, String role, long generation) {
        Instant now = now();
        if (current.refreshed() || !lastPossibleEnd(current.loginAt()).isAfter(now)
                || current.generation() != generation) {
            return Mono.error(Errors.unauthorized(CANNOT_REFRESH));
        }
        return store.countRefresh(current.chain())
                .flatMap(count -> count > properties.refreshPerMinute()
                        ? Mono.error(Errors.rateLimited("This session was refreshed too often. Try again in a "
                                + "minute.", 60))
                        : store.retire(current.sid(), properties.refreshGrace()))
                .flatMap(retired -> retired
                        ? issue(current.userId(), email, role, current.amr(), current.loginAt(), now, generation,
                                current.chain())
                        : Mono.error(Errors.unauthorized(CANNOT_REFRESH)));
    }

    /**
     * Ends {@code session}, or every session of its user when {@code all}.
     *
     * @return completes when ended; a 503 error when Redis cannot be reached
     */
    public Mono<Void> end(Session session, boolean all) {
        return all ? revocations.revokeAll(session.userId()).then()
                : store.delete(session.sid(), session.userId()).then();
    }

    /**
     * Writes a new session, then reads the user's generation again: if a revocation moved it meanwhile, the
     * session is deleted and refused; otherwise the revocation's sweep, which follows the move, will find it.
     */
    private Mono<IssuedSession> issue(long userId, String email, String role, List<String> amr, Instant loginAt,
                                      Instant now, long generation, String chain) {
        Instant windowEnd = now.plus(properties.ttl());
        Instant lastEnd = lastPossibleEnd(loginAt);
        Instant expiresAt = windowEnd.isAfter(lastEnd) ? lastEnd : windowEnd;
        return newSid().flatMap(sid -> {
            Session session = new Session(sid, userId, email, role, amr, loginAt, expiresAt, false, generation,
                    chain == null ? sid : chain);
            // signed here, on the thread that drew the sid: signing may read the system's entropy source
            String token = codec.encode(new SessionClaims(userId, sid, role, amr, now, expiresAt));
            return store.create(session, now)
                    .flatMap(created -> generations.current(userId).flatMap(current -> current == generation
                            ? Mono.just(new IssuedSession(created, token))
                            : store.delete(sid, userId).then(Mono.error(() -> Errors.unauthorized(
                                    "The account changed while signing in. Log in again.")))));
        });
    }

    private Instant lastPossibleEnd(Instant loginAt) {
        return loginAt.plus(properties.maxLifetime());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** A new random session id, drawn off the event loop (the system's entropy source may block). */
    private static Mono<String> newSid() {
        return Mono.fromCallable(() -> {
            byte[] bytes = new byte[18];
            RANDOM.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }).subscribeOn(Schedulers.boundedElastic());
    }
}
