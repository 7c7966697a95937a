package io.s4e.gateway.login;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.ratelimit.LoginThrottle;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.web.server.ServerWebExchange;

/**
 * A password login: attempts per client IP, input checks, captcha, the password check within an attempt reserved
 * against the email's lock (so attempts at the same instant cannot pass the lock), then a new session or the MFA
 * step.
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
            return captcha.check(body, exchange)
                    .then(Mono.defer(() -> throttle.passwordAttempt(email,
                            Mono.defer(() -> passwords.check(email, body.password())), Audit.loginLocked(null))))
                    .flatMap(mfa::afterPassword);
        }));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
