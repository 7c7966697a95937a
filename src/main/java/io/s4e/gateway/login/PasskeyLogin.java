package io.s4e.gateway.login;

import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import com.webauthn4j.data.AuthenticationData;
import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.mfa.MfaChallenge;
import io.s4e.gateway.mfa.MfaChallengeStore;
import io.s4e.gateway.passkey.PasskeyChallenges;
import io.s4e.gateway.passkey.PasskeyMetrics;
import io.s4e.gateway.passkey.PasskeyRecord;
import io.s4e.gateway.passkey.PasskeyRepository;
import io.s4e.gateway.passkey.PasskeyViews;
import io.s4e.gateway.passkey.WebAuthnCeremonies;
import io.s4e.gateway.passkey.WebAuthnProperties;
import io.s4e.gateway.ratelimit.ClientIpLimiters;
import io.s4e.gateway.ratelimit.LoginThrottle;
import io.s4e.gateway.ratelimit.RateLimitProperties;
import io.s4e.gateway.session.IssuedSession;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.user.UserRepository;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.StrictJson;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Service;
import org.springframework.web.server.ServerWebExchange;

/**
 * Signing in with a passkey (CONTRACT §11), in two ways:
 * <ul>
 *   <li>as the second step after a password: the challenge is bound to the mfa_token, the passkey must be the
 *       step's user's, a refused response uses one of the mfa_token's attempts and counts against the account's MFA
 *       lock ({@link LoginThrottle#mfaAttempt}), success ends the mfa_token; {@code amr} {@code ["pwd","mfa","hwk"]};</li>
 *   <li>password-free, with a discoverable credential: the per-IP login limit, the user handle the authenticator
 *       returns must be the credential owner's, the authenticator must have verified the user, the account must not
 *       be disabled or MFA-locked; {@code amr} {@code ["hwk"]}, which counts as MFA.</li>
 * </ul>
 * Either way the signature counter must grow (or stay zero on an authenticator without one), in one
 * compare-and-set in PostgreSQL, and the challenge is taken once from Redis before anything is checked.
 */
@Service
public class PasskeyLogin {

    static final List<String> SECOND_FACTOR_AMR = List.of("pwd", "mfa", "hwk");
    static final List<String> PASSWORD_FREE_AMR = List.of("hwk");
    private static final String REFUSED = "The passkey could not be verified.";
    private static final String EXPIRED = "Invalid or expired MFA token.";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final MfaLogin mfa;
    private final MfaChallengeStore steps;
    private final AccountSessions sessions;
    private final LoginThrottle throttle;
    private final PasskeyRepository passkeys;
    private final PasskeyChallenges challenges;
    private final WebAuthnCeremonies ceremonies;
    private final PasskeyMetrics metrics;
    private final UserRepository users;
    private final WebAuthnProperties properties;
    private final ClientIps clientIps;
    private final ClientIpLimiters optionsPerIp;

    public PasskeyLogin(MfaLogin mfa, MfaChallengeStore steps, AccountSessions sessions, LoginThrottle throttle,
                        PasskeyRepository passkeys, PasskeyChallenges challenges, WebAuthnCeremonies ceremonies,
                        PasskeyMetrics metrics, UserRepository users, WebAuthnProperties properties,
                        ClientIps clientIps, RateLimitProperties limits) {
        this.mfa = mfa;
        this.steps = steps;
        this.sessions = sessions;
        this.throttle = throttle;
        this.passkeys = passkeys;
        this.challenges = challenges;
        this.ceremonies = ceremonies;
        this.metrics = metrics;
        this.users = users;
        this.properties = properties;
        this.clientIps = clientIps;
        this.optionsPerIp = new ClientIpLimiters(properties.optionsPerIpPerMinute(), Duration.ofMinutes(1),
                limits.localCacheSize());
    }

    /**
     * The options for {@code navigator.credentials.get()}: for the step of {@code mfa_token}, the user's passkeys
     * as {@code allowCredentials}; without one, none (the browser offers the discoverable credentials of the rp id)
     * and user verification required.
     *
     * @return the options; 400 when the step's user has no passkey; 401 for an unknown, expired, used or exhausted
     *         mfa_token; 429 past {@code s4e.webauthn.options-per-ip-per-minute} challenges of the client IP (both
     *         kinds, so neither an anonymous client nor the holder of an mfa_token can fill Redis); 503 when a store
     *         cannot be reached
     */
    public Mono<PasskeyViews.RequestOptions> options(PasskeyViews.LoginOptionsRequest body,
                                                     ServerWebExchange exchange) {
        return Mono.defer(() -> {
            ClientIpLimiters.Attempt attempt = optionsPerIp.attempt(clientIps.of(exchange));
            if (!attempt.allowed()) {
                int retryAfter = (int) Math.max(1,
                        (Duration.ofNanos(attempt.nanosToReset()).toMillis() + 999) / 1000);
                return Mono.error(Errors.rateLimited("Too many passkey sign-ins from this address. Try again in "
                        + retryAfter + " seconds.", retryAfter));
            }
            String token = body.mfa_token();
            if (token == null) {
                return challenges.issue(new PasskeyChallenges.Grant(PasskeyChallenges.Purpose.PASSWORD_FREE, 0, ""))
                        .map(challenge -> requestOptions(challenge, List.of(), "required"));
            }
            if (token.isBlank()) {
                return Mono.error(Errors.invalidRequest("Field 'mfa_token' must not be blank."));
            }
            return mfa.openStep(token)
                    .flatMap(step -> mfa.enabledSettings(step, MfaLogin.PASSKEY)
                            .then(stored(passkeys.listOf(step.userId()).collectList()))
                            .flatMap(own -> challenges.issue(new PasskeyChallenges.Grant(
                                            PasskeyChallenges.Purpose.SECOND_FACTOR, step.userId(),
                                            PasskeyChallenges.bindingOf(token)))
                                    .map(challenge -> requestOptions(challenge, own, "preferred"))));
        });
    }

    private PasskeyViews.RequestOptions requestOptions(byte[] challenge, List<PasskeyRecord> allowed,
                                                       String userVerification) {
        return new PasskeyViews.RequestOptions(BASE64URL.encodeToString(challenge),
                PasskeyChallenges.LIFETIME.toMillis(), properties.rpId(),
                allowed.stream().map(passkey -> new PasskeyViews.Descriptor("public-key",
                        BASE64URL.encodeToString(passkey.credentialId()), passkey.transports())).toList(),
                userVerification, List.of());
    }

    /**
     * Verifies a passkey's answer and signs the user in.
     *
     * @return the new session; 400 for a malformed body or credential, or a step whose user has no passkey; 401 for
     *         a refused answer (challenge, origin, rp id, signature, counter, user verification, credential or user
     *         handle) or an unknown, expired, used or exhausted mfa_token; 429 at the per-IP login limit
     *         (password-free) or when the account is MFA-locked; 503 when a store cannot be reached
     */
    public Mono<IssuedSession> verify(PasskeyViews.LoginVerifyRequest body, ServerWebExchange exchange) {
        return Mono.defer(() -> {
            if (body.credential() == null || !body.credential().isObject()) {
                return Mono.error(Errors.invalidRequest("Field 'credential' must be a WebAuthn "
                        + "AuthenticationResponseJSON object."));
            }
            String json = StrictJson.MAPPER.writeValueAsString(body.credential());
            String token = body.mfa_token();
            if (token == null) {
                return throttle.checkClientIp(exchange).then(Mono.defer(() -> passwordFree(json)));
            }
            if (token.isBlank()) {
                return Mono.error(Errors.invalidRequest("Field 'mfa_token' must not be blank."));
            }
            return secondFactor(token, json);
        });
    }

    // ---------------------------------------------------------------- second factor

    private Mono<IssuedSession> secondFactor(String token, String json) {
        return mfa.openStep(token)
                .flatMap(step -> mfa.enabledSettings(step, MfaLogin.PASSKEY)
                        .then(throttle.mfaAttempt(step.userId(), secondFactorAccepted(token, step, json)))
                        .flatMap(accepted -> accepted ? finishSecondFactor(token, step)
                                : Mono.error(() -> Errors.unauthorized(REFUSED))));
    }

    /** Whether {@code json} is a valid answer of one of the step's user's passkeys; a refusal uses an attempt. */
    private Mono<Boolean> secondFactorAccepted(String token, MfaChallenge step, String json) {
        return ceremonies.parseAuthentication(json)
                .flatMap(data -> take(data, PasskeyChallenges.Purpose.SECOND_FACTOR)
                        .filter(grant -> grant.userId() == step.userId()
                                && grant.binding().equals(PasskeyChallenges.bindingOf(token)))
                        .switchIfEmpty(Mono.error(() -> new WebAuthnCeremonies.Refused("challenge")))
                        .then(credentialOf(data))
                        .filter(passkey -> passkey.userId() == step.userId())
                        .switchIfEmpty(Mono.error(() -> new WebAuthnCeremonies.Refused("credential")))
                        .flatMap(passkey -> assertion(data, passkey, false)))
                .thenReturn(true)
                .onErrorResume(WebAuthnCeremonies.Refused.class, refused -> {
                    metrics.signIn(false, refused.reason());
                    return steps.recordFailure(token)
                            .then(Audit.mfaFailure(step.userId(), MfaLogin.PASSKEY, refused.reason()))
                            .thenReturn(false);
                });
    }

    /** Ends the mfa_token (one verification wins it) and starts the session in the step's generation. */
    private Mono<IssuedSession> finishSecondFactor(String token, MfaChallenge step) {
        return steps.close(token)
                .filter(Boolean::booleanValue)
                .switchIfEmpty(Mono.error(() -> Errors.unauthorized(EXPIRED)))
                .then(Mono.defer(() -> sessions.start(step.userId(), SECOND_FACTOR_AMR, step.generation())))
                .onErrorMap(PasskeyLogin::isRefusal, refused -> Errors.unauthorized(EXPIRED))
                .doOnNext(issued -> metrics.signIn(false, "success"))
                .flatMap(issued -> Audit.mfaSuccess(step.userId(), MfaLogin.PASSKEY)
                        .then(Audit.loginSuccess(step.userId(), issued.session().amr())).thenReturn(issued));
    }

    // ---------------------------------------------------------------- password-free

    private Mono<IssuedSession> passwordFree(String json) {
        return ceremonies.parseAuthentication(json)
                .flatMap(data -> take(data, PasskeyChallenges.Purpose.PASSWORD_FREE)
                        .switchIfEmpty(Mono.error(() -> new WebAuthnCeremonies.Refused("challenge")))
                        .then(credentialOf(data))
                        .switchIfEmpty(Mono.error(() -> new WebAuthnCeremonies.Refused("credential")))
                        .flatMap(passkey -> ownerHandleMatches(data, passkey)
                                .then(throttle.mfaAttempt(passkey.userId(), passwordFreeAccepted(data, passkey)))
                                .flatMap(accepted -> accepted ? startPasswordFree(passkey.userId())
                                        : Mono.error(() -> Errors.unauthorized(REFUSED)))))
                .onErrorResume(WebAuthnCeremonies.Refused.class, refused -> refusePasswordFree(null, refused));
    }

    /** The user handle the authenticator returned must be the one of the credential's owner. */
    private Mono<Void> ownerHandleMatches(AuthenticationData data, PasskeyRecord passkey) {
        byte[] returned = data.getUserHandle();
        if (returned == null) {
            return Mono.error(new WebAuthnCeremonies.Refused("user_handle"));
        }
        return stored(passkeys.userOfHandle(returned))
                .filter(owner -> owner == passkey.userId())
                .switchIfEmpty(Mono.error(() -> new WebAuthnCeremonies.Refused("user_handle")))
                .then();
    }

    /** Whether the answer of {@code passkey} is valid with user verification; a refusal counts as a wrong MFA code. */
    private Mono<Boolean> passwordFreeAccepted(AuthenticationData data, PasskeyRecord passkey) {
        return assertion(data, passkey, true)
                .thenReturn(true)
                .onErrorResume(WebAuthnCeremonies.Refused.class, refused -> {
                    metrics.signIn(true, refused.reason());
                    return Audit.passkeyLoginFailure(passkey.userId(), refused.reason()).thenReturn(false);
                });
    }

    private Mono<IssuedSession> startPasswordFree(long userId) {
        return stored(users.findById(userId))
                .filter(user -> !user.disabled())
                .switchIfEmpty(Mono.defer(() -> this.<UserRecord>refusePasswordFree(userId,
                        new WebAuthnCeremonies.Refused("disabled"))))
                .flatMap(user -> sessions.start(user.id(), PASSWORD_FREE_AMR, null))
                .doOnNext(issued -> metrics.signIn(true, "success"))
                .flatMap(issued -> Audit.loginSuccess(userId, issued.session().amr()).thenReturn(issued));
    }

    /** Records a refused password-free sign-in; always a 401 error. */
    private <T> Mono<T> refusePasswordFree(Long userId, WebAuthnCeremonies.Refused refused) {
        metrics.signIn(true, refused.reason());
        return Audit.passkeyLoginFailure(userId, refused.reason())
                .then(Mono.error(() -> Errors.unauthorized(REFUSED)));
    }

    // ---------------------------------------------------------------- shared steps

    /** Takes the challenge {@code data} answers; empty unless it was issued for {@code purpose}. */
    private Mono<PasskeyChallenges.Grant> take(AuthenticationData data, PasskeyChallenges.Purpose purpose) {
        return challenges.take(WebAuthnCeremonies.challengeOf(data.getCollectedClientData()))
                .filter(grant -> grant.purpose() == purpose);
    }

    private Mono<PasskeyRecord> credentialOf(AuthenticationData data) {
        return stored(passkeys.findByCredentialId(data.getCredentialId()))
                .filter(passkey -> Arrays.equals(passkey.credentialId(), data.getCredentialId()));
    }

    /** Verifies the assertion and records the new counter; a counter that did not grow is refused. */
    private Mono<Void> assertion(AuthenticationData data, PasskeyRecord passkey, boolean userVerificationRequired) {
        byte[] challenge = WebAuthnCeremonies.challengeOf(data.getCollectedClientData());
        return ceremonies.verifyAuthentication(data, challenge, passkey, userVerificationRequired)
                .flatMap(verified -> stored(passkeys.recordUse(passkey.id(), verified.signCount(),
                        verified.userVerified(), verified.backedUp())))
                .flatMap(recorded -> recorded ? Mono.<Void>empty()
                        : Mono.error(new WebAuthnCeremonies.Refused("counter")));
    }

    private static boolean isRefusal(Throwable failure) {
        return failure instanceof GatewayException refused && refused.code() == ErrorCode.UNAUTHORIZED;
    }

    private static <T> Mono<T> stored(Mono<T> call) {
        return call.onErrorMap(e -> !(e instanceof GatewayException) && !(e instanceof WebAuthnCeremonies.Refused),
                e -> Errors.unavailable("Passkey sign-in is not possible right now. Try again shortly."));
    }
}
