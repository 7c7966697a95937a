package io.s4e.gateway.account;

import java.time.Duration;
import java.util.concurrent.Semaphore;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditEvents;
import io.s4e.gateway.login.LoginCaptcha;
import io.s4e.gateway.ratelimit.LoginThrottle;
import io.s4e.gateway.session.SessionRevocations;
import io.s4e.gateway.user.PasswordHasher;
import io.s4e.gateway.user.PasswordPolicy;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.user.UserRepository;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.RequestIdLogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.stereotype.Service;
import org.springframework.web.server.ServerWebExchange;

/**
 * The forgotten-password flow (CONTRACT §10).
 * <p>
 * {@code forgot}: counts against the client IP's login attempts, checks the captcha exactly as a login does, and then
 * answers 202 with one fixed body <em>before</em> anything about the e-mail is looked up: the lookup, the
 * per-account mail interval, the token and the mail start once the answer is written ({@link AfterResponse}; at most
 * {@code s4e.accounts.reset-max-in-flight} at once per replica), so neither the body nor the time of the answer says
 * whether an account exists. Unknown, disabled and password-less accounts get no mail.
 * <p>
 * {@code reset}: the token is looked at, the new password checked against the policy and hashed, and only then is
 * the token used up, atomically ({@link ResetTokens#consume}), so a weak password does not burn a token and of two
 * resets with one token exactly one succeeds. The password is replaced only if it is still the one the token was
 * issued against; then every session of the user ends. Second factors are left alone: the next login asks for them.
 */
@Service
public class PasswordResets {

    private static final Logger log = LoggerFactory.getLogger(PasswordResets.class);
    private static final Duration BACKGROUND_TIMEOUT = Duration.ofSeconds(30);
    private static final String INVALID_TOKEN = "This reset link is invalid, used or expired. Ask for a new one.";

    private final UserRepository users;
    private final ResetTokens tokens;
    private final ResetMailer mailer;
    private final PasswordPolicy policy;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final LoginCaptcha captcha;
    private final SessionRevocations revocations;
    private final AccountProperties properties;
    private final AccountMetrics metrics;
    private final Semaphore inFlight;

    public PasswordResets(UserRepository users, ResetTokens tokens, ResetMailer mailer, PasswordPolicy policy,
                          PasswordHasher hasher, LoginThrottle throttle, LoginCaptcha captcha,
                          SessionRevocations revocations, AccountProperties properties, AccountMetrics metrics) {
        this.users = users;
        this.tokens = tokens;
        this.mailer = mailer;
        this.policy = policy;
        this.hasher = hasher;
        this.throttle = throttle;
        this.captcha = captcha;
        this.revocations = revocations;
        this.properties = properties;
        this.metrics = metrics;
        this.inFlight = new Semaphore(properties.resetMaxInFlight());
    }

    /** The one answer of every accepted forgotten-password request. */
    public AccountViews.ForgotAccepted accepted() {
        return new AccountViews.ForgotAccepted("If an account uses this e-mail address, a link to reset its password "
                + "is on its way. It works once, within " + properties.resetTokenTtl().toMinutes() + " minutes.");
    }

    /**
     * Accepts a forgotten-password request; the account is looked up and mailed after the answer.
     *
     * @return completes when accepted (202); 400 for a missing e-mail or a failed captcha, 429 when the client IP
     *         made too many login attempts, 503 when the captcha vendor cannot be reached
     */
    public Mono<Void> forgot(AccountViews.ForgotRequest body, ServerWebExchange exchange) {
        return throttle.checkClientIp(exchange).then(Mono.defer(() -> {
            if (body.email() == null || body.email().isBlank()) {
                return Mono.error(Errors.invalidRequest("Field 'email' is required."));
            }
            String email = body.email().strip();
            return captcha.check(body.vendor(), body.captchaResponse(), Boolean.TRUE.equals(body.bypassCaptcha()),
                            exchange, Audit.passwordForgot(null, AuditEvents.CAPTCHA))
                    .then(Mono.deferContextual(context -> {
                        AfterResponse.schedule(exchange, () -> startInBackground(email, context));
                        return Mono.<Void>empty();
                    }));
        }));
    }

    private void startInBackground(String email, ContextView context) {
        if (!inFlight.tryAcquire()) {
            metrics.forgotEnded("dropped");
            log.warn("A forgotten-password request was dropped: {} are being processed already",
                    properties.resetMaxInFlight());
            Audit.passwordForgot(null, "dropped").contextWrite(context).subscribe();
            return;
        }
        mailIfKnown(email)
                .timeout(BACKGROUND_TIMEOUT)
                .onErrorResume(failure -> Mono.just(new Outcome(null, "mail_failed")))
                .flatMap(result -> {
                    metrics.forgotEnded(result.result());
                    return Audit.passwordForgot(result.userId(), result.result());
                })
                .transform(RequestIdLogContext.logOnError(
                        e -> log.warn("A forgotten-password request failed ({})", e.getClass().getSimpleName())))
                .doFinally(signal -> inFlight.release())
                .contextWrite(context)
                .subscribe(done -> { }, failure -> { });
    }

    /** How one forgotten-password request ended. */
    private record Outcome(Long userId, String result) {
    }

    private Mono<Outcome> mailIfKnown(String email) {
        return Mono.defer(() -> users.findByEmail(email))
                .filter(user -> !user.disabled() && user.passwordHash() != null && !user.passwordHash().isEmpty())
                .flatMap(user -> tokens.claimMailSlot(user.id(), properties.resetMailInterval())
                        .flatMap(claimed -> claimed ? mail(user) : Mono.just(new Outcome(user.id(), "throttled"))))
                .defaultIfEmpty(new Outcome(null, AuditEvents.UNKNOWN_ACCOUNT))
                .onErrorResume(failure -> Mono.just(new Outcome(null, "mail_failed")));
    }

    private Mono<Outcome> mail(UserRecord user) {
        return tokens.issue(user.id(), user.passwordHash(), properties.resetTokenTtl())
                .flatMap(token -> mailer.send(user.email(), token)
                        .thenReturn(new Outcome(user.id(), "mailed"))
                        .onErrorResume(failure -> tokens.delete(token)
                                .then(tokens.releaseMailSlot(user.id()))
                                .onErrorComplete()
                                .thenReturn(new Outcome(user.id(), "mail_failed"))));
    }

    /**
     * Sets a new password with a mailed token and ends every session of the user.
     *
     * @return the number of sessions ended; 400 for missing fields or a weak password (the token stays usable), 401
     *         for a malformed, unknown, used or expired token, 429 when the client IP made too many login attempts,
     *         503 when a store or the password bulkhead cannot take it
     */
    public Mono<Long> reset(AccountViews.ResetRequest body, ServerWebExchange exchange) {
        return throttle.checkClientIp(exchange).then(Mono.defer(() -> {
            if (body.token() == null || body.token().isEmpty() || body.newPassword() == null) {
                return Mono.error(Errors.invalidRequest("Fields 'token' and 'new_password' are required."));
            }
            String token = body.token();
            return tokens.peek(token)
                    .switchIfEmpty(invalid(null))
                    .flatMap(claim -> activeUser(claim)
                            .flatMap(user -> checkPolicy(user, body.newPassword())
                                    .then(hasher.hash(body.newPassword()))
                                    .flatMap(newHash -> tokens.consume(token)
                                            .filter(claim::equals)
                                            .switchIfEmpty(invalid(user.id()))
                                            .flatMap(used -> users.replacePasswordHash(user.id(), user.passwordHash(),
                                                    newHash).onErrorMap(e -> !(e instanceof GatewayException),
                                                    e -> Errors.unavailable("The password cannot be reset right "
                                                            + "now. Try again shortly."))))
                                    .flatMap(replaced -> replaced ? revocations.revokeAll(user.id())
                                            : invalid(user.id()))
                                    .flatMap(ended -> Audit.passwordReset(user.id(), AuditEvents.SUCCESS, null, ended)
                                            .then(Mono.fromRunnable(() -> metrics.passwordChanged("reset")))
                                            .thenReturn(ended))));
        }));
    }

    /** The token's user, when it is active and its password is still the one the token was issued against. */
    private Mono<UserRecord> activeUser(ResetTokens.Claim claim) {
        return users.findById(claim.userId())
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("The password cannot be reset right now. Try again shortly."))
                .filter(user -> !user.disabled() && user.passwordHash() != null
                        && ResetTokens.fingerprint(user.passwordHash()).equals(claim.fingerprint()))
                .switchIfEmpty(invalid(claim.userId()));
    }

    private Mono<Void> checkPolicy(UserRecord user, String newPassword) {
        return Mono.fromRunnable(() -> policy.check(newPassword, user.email(), "new_password"))
                .onErrorResume(e -> e instanceof GatewayException g && g.code() == ErrorCode.WEAK_PASSWORD,
                        e -> Audit.passwordReset(user.id(), AuditEvents.FAILURE, "weak_password", null)
                                .then(Mono.error(e)))
                .then();
    }

    private static <T> Mono<T> invalid(Long userId) {
        return Audit.passwordReset(userId, AuditEvents.FAILURE, "invalid_token", null)
                .then(Mono.error(() -> Errors.unauthorized(INVALID_TOKEN)));
    }
}
