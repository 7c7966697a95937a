package io.s4e.gateway.login;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.ratelimit.LoginThrottle;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.web.server.ServerWebExchange;

/**
 * A password login: attempts per client IP, input checks, the email's lock, captcha, password (a wrong one is
 * counted towards the lock), then a new session or the MFA step.
 */
@Service
public class LoginService {

    private final LoginCaptcha captcha;
    private final PasswordLogin passwords;
    private final MfaLogin mfa;
    private final LoginThrottle throttle;

    public LoginService(LoginCaptcha captcha, PasswordLogin passwords, MfaLogin mfa, LoginThrottle throttle) {
        this.captcha = captcha;
        this.passwords = passwords;
        this.mfa = mfa;
        this.throttle = throttle;
    }

    /**
     * Logs in with {@code body}.
     *
     * @return the new session, or an open MFA step when the user has a second factor enabled; 400 for missing
     *         fields or a failed captcha, 401 for refused credentials, 429 when the client IP made too many attempts
     *         or the email is locked after wrong passwords ({@link LoginThrottle}), 503 when a store or the captcha
     *         vendor cannot be reached
     */
    public Mono<LoginOutcome> login(LoginRequest body, ServerWebExchange exchange) {
        return throttle.checkClientIp(exchange).then(Mono.defer(() -> {
            if (isBlank(body.email()) || isBlank(body.password())) {
                return Mono.error(Errors.invalidRequest("Fields 'email' and 'password' are required."));
            }
            String email = body.email().strip();
            return throttle.checkAccountNotLocked(email)
                    .onErrorResume(LoginService::isLocked, locked -> Audit.loginLocked(null).then(Mono.error(locked)))
                    .then(Mono.defer(() -> captcha.check(body, exchange)))
                    .then(Mono.defer(() -> passwords.check(email, body.password())))
                    .onErrorResume(LoginService::isWrongPassword,
                            refused -> throttle.recordPasswordFailure(email).then(Mono.error(refused)))
                    .flatMap(user -> throttle.recordPasswordSuccess(email).thenReturn(user))
                    .flatMap(mfa::afterPassword);
        }));
    }

    /** The account's lock refused the attempt; the lock is per e-mail, so no user id is recorded. */
    private static boolean isLocked(Throwable failure) {
        return failure instanceof GatewayException refused && refused.code() == ErrorCode.RATE_LIMITED;
    }

    private static boolean isWrongPassword(Throwable failure) {
        return failure instanceof GatewayException refused && refused.code() == ErrorCode.UNAUTHORIZED;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
