package io.s4e.gateway.login;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditEvents;
import io.s4e.gateway.login.captcha.CaptchaCheck;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/** The captcha of a login request, with the client IP the gateway believes (never a header of an untrusted peer). */
@Component
public class LoginCaptcha {

    private final CaptchaCheck captcha;
    private final ClientIps clientIps;

    public LoginCaptcha(CaptchaCheck captcha, ClientIps clientIps) {
        this.captcha = captcha;
        this.clientIps = clientIps;
    }

    /**
     * Checks the captcha of {@code body}.
     *
     * @return completes when the login may go on; an error as {@link CaptchaCheck#check} describes
     */
    public Mono<Void> check(LoginRequest body, ServerWebExchange exchange) {
        return check(body.vendor(), body.captchaResponse(), body.wantsBypass(), exchange,
                Audit.loginFailure(AuditEvents.CAPTCHA, null));
    }

    /**
     * Checks a captcha answer exactly as a login's, for another endpoint that anyone may call (the forgotten-password
     * request).
     *
     * @param whenRefused recorded before the 400 {@code captcha_failed}
     * @return completes when the request may go on; an error as {@link CaptchaCheck#check} describes
     */
    public Mono<Void> check(String vendor, String response, boolean bypass, ServerWebExchange exchange,
                            Mono<Void> whenRefused) {
        return captcha.check(vendor, response, bypass, clientIps.of(exchange))
                .onErrorResume(e -> e instanceof GatewayException g && g.code() == ErrorCode.CAPTCHA_FAILED,
                        e -> whenRefused.then(Mono.error(e)));
    }
}
