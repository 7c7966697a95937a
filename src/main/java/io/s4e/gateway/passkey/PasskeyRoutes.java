package io.s4e.gateway.passkey;

import io.s4e.gateway.session.SessionAuthenticator;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.JsonBodies;
import io.s4e.gateway.web.MethodNotAllowed;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The signed-in user's passkeys (CONTRACT §11). They need a session token; an API key is 403 {@code forbidden}
 * (after it is verified, so an invalid key is still 401); no credential is 401. Bodies are read only once the
 * caller is known.
 */
@Configuration(proxyBeanMethods = false)
public class PasskeyRoutes {

    private static final String OPTIONS = "/api/user/passkeys/register/options";
    private static final String PASSKEYS = "/api/user/passkeys";
    private static final String PASSKEY = "/api/user/passkeys/{id}";

    private final PasskeyService passkeys;
    private final SessionAuthenticator sessions;

    public PasskeyRoutes(PasskeyService passkeys, SessionAuthenticator sessions) {
        this.passkeys = passkeys;
        this.sessions = sessions;
        JsonBodies.prepare(PasskeyViews.RegisterRequest.class, PasskeyViews.RenameRequest.class);
    }

    /** {@code /api/user/passkeys}, {@code /api/user/passkeys/{id}} and {@code /register/options}. */
    @Bean
    public RouterFunction<ServerResponse> passkeyEndpoints() {
        return RouterFunctions.route()
                .POST(OPTIONS, this::options)
                .GET(PASSKEYS, this::list)
                .POST(PASSKEYS, this::register)
                .PATCH(PASSKEY, this::rename)
                .DELETE(PASSKEY, this::delete)
                .route(RequestPredicates.path(OPTIONS), MethodNotAllowed.allowing(HttpMethod.POST))
                .route(RequestPredicates.path(PASSKEYS), MethodNotAllowed.allowing(HttpMethod.GET, HttpMethod.POST))
                .route(RequestPredicates.path(PASSKEY),
                        MethodNotAllowed.allowing(HttpMethod.PATCH, HttpMethod.DELETE))
                .build();
    }

    private Mono<ServerResponse> options(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> passkeys.registrationOptions(user.principal(), user.session()))
                .flatMap(PasskeyRoutes::ok);
    }

    private Mono<ServerResponse> register(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> JsonBodies.read(request, PasskeyViews.RegisterRequest.class, null)
                        .flatMap(body -> passkeys.register(user.principal(), user.session(), body)))
                .flatMap(created -> ServerResponse.status(HttpStatus.CREATED).bodyValue(Envelope.success(created)));
    }

    private Mono<ServerResponse> list(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> passkeys.list(user.principal()))
                .flatMap(PasskeyRoutes::ok);
    }

    private Mono<ServerResponse> rename(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> JsonBodies.read(request, PasskeyViews.RenameRequest.class, null)
                        .flatMap(body -> passkeys.rename(user.principal(), request.pathVariable("id"), body)))
                .flatMap(PasskeyRoutes::ok);
    }

    private Mono<ServerResponse> delete(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> passkeys.delete(user.principal(), user.session(), request.pathVariable("id")))
                .flatMap(PasskeyRoutes::ok);
    }

    private static Mono<ServerResponse> ok(Object data) {
        return ServerResponse.ok().bodyValue(Envelope.success(data));
    }

}
