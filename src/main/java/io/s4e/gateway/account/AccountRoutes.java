package io.s4e.gateway.account;

import java.util.List;
import java.util.regex.Pattern;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.login.SessionCookies;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.session.SessionAuthenticator;
import io.s4e.gateway.session.SessionLastSeen;
import io.s4e.gateway.session.SessionStore;
import io.s4e.gateway.session.SessionSummary;
import io.s4e.gateway.user.UserRepository;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.JsonBodies;
import io.s4e.gateway.web.MethodNotAllowed;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Account self-service (CONTRACT §10): who am I, password change, forgotten password and reset, and the session
 * list. {@code /api/user/me} takes a session or an API key; the password change and the session list need the
 * session of the user they concern (an API key is 403 {@code forbidden}, after it is verified); forgot and reset
 * need no credential.
 */
@Configuration(proxyBeanMethods = false)
public class AccountRoutes {

    private static final String ME = "/api/user/me";
    private static final String PASSWORD = "/api/user/password";
    private static final String FORGOT = "/api/user/auth/password/forgot";
    private static final String RESET = "/api/user/auth/password/reset";
    private static final String SESSIONS = "/api/user/sessions";
    private static final String SESSION = "/api/user/sessions/{id}";
    /** What a session id can look like; anything else is an unknown id, without asking Redis. */
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final SessionAuthenticator sessions;
    private final SessionStore store;
    private final SessionLastSeen lastSeen;
    private final SessionCookies cookies;
    private final UserRepository users;
    private final AccountFactors factors;
    private final PasswordChange passwordChange;
    private final PasswordResets resets;

    public AccountRoutes(SessionAuthenticator sessions, SessionStore store, SessionLastSeen lastSeen,
                         SessionCookies cookies, UserRepository users, AccountFactors factors,
                         PasswordChange passwordChange, PasswordResets resets) {
        this.sessions = sessions;
        this.store = store;
        this.lastSeen = lastSeen;
        this.cookies = cookies;
        this.users = users;
        this.factors = factors;
        this.passwordChange = passwordChange;
        this.resets = resets;
        JsonBodies.prepare(AccountViews.PasswordChangeRequest.class, AccountViews.ForgotRequest.class,
                AccountViews.ResetRequest.class);
    }

    /** The account endpoints. */
    @Bean
    public RouterFunction<ServerResponse> accountEndpoints() {
        return RouterFunctions.route()
                .GET(ME, this::me)
                .POST(PASSWORD, this::changePassword)
                .POST(FORGOT, this::forgot)
                .POST(RESET, this::reset)
                .GET(SESSIONS, this::listSessions)
                .DELETE(SESSION, this::endSession)
                .route(RequestPredicates.path(ME).or(RequestPredicates.path(SESSIONS)),
                        MethodNotAllowed.allowing(HttpMethod.GET))
                .route(RequestPredicates.path(PASSWORD).or(RequestPredicates.path(FORGOT))
                        .or(RequestPredicates.path(RESET)), MethodNotAllowed.allowing(HttpMethod.POST))
                .route(RequestPredicates.path(SESSION), MethodNotAllowed.allowing(HttpMethod.DELETE))
                .build();
    }

    private Mono<ServerResponse> me(ServerRequest request) {
        return AuthenticationFilter.authenticationOf(request.exchange()).requirePrincipal()
                .flatMap(principal -> auth(principal, request)
                        .flatMap(auth -> Mono.zip(users.findById(principal.userId()), factors.of(principal.userId()))
                                .onErrorMap(e -> !(e instanceof GatewayException),
                                        e -> Errors.unavailable("The account cannot be read right now. Try again "
                                                + "shortly."))
                                .switchIfEmpty(Mono.error(() -> Errors.unauthorized("The user no longer exists.")))
                                .map(found -> new AccountViews.Me(
                                        new AccountViews.MeUser(found.getT1().id(), found.getT1().email(),
                                                found.getT1().role(), found.getT1().tier()),
                                        new AccountViews.Mfa(found.getT2().totp(), found.getT2().email(),
                                                found.getT2().passkeys(), found.getT2().recoveryCodesLeft()),
                                        auth))))
                .flatMap(AccountRoutes::ok);
    }

    private Mono<AccountViews.Auth> auth(Principal principal, ServerRequest request) {
        if (principal.method() == Principal.AuthMethod.API_KEY) {
            return Mono.just(new AccountViews.Auth(principal.method().wire(), List.of(), principal.keyId()));
        }
        return sessions.requireSession(request.exchange())
                .map(session -> new AccountViews.Auth(principal.method().wire(), session.amr(), null));
    }

    private Mono<ServerResponse> changePassword(ServerRequest request) {
        return sessions.requireSession(request.exchange())
                .flatMap(session -> JsonBodies.read(request, AccountViews.PasswordChangeRequest.class, null)
                        .flatMap(body -> passwordChange.change(session, body, request.exchange())))
                .flatMap(ended -> ok(new AccountViews.PasswordChanged(true, ended)));
    }

    private Mono<ServerResponse> forgot(ServerRequest request) {
        return JsonBodies.read(request, AccountViews.ForgotRequest.class, null)
                .flatMap(body -> resets.forgot(body, request.exchange()))
                .then(Mono.defer(() -> ServerResponse.status(HttpStatus.ACCEPTED)
                        .bodyValue(Envelope.success(resets.accepted()))));
    }

    private Mono<ServerResponse> reset(ServerRequest request) {
        return JsonBodies.read(request, AccountViews.ResetRequest.class, null)
                .flatMap(body -> resets.reset(body, request.exchange()))
                .flatMap(ended -> ok(new AccountViews.PasswordReset(true, ended)));
    }

    private Mono<ServerResponse> listSessions(ServerRequest request) {
        return sessions.requireSession(request.exchange())
                .flatMap(current -> store.list(current.userId(), current.generation())
                        .map(list -> list.stream().map(summary -> view(summary, current)).toList()))
                .flatMap(AccountRoutes::ok);
    }

    private AccountViews.SessionView view(SessionSummary stored, Session current) {
        SessionSummary summary = stored.seenAt(lastSeen.pending(stored.sid()));
        return new AccountViews.SessionView(summary.sid(), summary.createdAt(), summary.lastSeen(),
                summary.clientIp(), summary.userAgent(), summary.amr(), summary.sid().equals(current.sid()),
                summary.expiresAt());
    }

    private Mono<ServerResponse> endSession(ServerRequest request) {
        String id = request.pathVariable("id");
        return sessions.requireSession(request.exchange())
                .flatMap(current -> {
                    if (!SESSION_ID.matcher(id).matches()) {
                        return Mono.error(notFound());
                    }
                    boolean isCurrent = id.equals(current.sid());
                    return store.peek(id)
                            .filter(found -> found.userId() == current.userId())
                            .switchIfEmpty(Mono.error(AccountRoutes::notFound))
                            .flatMap(found -> store.delete(id, current.userId()))
                            .flatMap(deleted -> Audit.sessionEnded(current.userId(), id, isCurrent))
                            .then(Mono.defer(() -> {
                                ServerResponse.BodyBuilder answer = ServerResponse.ok();
                                if (isCurrent) {
                                    answer.header(HttpHeaders.SET_COOKIE, cookies.cleared().toString());
                                }
                                return answer.bodyValue(Envelope.success(
                                        new AccountViews.SessionEnded(id, true, isCurrent)));
                            }));
                });
    }

    private static GatewayException notFound() {
        return Errors.notFound("No session of yours with this id.");
    }

    private static Mono<ServerResponse> ok(Object data) {
        return ServerResponse.ok().bodyValue(Envelope.success(data));
    }
}
