package io.s4e.gateway.login;

import java.time.Clock;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.session.IssuedSession;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.session.SessionAuthenticator;
import io.s4e.gateway.session.SessionIssuer;
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
    private final AccountSessions accounts;
    private final SessionIssuer sessions;
    private final SessionAuthenticator authenticator;
    private final SessionCookies cookies;
    private final Clock clock;

    public LoginRoutes(LoginService logins, MfaLogin mfa, AccountSessions accounts, SessionIssuer sessions,
                       SessionAuthenticator authenticator, SessionCookies cookies,
                       Clock clock) {
        this.logins = logins;
        this.mfa = mfa;
        this.accounts = accounts;
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.cookies = cookies;
        this.clock = clock;
        JsonBodies.prepare(LoginRequest.class, MfaVerifyRequest.class);
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
                .flatMap(accounts::refresh)
                .flatMap(issued -> Audit.sessionRefresh(issued.session().userId()).thenReturn(issued))
                .flatMap(this::loggedIn);
    }

    private Mono<ServerResponse> logout(ServerRequest request) {
        String allParam = request.queryParam("all").orElse("false");
        if (!"true".equalsIgnoreCase(allParam) && !"false".equalsIgnoreCase(allParam)) {
            return Mono.error(Errors.invalidRequest("Query parameter 'all' must be true or false."));
        }
        boolean all = "true".equalsIgnoreCase(allParam);
        return currentSession(request)
                .flatMap(session -> sessions.end(session, all).then(Audit.sessionLogout(session.userId(), all)))
                .then(Mono.defer(() -> ServerResponse.ok()
                        .header(HttpHeaders.SET_COOKIE, cookies.cleared().toString())
                        .bodyValue(Envelope.success(new LoginViews.LoggedOut(all)))));
    }

    private Mono<Session> currentSession(ServerRequest request) {
        return authenticator.requireSession(request.exchange());
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
