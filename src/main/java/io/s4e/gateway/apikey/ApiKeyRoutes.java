package io.s4e.gateway.apikey;

import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.DecimalIds;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.MethodNotAllowed;
import io.s4e.gateway.web.Errors;
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

/** The gateway-owned key management endpoints of CONTRACT §5. */
@Configuration(proxyBeanMethods = false)
public class ApiKeyRoutes {

    private final ApiKeyService keys;

    public ApiKeyRoutes(ApiKeyService keys) {
        this.keys = keys;
        JsonBodies.prepare(ApiKeyViews.CreateRequest.class, ApiKeyViews.RotateRequest.class);
    }

    /** {@code /api/keys} and {@code /api/keys/{id}}. */
    @Bean
    public RouterFunction<ServerResponse> apiKeyEndpoints() {
        return RouterFunctions.route()
                .POST("/api/keys", this::create)
                .GET("/api/keys", this::list)
                .GET("/api/keys/{id}", this::get)
                .DELETE("/api/keys/{id}", this::revoke)
                .POST("/api/keys/{id}/rotate", this::rotate)
                .route(RequestPredicates.path("/api/keys"), MethodNotAllowed.allowing(HttpMethod.GET, HttpMethod.POST))
                .route(RequestPredicates.path("/api/keys/{id}"), MethodNotAllowed.allowing(HttpMethod.GET, HttpMethod.DELETE))
                .route(RequestPredicates.path("/api/keys/{id}/rotate"), MethodNotAllowed.allowing(HttpMethod.POST))
                .build();
    }

    private Mono<ServerResponse> create(ServerRequest request) {
        return manager(request)
                .flatMap(caller -> JsonBodies.read(request, ApiKeyViews.CreateRequest.class, null)
                        .flatMap(body -> keys.create(caller, body)))
                .flatMap(created -> ServerResponse.status(HttpStatus.CREATED).bodyValue(Envelope.success(created)));
    }

    private Mono<ServerResponse> list(ServerRequest request) {
        return manager(request)
                .flatMap(p -> keys.list(p, userIdParameter(request)))
                .flatMap(ApiKeyRoutes::ok);
    }

    private Mono<ServerResponse> get(ServerRequest request) {
        return caller(request)
                .flatMap(p -> keys.get(p, request.pathVariable("id")))
                .flatMap(ApiKeyRoutes::ok);
    }

    private Mono<ServerResponse> revoke(ServerRequest request) {
        return caller(request)
                .flatMap(p -> keys.revoke(p, request.pathVariable("id")))
                .flatMap(ApiKeyRoutes::ok);
    }

    private Mono<ServerResponse> rotate(ServerRequest request) {
        return manager(request)
                .flatMap(caller -> JsonBodies.read(request, ApiKeyViews.RotateRequest.class,
                                new ApiKeyViews.RotateRequest(null))
                        .flatMap(body -> keys.rotate(caller, request.pathVariable("id"), body)))
                .flatMap(ApiKeyRoutes::ok);
    }

    private static Mono<Principal> caller(ServerRequest request) {
        return AuthenticationFilter.authenticationOf(request.exchange()).requirePrincipal();
    }

    /**
     * The caller, once it is known to be allowed to manage keys at all. Bodies and parameters are read only after
     * this, so an unauthenticated or unauthorised caller gets 401/403, never a validation answer about its input.
     */
    private static Mono<Principal> manager(ServerRequest request) {
        return caller(request).doOnNext(ApiKeyService::requireManager);
    }

    private static Long userIdParameter(ServerRequest request) {
        String value = request.queryParam("user_id").orElse(null);
        if (value == null) {
            return null;
        }
        Long userId = DecimalIds.parse(value);
        if (userId == null) {
            throw Errors.invalidRequest("Parameter 'user_id' must be a user id: ASCII digits without sign or leading "
                    + "zero.");
        }
        return userId;
    }

    private static Mono<ServerResponse> ok(Object data) {
        return ServerResponse.ok().bodyValue(Envelope.success(data));
    }
}
