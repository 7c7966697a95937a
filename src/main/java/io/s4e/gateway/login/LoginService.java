package io.s4e.gateway.login;

import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.web.server.ServerWebExchange;

/** A password login: input checks, captcha, password, then a new session or the MFA step. */
@Service
public class LoginService {

    private final LoginCaptcha captcha;
    private final PasswordLogin passwords;
    private final MfaLogin mfa;

    public LoginService(LoginCaptcha captcha, PasswordLogin passwords, MfaLogin mfa) {
        this.captcha = captcha;
        this.passwords = passwords;
        this.mfa = mfa;
    }

    /**
     * Logs in with {@code body}.
     *
     * @return the new session, or an open MFA step when the user has a second factor enabled; 400 for missing
     *         fields or a failed captcha, 401 for refused credentials, 503 when a store or the captcha vendor cannot
     *         be reached
     */
    public Mono<LoginOutcome> login(LoginRequest body, ServerWebExchange exchange) {
        if (isBlank(body.email()) || isBlank(body.password())) {
            return Mono.error(Errors.invalidRequest("Fields 'email' and 'password' are required."));
        }
        return captcha.check(body, exchange)
                .then(Mono.defer(() -> passwords.check(body.email().strip(), body.password())))
                .flatMap(mfa::afterPassword);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
