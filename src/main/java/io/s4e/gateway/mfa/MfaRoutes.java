package io.s4e.gateway.mfa;

import io.s4e.gateway.session.SessionAuthenticator;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.JsonBodies;
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
 * The signed-in user's MFA enrollment endpoints. They need a session token; an API key is 403 {@code forbidden}
 * (after it is verified, so an invalid key is still 401); no credential is 401.
 */
@Configuration(proxyBeanMethods = false)
public class MfaRoutes {

    private static final String TOTP_SETUP = "/api/user/mfa/totp/setup";
    private static final String TOTP_CONFIRM = "/api/user/mfa/totp/confirm";
    private static final String EMAIL_ENABLE = "/api/user/mfa/email/enable";

    private final MfaEnrollment enrollment;
    private final SessionAuthenticator sessions;

    public MfaRoutes(MfaEnrollment enrollment, SessionAuthenticator sessions) {
        this.enrollment = enrollment;
        this.sessions = sessions;
        JsonBodies.prepare(MfaViews.CodeRequest.class);
    }

    /** {@code /api/user/mfa/totp/setup}, {@code /totp/confirm} and {@code /email/enable}. */
    @Bean
    public RouterFunction<ServerResponse> mfaEnrollmentEndpoints() {
        return RouterFunctions.route()
                .POST(TOTP_SETUP, this::setupTotp)
                .POST(TOTP_CONFIRM, this::confirmTotp)
                .POST(EMAIL_ENABLE, this::enableEmail)
                .route(RequestPredicates.path(TOTP_SETUP).or(RequestPredicates.path(TOTP_CONFIRM))
                        .or(RequestPredicates.path(EMAIL_ENABLE)), MethodNotAllowed.allowing(HttpMethod.POST))
                .build();
    }

    private Mono<ServerResponse> setupTotp(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> enrollment.setupTotp(user.principal(), user.session()))
                .flatMap(MfaRoutes::ok);
    }

    private Mono<ServerResponse> confirmTotp(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> JsonBodies.read(request, MfaViews.CodeRequest.class, null)
                        .flatMap(body -> enrollment.confirmTotp(user.principal(), user.session(), body)))
                .flatMap(MfaRoutes::ok);
    }

    private Mono<ServerResponse> enableEmail(ServerRequest request) {
        return sessions.requireSessionUser(request.exchange())
                .flatMap(user -> enrollment.enableEmail(user.principal(), user.session()))
                .flatMap(MfaRoutes::ok);
    }

    private static Mono<ServerResponse> ok(Object data) {
        return ServerResponse.ok().bodyValue(Envelope.success(data));
    }

}
