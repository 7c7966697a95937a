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

    private final SessionStore store;
    private final SessionTokenCodec codec;
    private final SessionRevocations revocations;
    private final SessionProperties properties;
    private final Clock clock;

    public SessionIssuer(SessionStore store, SessionTokenCodec codec, SessionRevocations revocations,
                         SessionProperties properties, Clock clock) {
        this.store = store;
        this.codec = codec;
        this.revocations = revocations;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Starts a session for a user who just logged in.
     *
     * @return the session and its token; a 503 error when Redis cannot be reached
     */
    public Mono<IssuedSession> start(long userId, String email, String role, List<String> amr) {
        Instant now = now();
        return issue(userId, email, role, amr, now, now);
    }

    /**
     * Replaces {@code current} with a new session of a fresh ttl window (never beyond max-lifetime from login); the
     * current one keeps working for the refresh grace only.
     *
     * @return the new session and token; a 401 error when {@code current} was already refreshed or reached its
     *         max-lifetime; a 503 error when Redis cannot be reached
     */
    public Mono<IssuedSession> refresh(Session current) {
        Instant now = now();
        if (current.refreshed() || !lastPossibleEnd(current.loginAt()).isAfter(now)) {
            return Mono.error(Errors.unauthorized("This session cannot be refreshed. Log in again."));
        }
        return store.retire(current.sid(), properties.refreshGrace())
                .flatMap(retired -> retired
                        ? issue(current.userId(), current.email(), current.role(), current.amr(), current.loginAt(), now)
                        : Mono.error(Errors.unauthorized("This session cannot be refreshed. Log in again.")));
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

    private Mono<IssuedSession> issue(long userId, String email, String role, List<String> amr, Instant loginAt,
                                      Instant now) {
        Instant windowEnd = now.plus(properties.ttl());
        Instant lastEnd = lastPossibleEnd(loginAt);
        Instant expiresAt = windowEnd.isAfter(lastEnd) ? lastEnd : windowEnd;
        return newSid().flatMap(sid -> {
            Session session = new Session(sid, userId, email, role, amr, loginAt, expiresAt, false);
            String token = codec.encode(new SessionClaims(userId, sid, role, amr, now, expiresAt));
            return store.create(session, now).map(created -> new IssuedSession(created, token));
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
