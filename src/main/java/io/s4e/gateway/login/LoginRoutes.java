package io.s4e.gateway.login;

import java.time.Clock;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.session.IssuedSession;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.session.SessionAuthenticator;
import io.s4e.gateway.session.SessionIssuer;
import io.s4e.gateway.session.SessionTokenCodec;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.MethodNotAllowed;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.JsonBodies;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Login, refresh and logout (CONTRACT §6). Refresh and logout need a session token; an API key there is 403
 * {@code forbidden} (after it is verified, so an invalid key is still 401).
 */
@Configuration(proxyBeanMethods = false)
public class LoginRoutes {

    private static final String LOGIN = "/api/user/auth/login";
    private static final String REFRESH = "/api/user/auth/refresh";
    private static final String LOGOUT = "/api/user/auth/logout";
    private static final String MFA_VERIFY = "/api/user/auth/mfa/verify";
    private static final String MFA_SEND = "/api/user/auth/mfa/send";

    private final LoginService logins;
    private final MfaLogin mfa;
    private final SessionIssuer sessions;
    private final SessionTokenCodec codec;
    private final SessionAuthenticator authenticator;
    private final SessionCookies cookies;
    private final Clock clock;

    public LoginRoutes(LoginService logins, MfaLogin mfa, SessionIssuer sessions, SessionTokenCodec codec,
                       SessionAuthenticator authenticator, SessionCookies cookies, Clock clock) {
        this.logins = logins;
        this.mfa = mfa;
        this.sessions = sessions;
        this.codec = codec;
        this.authenticator = authenticator;
        this.cookies = cookies;
        this.clock = clock;
    }

    /** {@code /api/user/auth/login}, {@code /refresh}, {@code /logout}, {@code /mfa/verify} and {@code /mfa/send}. */
    @Bean
    public RouterFunction<ServerResponse> loginEndpoints() {
        return RouterFunctions.route()
                .POST(LOGIN, this::login)
                .POST(REFRESH, this::refresh)
                .POST(LOGOUT, this::logout)
                .POST(MFA_VERIFY, this::verifyMfa)
                .POST(MFA_SEND, this::sendMfaCode)
                .route(RequestPredicates.path(LOGIN).or(RequestPredicates.path(REFRESH))
                        .or(RequestPredicates.path(LOGOUT)).or(RequestPredicates.path(MFA_VERIFY))
                        .or(RequestPredicates.path(MFA_SEND)),
                        MethodNotAllowed.allowing(HttpMethod.POST))
                .build();
    }

    private Mono<ServerResponse> login(ServerRequest request) {
        return JsonBodies.read(request, LoginRequest.class, null)
                .flatMap(body -> logins.login(body, request.exchange()))
                .flatMap(this::answer);
    }

    private Mono<ServerResponse> verifyMfa(ServerRequest request) {
        return JsonBodies.read(request, MfaVerifyRequest.class, null)
                .flatMap(mfa::verify)
                .flatMap(this::loggedIn);
    }

    private Mono<ServerResponse> sendMfaCode(ServerRequest request) {
        return JsonBodies.read(request, MfaVerifyRequest.class, null)
                .flatMap(mfa::send)
                .then(Mono.defer(() -> ServerResponse.ok().bodyValue(Envelope.success(new LoginViews.CodeSent(true)))));
    }

    private Mono<ServerResponse> answer(LoginOutcome outcome) {
        if (outcome instanceof LoginOutcome.Started started) {
            return loggedIn(started.issued());
        }
        LoginOutcome.MfaRequired required = (LoginOutcome.MfaRequired) outcome;
        return ServerResponse.ok().bodyValue(new Envelope<>("mfa_required",
                new LoginViews.MfaRequired(required.mfaToken(), required.methods())));
    }

    private Mono<ServerResponse> refresh(ServerRequest request) {
        return currentSession(request)
                .flatMap(sessions::refresh)
                .flatMap(issued -> Audit.sessionRefresh(issued.session().userId()).thenReturn(issued))
                .flatMap(this::loggedIn);
    }

    private Mono<ServerResponse> logout(ServerRequest request) {
        boolean all = request.queryParam("all").map("true"::equalsIgnoreCase).orElse(false);
        return currentSession(request)
                .flatMap(session -> sessions.end(session, all).then(Audit.sessionLogout(session.userId(), all)))
                .then(Mono.defer(() -> ServerResponse.ok()
                        .header(HttpHeaders.SET_COOKIE, cookies.cleared().toString())
                        .bodyValue(Envelope.success(new LoginViews.LoggedOut(all)))));
    }

    /**
     * The live session of the request's session token.
     *
     * @return the session; 401 without a credential or with an invalid one; 403 for a valid API key; 503 when Redis
     *         cannot be reached
     */
    private Mono<Session> currentSession(ServerRequest request) {
        var authentication = AuthenticationFilter.authenticationOf(request.exchange());
        Credential credential = authentication.credential().orElse(null);
        if (credential == null) {
            return Mono.error(Errors.unauthorized("A session token is required."));
        }
        if (credential.kind() != Credential.Kind.SESSION_TOKEN) {
            return authentication.requirePrincipal()
                    .then(Mono.error(() -> Errors.forbidden("This endpoint needs a session token, not an API key.")));
        }
        return Mono.fromCallable(() -> codec.decode(credential.value()))
                .flatMap(authenticator::session);
    }

    private Mono<ServerResponse> loggedIn(IssuedSession issued) {
        Session session = issued.session();
        LoginViews.LoggedIn data = new LoginViews.LoggedIn(issued.token(),
                new LoginViews.User(session.userId(), session.email(), session.role()));
        return ServerResponse.ok()
                .header(HttpHeaders.SET_COOKIE,
                        cookies.of(issued.token(), session.expiresAt(), clock.instant()).toString())
                .bodyValue(Envelope.success(data));
    }
}
