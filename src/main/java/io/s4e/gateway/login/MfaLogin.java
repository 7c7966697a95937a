package io.s4e.gateway.login;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.mfa.EmailCodeSender;
import io.s4e.gateway.mfa.EmailCodes;
import io.s4e.gateway.mfa.MfaChallenge;
import io.s4e.gateway.mfa.MfaChallengeStore;
import io.s4e.gateway.mfa.MfaRepository;
import io.s4e.gateway.mfa.MfaSettings;
import io.s4e.gateway.mfa.TotpCodeCheck;
import io.s4e.gateway.ratelimit.LoginThrottle;
import io.s4e.gateway.session.IssuedSession;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;

/**
 * The second step of a login: opens it for a user with MFA enabled, and turns a valid code into a session whose
 * {@code amr} says MFA was passed. A wrong code uses one of the mfa_token's attempts; success ends the mfa_token.
 */
@Service
public class MfaLogin {

    static final String TOTP = "totp";
    static final String EMAIL = "email";
    static final String PASSKEY = "passkey";
    /** How long an e-mailed code is accepted (the mfa_token itself may end sooner). */
    static final Duration EMAIL_CODE_LIFETIME = Duration.ofMinutes(10);
    private static final String EXPIRED = "Invalid or expired MFA token.";

    private final MfaRepository settings;
    private final MfaChallengeStore challenges;
    private final TotpCodeCheck totp;
    private final AccountSessions sessions;
    private final EmailCodes emailCodes;
    private final EmailCodeSender mail;
    private final Clock clock;
    private final LoginThrottle throttle;

    public MfaLogin(MfaRepository settings, MfaChallengeStore challenges, TotpCodeCheck totp,
                    AccountSessions sessions, EmailCodes emailCodes, EmailCodeSender mail, Clock clock,
                    LoginThrottle throttle) {
        this.settings = settings;
        this.challenges = challenges;
        this.totp = totp;
        this.sessions = sessions;
        this.emailCodes = emailCodes;
        this.mail = mail;
        this.clock = clock;
        this.throttle = throttle;
    }

    /**
     * What {@code user}'s correct password leads to.
     *
     * @return a new session when the user has no second factor, otherwise an open MFA step; a 503 error when a
     *         store cannot be reached
     */
    public Mono<LoginOutcome> afterPassword(UserRecord user) {
        return settings.settings(user.id())
                .onErrorMap(e -> Errors.unavailable("Login is not possible right now. Try again shortly."))
                .filter(MfaSettings::anyEnabled)
                .<LoginOutcome>flatMap(mfa -> sessions.generation(user.id())
                        .flatMap(generation -> challenges.open(user.id(), generation))
                        .map(token -> new LoginOutcome.MfaRequired(token, methods(mfa)))
                        .flatMap(required -> Audit.mfaChallenge(user.id(), required.methods()).thenReturn(required)))
                .switchIfEmpty(Mono.defer(() -> sessions.start(user.id(), List.of("pwd"), null)
                        .flatMap(issued -> Audit.loginSuccess(user.id(), List.of("pwd")).thenReturn(issued))
                        .map(LoginOutcome.Started::new)));
    }

    /**
     * Verifies {@code request}'s code and logs the user in.
     *
     * @return the new session, its amr {@code ["pwd","mfa","otp"]} or {@code ["pwd","mfa","email"]}; 400 for a
     *         malformed body or a method the user has not enabled; 401 for a wrong code or an unknown, expired,
     *         used or exhausted mfa_token; 429 when the account is locked after too many wrong codes
     *         ({@link LoginThrottle}); 503 when a store cannot be reached
     */
    public Mono<IssuedSession> verify(MfaVerifyRequest request) {
        return Mono.defer(() -> {
            validate(request);
            String token = request.mfa_token();
            return openStep(token)
                    .flatMap(challenge -> throttle.mfaAttempt(challenge.userId(),
                                    enabledSettings(challenge, request.method())
                                            .flatMap(mfa -> codeAccepted(request, challenge, mfa))
                                            .flatMap(accepted -> accepted ? Mono.just(true)
                                                    : challenges.recordFailure(token)
                                                            .then(Audit.mfaFailure(challenge.userId(),
                                                                    request.method(), "wrong_code"))
                                                            .thenReturn(false)))
                            .flatMap(accepted -> accepted ? finish(request, challenge)
                                    : Mono.error(() -> Errors.unauthorized("Invalid code."))));
        });
    }

    /**
     * Mails a new six-digit code, valid {@link #EMAIL_CODE_LIFETIME}, for {@code request}'s step; it replaces any
     * earlier code of the step.
     *
     * @return empty once mailed; 400 for a malformed body or when the user has not enabled e-mail codes; 401 for an
     *         unknown, expired, used or exhausted mfa_token; 429 within {@link MfaChallengeStore#SEND_INTERVAL} of
     *         the last send; 503 when no mail server is configured, it fails, or a store cannot be reached
     */
    public Mono<Void> send(MfaVerifyRequest request) {
        if (isBlank(request.mfa_token()) || !EMAIL.equals(request.method())) {
            return Mono.error(Errors.invalidRequest("Fields 'mfa_token' and 'method' (\"email\") are required."));
        }
        String token = request.mfa_token();
        return openStep(token)
                .flatMap(challenge -> sessions.generation(challenge.userId())
                        .flatMap(generation -> generation == challenge.generation()
                                ? enabledSettings(challenge, EMAIL)
                                : challenges.close(token).then(Mono.error(() -> Errors.unauthorized(EXPIRED)))))
                .flatMap(mfa -> challenges.claimSend(mfa.userId())
                        .flatMap(claimed -> claimed ? mailCode(token, mfa)
                                : Mono.error(Errors.rateLimited("An e-mail code was sent moments ago.",
                                        (int) MfaChallengeStore.SEND_INTERVAL.toSeconds()))));
    }

    private Mono<Void> mailCode(String token, MfaSettings mfa) {
        return emailCodes.generate()
                .flatMap(code -> challenges.storeEmailCode(token, EmailCodes.hash(token, code),
                                clock.instant().plus(EMAIL_CODE_LIFETIME))
                        .then(mail.send(mfa.email(), code))
                        .then(Audit.mfaCodeSent(mfa.userId())))
                .onErrorResume(failure -> challenges.releaseSend(mfa.userId()).onErrorResume(e -> Mono.empty())
                        .then(Mono.error(failure)));
    }

    /**
     * The open step of {@code mfaToken}.
     *
     * @return the step's state; 401 for an unknown, expired, used or exhausted token
     */
    Mono<MfaChallenge> openStep(String mfaToken) {
        return challenges.find(mfaToken)
                .switchIfEmpty(Audit.mfaFailure(null, null, "invalid_token")
                        .then(Mono.error(() -> Errors.unauthorized(EXPIRED))));
    }

    /**
     * The user's factors, when {@code method} is enabled among them.
     *
     * @return the factors; 400 when the method is not enabled; 401 when the user is gone
     */
    Mono<MfaSettings> enabledSettings(MfaChallenge challenge, String method) {
        return settings.settings(challenge.userId())
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized(EXPIRED)))
                .flatMap(mfa -> methods(mfa).contains(method) ? Mono.just(mfa)
                        : Mono.error(Errors.invalidRequest("Method '" + method + "' is not enabled for this user.")));
    }

    private Mono<Boolean> codeAccepted(MfaVerifyRequest request, MfaChallenge challenge, MfaSettings mfa) {
        if (TOTP.equals(request.method())) {
            return totp.accepts(mfa, request.code());
        }
        return Mono.just(EmailCodes.matches(challenge, request.mfa_token(), request.code(), clock.instant()));
    }

    /**
     * Ends the mfa_token (only one verification can win it) and starts the session, in the generation the step was
     * opened in: a disable, a new role or a logout everywhere since then ends the step instead.
     */
    private Mono<IssuedSession> finish(MfaVerifyRequest request, MfaChallenge challenge) {
        String factor = TOTP.equals(request.method()) ? "otp" : "email";
        return challenges.close(request.mfa_token())
                .filter(Boolean::booleanValue)
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized(EXPIRED)))
                .then(Mono.defer(() -> sessions.start(challenge.userId(), List.of("pwd", "mfa", factor),
                        challenge.generation())))
                .onErrorMap(MfaLogin::isRefusal, refused -> Errors.unauthorized(EXPIRED))
                .flatMap(issued -> Audit.mfaSuccess(challenge.userId(), request.method())
                        .then(Audit.loginSuccess(challenge.userId(), issued.session().amr())).thenReturn(issued));
    }

    private static boolean isRefusal(Throwable failure) {
        return failure instanceof GatewayException refused && refused.code() == ErrorCode.UNAUTHORIZED;
    }

    private static void validate(MfaVerifyRequest request) {
        if (isBlank(request.mfa_token()) || isBlank(request.code()) || isBlank(request.method())) {
            throw Errors.invalidRequest("Fields 'mfa_token', 'code' and 'method' are required.");
        }
        if (!TOTP.equals(request.method()) && !EMAIL.equals(request.method())) {
            throw Errors.invalidRequest("Field 'method' must be 'totp' or 'email'.");
        }
    }

    /** The enabled methods, {@code totp} before {@code email} before {@code passkey}. */
    static List<String> methods(MfaSettings mfa) {
        List<String> methods = new ArrayList<>(3);
        if (mfa.totpEnabled()) {
            methods.add(TOTP);
        }
        if (mfa.emailEnabled()) {
            methods.add(EMAIL);
        }
        if (mfa.passkeyEnabled()) {
            methods.add(PASSKEY);
        }
        return List.copyOf(methods);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
