package io.s4e.gateway.session;

import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.principal.CredentialAuthenticator;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.reactive.Ready;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Authenticates session tokens from any carrier: the JWT must verify (once per token: {@link SessionTokenCodec} keeps
 * verified claims), and its session must still exist in Redis, as seen through the replica's {@link SessionCache}
 * (at most 1 s old, and dropped at once when the session ends). The principal has every scope the session's role
 * allows.
 */
@Component
public class SessionAuthenticator implements CredentialAuthenticator {

    private final SessionTokenCodec codec;
    private final SessionCache sessions;
    private final RoleScopes roles;
    private final SessionLastSeen lastSeen;

    public SessionAuthenticator(SessionTokenCodec codec, SessionCache sessions, RoleScopes roles,
                                SessionLastSeen lastSeen) {
        this.codec = codec;
        this.sessions = sessions;
        this.roles = roles;
        this.lastSeen = lastSeen;
    }

    @Override
    public Credential.Kind kind() {
        return Credential.Kind.SESSION_TOKEN;
    }

    @Override
    public Mono<Principal> authenticate(Credential credential) {
        SessionClaims claims;
        try {
            claims = codec.decode(credential.value());
        }
        catch (GatewayException refused) {
            return Mono.error(refused);
        }
        Mono<Session> session = session(claims);
        if (Ready.isReady(session)) {
            // a session from this replica's cache: answer ready, without operators
            try {
                return Mono.just(principal(Ready.outcome(session)));
            }
            catch (RuntimeException refused) {
                return Mono.error(refused);
            }
        }
        return session.map(this::principal);
    }

    /**
     * The live session of {@code claims}.
     *
     * @return the session; a 401 error when it ended or does not belong to the token's user; 503 when Redis is down
     */
    public Mono<Session> session(SessionClaims claims) {
        Mono<Session> found = sessions.find(claims.sid(), claims.userId());
        if (Ready.isReady(found)) {
            try {
                Session session = Ready.outcome(found);
                return session != null && session.userId() == claims.userId() ? found : Mono.error(ended());
            }
            catch (RuntimeException failure) {
                return found;
            }
        }
        return found
                .filter(session -> session.userId() == claims.userId())
                .switchIfEmpty(Mono.error(SessionAuthenticator::ended));
    }

    /**
     * The live session of {@code exchange}'s session token, for endpoints that act on the signed-in user's own
     * session or account.
     *
     * @return the session; 401 without a credential or with an invalid one; 403 for a valid API key; 503 when Redis
     *         cannot be reached
     */
    public Mono<Session> requireSession(ServerWebExchange exchange) {
        var authentication = AuthenticationFilter.authenticationOf(exchange);
        Credential credential = authentication.credential().orElse(null);
        if (credential == null) {
            return Mono.error(Errors.unauthorized("A session token is required."));
        }
        if (credential.kind() != Credential.Kind.SESSION_TOKEN) {
            return authentication.requirePrincipal()
                    .then(Mono.error(() -> Errors.forbidden("This endpoint needs a session token, not an API key.")));
        }
        return Mono.fromCallable(() -> codec.decode(credential.value())).flatMap(this::session)
                .doOnNext(session -> lastSeen.touch(session.sid()));
    }

    /**
     * The signed-in user of {@code exchange} and its session, for endpoints that act on the caller's own account.
     *
     * @return the principal and its session; 401 without a credential or with an invalid one; 403 for a valid API
     *         key; 503 when Redis cannot be reached
     */
    public Mono<SessionUser> requireSessionUser(ServerWebExchange exchange) {
        return requireSession(exchange)
                .flatMap(session -> AuthenticationFilter.authenticationOf(exchange).requirePrincipal()
                        .map(principal -> new SessionUser(principal, session)));
    }

    private static GatewayException ended() {
        return Errors.unauthorized("The session has ended. Log in again.");
    }

    private Principal principal(Session session) {
        lastSeen.touch(session.sid());
        return Principal.ofSession(session.userId(), session.email(), session.role(),
                roles.everyScopeOf(session.role()), session.mfaPassed());
    }
}
