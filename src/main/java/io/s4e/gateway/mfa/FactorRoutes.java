package io.s4e.gateway.mfa;

import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.session.SessionAuthenticator;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.MethodNotAllowed;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Recovery codes, turning a factor off, and the admin MFA reset (CONTRACT §10). The user's own endpoints need a
 * session token (an API key is 403 {@code forbidden}, after it is verified); the reset needs the admin scope.
 */
@Configuration(proxyBeanMethods = false)
public class FactorRoutes {

    private static final String RECOVERY_CODES = "/api/user/mfa/recovery-codes";
    private static final String TOTP = "/api/user/mfa/totp";
    private static final String EMAIL = "/api/user/mfa/email";
    private static final String RESET = "/api/admin/users/{id}/mfa/reset";

    private final MfaFactors factors;
    private final MfaReset reset;
    private final SessionAuthenticator sessions;

    public FactorRoutes(MfaFactors factors, MfaReset reset, SessionAuthenticator sessions) {
        this.factors = factors;
        this.reset = reset;
        this.sessions = sessions;
    }

    /** {@code /api/user/mfa/recovery-codes}, {@code /totp}, {@code /email}, {@code /api/admin/users/{id}/mfa/reset}. */
    @Bean
    public RouterFunction<ServerResponse> factorEndpoints() {
        return RouterFunctions.route()
                .POST(RECOVERY_CODES, this::regenerate)
                .DELETE(TOTP, this::disableTotp)
                .DELETE(EMAIL, this::disableEmail)
                .POST(RESET, this::reset)
                .route(RequestPredicates.path(RECOVERY_CODES).or(RequestPredicates.path(RESET)),
                        MethodNotAllowed.allowing(HttpMethod.POST))
                .route(RequestPredicates.path(TOTP).or(RequestPredicates.path(EMAIL)),
                        MethodNotAllowed.allowing(HttpMethod.DELETE))
                .build();
    }

    private Mono<ServerResponse> regenerate(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> factors.regenerateRecoveryCodes(user.principal(), user.session()))
                .flatMap(FactorRoutes::ok);
    }

    private Mono<ServerResponse> disableTotp(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> factors.disableTotp(user.principal(), user.session()))
                .flatMap(FactorRoutes::ok);
    }

    private Mono<ServerResponse> disableEmail(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> factors.disableEmail(user.principal(), user.session()))
                .flatMap(FactorRoutes::ok);
    }

    private Mono<ServerResponse> reset(ServerRequest request) {
        return AuthenticationFilter.authenticationOf(request.exchange()).requirePrincipal()
                .flatMap(caller -> reset.reset(caller, request.pathVariable("id")))
                .flatMap(FactorRoutes::ok);
    }

    private static Mono<ServerResponse> ok(Object data) {
        return ServerResponse.ok().bodyValue(Envelope.success(data));
    }

}
