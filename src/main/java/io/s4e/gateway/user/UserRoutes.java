package io.s4e.gateway.user;

import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.MethodNotAllowed;
import io.s4e.gateway.web.JsonBodies;
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

/** The gateway-owned user administration endpoints of CONTRACT §6. */
@Configuration(proxyBeanMethods = false)
public class UserRoutes {

    private final UserService users;

    public UserRoutes(UserService users) {
        this.users = users;
        JsonBodies.prepare(UserViews.CreateRequest.class, UserViews.UpdateRequest.class);
    }

    /** {@code /api/admin/users} and {@code /api/admin/users/{id}}. */
    @Bean
    public RouterFunction<ServerResponse> userEndpoints() {
        return RouterFunctions.route()
                .POST("/api/admin/users", this::create)
                .GET("/api/admin/users", this::list)
                .PATCH("/api/admin/users/{id}", this::update)
                .route(RequestPredicates.path("/api/admin/users"), MethodNotAllowed.allowing(HttpMethod.GET, HttpMethod.POST))
                .route(RequestPredicates.path("/api/admin/users/{id}"), MethodNotAllowed.allowing(HttpMethod.PATCH))
                .build();
    }

    private Mono<ServerResponse> create(ServerRequest request) {
        return admin(request)
                .flatMap(caller -> JsonBodies.read(request, UserViews.CreateRequest.class, null)
                        .flatMap(body -> users.create(caller, body)))
                .flatMap(user -> ServerResponse.status(HttpStatus.CREATED)
                        .bodyValue(Envelope.success(new UserViews.UserData(user))));
    }

    private Mono<ServerResponse> list(ServerRequest request) {
        return admin(request)
                .flatMap(users::list)
                .flatMap(list -> ServerResponse.ok().bodyValue(Envelope.success(list)));
    }

    private Mono<ServerResponse> update(ServerRequest request) {
        return admin(request)
                .flatMap(caller -> JsonBodies.read(request, UserViews.UpdateRequest.class, null)
                        .flatMap(body -> users.update(caller, request.pathVariable("id"), body)))
                .flatMap(user -> ServerResponse.ok().bodyValue(Envelope.success(new UserViews.UserData(user))));
    }

    /**
     * The caller, once it is known to be an admin. Bodies are read only after this, so an unauthenticated or
     * unauthorised caller gets 401/403, never a validation answer about its input.
     */
    private static Mono<Principal> admin(ServerRequest request) {
        return AuthenticationFilter.authenticationOf(request.exchange()).requirePrincipal()
                .doOnNext(UserService::requireAdmin);
    }
}
