package io.s4e.gateway.login;

import java.util.List;

import io.s4e.gateway.session.IssuedSession;
import io.s4e.gateway.session.SessionIssuer;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.web.server.ServerWebExchange;

/** A password login: input checks, captcha, password, then a new session. */
@Service
public class LoginService {

    private final LoginCaptcha captcha;
    private final PasswordLogin passwords;
    private final SessionIssuer sessions;

    public LoginService(LoginCaptcha captcha, PasswordLogin passwords, SessionIssuer sessions) {
        this.captcha = captcha;
        this.passwords = passwords;
        this.sessions = sessions;
    }

    /**
     * Logs in with {@code body}.
     *
     * @return the new session; 400 for missing fields or a failed captcha, 401 for refused credentials, 503 when a
     *         store or the captcha vendor cannot be reached
     */
    public Mono<IssuedSession> login(LoginRequest body, ServerWebExchange exchange) {
        if (isBlank(body.email()) || isBlank(body.password())) {
            return Mono.error(Errors.invalidRequest("Fields 'email' and 'password' are required."));
        }
        return captcha.check(body, exchange)
                .then(Mono.defer(() -> passwords.check(body.email().strip(), body.password())))
                .flatMap(user -> sessions.start(user.id(), user.email(), user.role(), List.of("pwd")));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
