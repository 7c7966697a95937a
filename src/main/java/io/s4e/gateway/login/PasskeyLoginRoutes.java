package io.s4e.gateway.login;

import java.time.Clock;

import io.s4e.gateway.passkey.PasskeyViews;
import io.s4e.gateway.session.IssuedSession;
import io.s4e.gateway.session.Session;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.JsonBodies;
import io.s4e.gateway.web.MethodNotAllowed;
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
 * Passkey sign-in (CONTRACT §11): {@code /api/user/auth/passkey/options} and {@code /verify}, without a credential
 * (the answer of {@code /verify} is a login: the session token and its cookie).
 */
@Configuration(proxyBeanMethods = false)
public class PasskeyLoginRoutes {

    private static final String OPTIONS = "/api/user/auth/passkey/options";
    private static final String VERIFY = "/api/user/auth/passkey/verify";

    private final PasskeyLogin passkeys;
    private final SessionCookies cookies;
    private final Clock clock;

    public PasskeyLoginRoutes(PasskeyLogin passkeys, SessionCookies cookies, Clock clock) {
        this.passkeys = passkeys;
        this.cookies = cookies;
        this.clock = clock;
        JsonBodies.prepare(PasskeyViews.LoginOptionsRequest.class, PasskeyViews.LoginVerifyRequest.class);
    }

    /** {@code /api/user/auth/passkey/options} and {@code /api/user/auth/passkey/verify}. */
    @Bean
    public RouterFunction<ServerResponse> passkeyLoginEndpoints() {
        return RouterFunctions.route()
                .POST(OPTIONS, this::options)
                .POST(VERIFY, this::verify)
                .route(RequestPredicates.path(OPTIONS).or(RequestPredicates.path(VERIFY)),
                        MethodNotAllowed.allowing(HttpMethod.POST))
                .build();
    }

    private Mono<ServerResponse> options(ServerRequest request) {
        return JsonBodies.read(request, PasskeyViews.LoginOptionsRequest.class,
                        new PasskeyViews.LoginOptionsRequest(null))
                .flatMap(body -> passkeys.options(body, request.exchange()))
                .flatMap(options -> ServerResponse.ok().bodyValue(Envelope.success(options)));
    }

    private Mono<ServerResponse> verify(ServerRequest request) {
        return JsonBodies.read(request, PasskeyViews.LoginVerifyRequest.class, null)
                .flatMap(body -> passkeys.verify(body, request.exchange()))
                .flatMap(this::loggedIn);
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
