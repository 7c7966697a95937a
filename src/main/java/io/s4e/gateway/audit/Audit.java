package io.s4e.gateway.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.principal.Principal;
import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * The recording calls of the event sites: each returns a {@code Mono<Void>} to put into the request's own chain
 * (typically {@code .flatMap(x -> Audit.keyRevoked(…).thenReturn(x))}). It finds the request and the
 * {@link AuditLog} in the Reactor context, where {@link AuditContextFilter} put them, so no service needs another
 * constructor argument. Recording never fails and never waits: it completes at once, also outside a request (then
 * nothing is recorded). No call takes a secret.
 */
public final class Audit {

    private Audit() {
    }

    /** A password login (or its MFA step) ended with a new session; {@code amr} as in the token. */
    public static Mono<Void> loginSuccess(long userId, List<String> amr) {
        return record(AuditEntry.of(AuditEvents.LOGIN_SUCCESS, AuditEvents.SUCCESS, userId, Map.of("amr", amr)));
    }

    /**
     * A login was refused.
     *
     * @param reason one of {@link AuditEvents#BAD_PASSWORD}, {@link AuditEvents#UNKNOWN_ACCOUNT},
     *               {@link AuditEvents#CAPTCHA}, {@link AuditEvents#LOCKED}, {@link AuditEvents#DISABLED}
     * @param userId the account's user, or null when unknown
     */
    public static Mono<Void> loginFailure(String reason, Long userId) {
        return record(AuditEntry.of(AuditEvents.LOGIN_FAILURE, AuditEvents.FAILURE, userId, Map.of("reason", reason)));
    }

    /** A login was refused because the account is locked; {@code login.failure} with reason {@code locked}. */
    public static Mono<Void> loginLocked(Long userId) {
        return loginFailure(AuditEvents.LOCKED, userId);
    }

    /** A correct password opened an MFA step offering {@code methods}. */
    public static Mono<Void> mfaChallenge(long userId, List<String> methods) {
        return record(AuditEntry.of(AuditEvents.MFA_CHALLENGE, AuditEvents.SUCCESS, userId,
                Map.of("methods", methods)));
    }

    /** An e-mail login code was sent. */
    public static Mono<Void> mfaCodeSent(long userId) {
        return record(AuditEntry.of(AuditEvents.MFA_CODE_SENT, AuditEvents.SUCCESS, userId,
                Map.of("method", "email")));
    }

    /** A second factor was accepted; {@code method} is {@code totp}, {@code email} or {@code passkey}. */
    public static Mono<Void> mfaSuccess(long userId, String method) {
        return record(AuditEntry.of(AuditEvents.MFA_SUCCESS, AuditEvents.SUCCESS, userId, Map.of("method", method)));
    }

    /**
     * A second factor was refused.
     *
     * @param userId the step's user, or null when the mfa_token is unknown
     * @param method {@code totp}, {@code email}, {@code passkey}, or null when unknown
     * @param reason {@code wrong_code} or {@code invalid_token}; for {@code passkey} the check that failed
     *               ({@link #passkeyLoginFailure})
     */
    public static Mono<Void> mfaFailure(Long userId, String method, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", reason);
        if (method != null) {
            detail.put("method", method);
        }
        return record(AuditEntry.of(AuditEvents.MFA_FAILURE, AuditEvents.FAILURE, userId, detail));
    }

    /** A session was refreshed. */
    public static Mono<Void> sessionRefresh(long userId) {
        return record(AuditEntry.of(AuditEvents.SESSION_REFRESH, AuditEvents.SUCCESS, userId, Map.of()));
    }

    /** A session ended by logout, or every session of the user when {@code all}. */
    public static Mono<Void> sessionLogout(long userId, boolean all) {
        return record(AuditEntry.of(all ? AuditEvents.SESSION_LOGOUT_ALL : AuditEvents.SESSION_LOGOUT,
                AuditEvents.SUCCESS, userId, Map.of()));
    }

    /** {@code caller} created key {@code keyId} for user {@code ownerId}. */
    public static Mono<Void> keyCreated(Principal caller, String keyId, long ownerId, String keyHint,
                                        List<String> scopes) {
        Map<String, Object> detail = actor(caller);
        detail.put("scopes", scopes);
        return record(new AuditEntry(AuditEvents.KEY_CREATED, AuditEvents.SUCCESS, ownerId, keyId, keyHint, detail));
    }

    /** {@code caller} revoked key {@code keyId} of user {@code ownerId}. */
    public static Mono<Void> keyRevoked(Principal caller, String keyId, long ownerId, String keyHint) {
        return record(new AuditEntry(AuditEvents.KEY_REVOKED, AuditEvents.SUCCESS, ownerId, keyId, keyHint,
                actor(caller)));
    }

    /** {@code caller} rotated key {@code keyId} of user {@code ownerId}; {@code keyHint} is the new secret's. */
    public static Mono<Void> keyRotated(Principal caller, String keyId, long ownerId, String keyHint) {
        return record(new AuditEntry(AuditEvents.KEY_ROTATED, AuditEvents.SUCCESS, ownerId, keyId, keyHint,
                actor(caller)));
    }

    /** An expired key was presented (and refused). */
    public static Mono<Void> keyExpiredUse(long ownerId, String keyId, String keyHint) {
        return record(new AuditEntry(AuditEvents.KEY_EXPIRED_USE, AuditEvents.REFUSED, ownerId, keyId, keyHint,
                Map.of()));
    }

    /** {@code caller} created user {@code userId} with {@code role}. */
    public static Mono<Void> userCreated(Principal caller, long userId, String role, String tier) {
        Map<String, Object> detail = actor(caller);
        detail.put("role", role);
        detail.put("tier", tier);
        return record(AuditEntry.of(AuditEvents.USER_CREATED, AuditEvents.SUCCESS, userId, detail));
    }

    /**
     * {@code caller} changed user {@code userId}: {@code user.disabled} when the change disabled it, else
     * {@code user.changed}; {@code changes} names the fields asked for and their new values (null: unchanged).
     */
    public static Mono<Void> userChanged(Principal caller, long userId, boolean disabledNow, String role, String tier,
                                         Boolean disabled) {
        Map<String, Object> detail = actor(caller);
        Map<String, Object> changes = new LinkedHashMap<>();
        if (role != null) {
            changes.put("role", role);
        }
        if (tier != null) {
            changes.put("tier", tier);
        }
        if (disabled != null) {
            changes.put("disabled", disabled);
        }
        detail.put("changes", changes);
        return record(AuditEntry.of(disabledNow ? AuditEvents.USER_DISABLED : AuditEvents.USER_CHANGED,
                AuditEvents.SUCCESS, userId, detail));
    }

    /**
     * A password-free passkey sign-in was refused: {@code login.failure} with reason {@code passkey}.
     *
     * @param userId the passkey's user, or null when the credential is unknown
     * @param check  what failed: {@code challenge}, {@code origin}, {@code rp_id}, {@code signature},
     *               {@code counter}, {@code user_verification}, {@code credential}, {@code user_handle},
     *               {@code disabled} or {@code invalid}
     */
    public static Mono<Void> passkeyLoginFailure(Long userId, String check) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", AuditEvents.PASSKEY);
        detail.put("check", check);
        return record(AuditEntry.of(AuditEvents.LOGIN_FAILURE, AuditEvents.FAILURE, userId, detail));
    }

    /** User {@code userId} (recently signed in) asked for a challenge to add a passkey. */
    public static Mono<Void> passkeyRegistrationStarted(long userId) {
        return record(AuditEntry.of(AuditEvents.PASSKEY_REGISTRATION_STARTED, AuditEvents.SUCCESS, userId,
                Map.of()));
    }

    /** User {@code userId} added passkey {@code passkeyId}, attested in {@code format}. */
    public static Mono<Void> passkeyAdded(long userId, long passkeyId, String format) {
        return record(AuditEntry.of(AuditEvents.PASSKEY_ADDED, AuditEvents.SUCCESS, userId,
                Map.of("passkey_id", passkeyId, "attestation_format", format)));
    }

    /** A new passkey of user {@code userId} was refused; {@code check} as in {@link #passkeyLoginFailure}. */
    public static Mono<Void> passkeyRefused(long userId, String check) {
        return record(AuditEntry.of(AuditEvents.PASSKEY_REFUSED, AuditEvents.FAILURE, userId,
                Map.of("check", check)));
    }

    /** User {@code userId} renamed passkey {@code passkeyId}. */
    public static Mono<Void> passkeyRenamed(long userId, long passkeyId) {
        return record(AuditEntry.of(AuditEvents.PASSKEY_RENAMED, AuditEvents.SUCCESS, userId,
                Map.of("passkey_id", passkeyId)));
    }

    /** User {@code userId} deleted passkey {@code passkeyId}. */
    public static Mono<Void> passkeyRemoved(long userId, long passkeyId) {
        return record(AuditEntry.of(AuditEvents.PASSKEY_REMOVED, AuditEvents.SUCCESS, userId,
                Map.of("passkey_id", passkeyId)));
    }

    /** User {@code userId} turned second factor {@code factor} ({@code totp} or {@code email}) on. */
    public static Mono<Void> mfaFactorEnabled(long userId, String factor) {
        return record(AuditEntry.of(AuditEvents.MFA_FACTOR_ENABLED, AuditEvents.SUCCESS, userId,
                Map.of("factor", factor)));
    }

    /**
     * User {@code userId} turned second factor {@code factor} off; {@code recoveryCodesRemoved} codes went with it
     * (the last factor).
     */
    public static Mono<Void> mfaFactorRemoved(long userId, String factor, long recoveryCodesRemoved) {
        return record(AuditEntry.of(AuditEvents.MFA_FACTOR_REMOVED, AuditEvents.SUCCESS, userId,
                Map.of("factor", factor, "recovery_codes_removed", recoveryCodesRemoved)));
    }

    /** User {@code userId} drew a new set of {@code count} recovery codes, replacing any earlier set. */
    public static Mono<Void> mfaRecoveryCodesGenerated(long userId, int count) {
        return record(AuditEntry.of(AuditEvents.MFA_RECOVERY_CODES_GENERATED, AuditEvents.SUCCESS, userId,
                Map.of("count", count)));
    }

    /** {@code caller} removed every factor and recovery code of user {@code userId} and ended its sessions. */
    public static Mono<Void> mfaReset(Principal caller, long userId, long sessionsEnded) {
        Map<String, Object> detail = actor(caller);
        detail.put("sessions_ended", sessionsEnded);
        return record(AuditEntry.of(AuditEvents.MFA_RESET, AuditEvents.SUCCESS, userId, detail));
    }

    /** A login skipped its captcha from a bypass CIDR. */
    public static Mono<Void> captchaBypass() {
        return record(AuditEntry.of(AuditEvents.CAPTCHA_BYPASS, AuditEvents.SUCCESS, null, Map.of()));
    }

    /**
     * A password change of the signed-in user: {@code outcome} {@code success} (with {@code sessionsEnded}, the
     * other sessions it ended) or {@code failure} with {@code reason} ({@code bad_password}, {@code weak_password}).
     */
    public static Mono<Void> passwordChange(long userId, String outcome, String reason, Long sessionsEnded) {
        Map<String, Object> detail = new LinkedHashMap<>();
        if (reason != null) {
            detail.put("reason", reason);
        }
        if (sessionsEnded != null) {
            detail.put("sessions_ended", sessionsEnded);
        }
        return record(AuditEntry.of(AuditEvents.PASSWORD_CHANGE, outcome, userId, detail));
    }

    /**
     * A forgotten-password request after its 202: {@code result} is {@code mailed}, {@code throttled} (a mail went
     * out within the interval), {@code unknown_account} (no usable account: unknown, disabled or without password),
     * {@code mail_failed} or {@code dropped} (too many in flight).
     */
    public static Mono<Void> passwordForgot(Long userId, String result) {
        String outcome = "mailed".equals(result) ? AuditEvents.SUCCESS : AuditEvents.FAILURE;
        return record(AuditEntry.of(AuditEvents.PASSWORD_FORGOT, outcome, userId, Map.of("result", result)));
    }

    /**
     * A password reset with a mailed token: {@code success} (with the sessions it ended) or {@code failure} with
     * {@code reason} ({@code invalid_token}, {@code weak_password}).
     */
    public static Mono<Void> passwordReset(Long userId, String outcome, String reason, Long sessionsEnded) {
        Map<String, Object> detail = new LinkedHashMap<>();
        if (reason != null) {
            detail.put("reason", reason);
        }
        if (sessionsEnded != null) {
            detail.put("sessions_ended", sessionsEnded);
        }
        return record(AuditEntry.of(AuditEvents.PASSWORD_RESET, outcome, userId, detail));
    }

    /** The signed-in user ended one of its sessions from the session list; {@code current} when it was this one. */
    public static Mono<Void> sessionEnded(long userId, String sessionId, boolean current) {
        return record(AuditEntry.of(AuditEvents.SESSION_ENDED, AuditEvents.SUCCESS, userId,
                Map.of("session_id", sessionId, "current", current)));
    }

    /** Records {@code entry} for the request of the subscriber's context; completes at once. */
    public static Mono<Void> record(AuditEntry entry) {
        return Mono.deferContextual(context -> {
            AuditScope scope = context.getOrDefault(AuditScope.class, null);
            if (scope != null) {
                scope.log().record(scope.exchange(), entry);
            }
            return Mono.empty();
        });
    }

    private static Map<String, Object> actor(Principal caller) {
        Map<String, Object> detail = new LinkedHashMap<>();
        if (caller != null) {
            detail.put("actor_user_id", caller.userId());
            detail.put("actor_method", caller.method().wire());
            if (caller.keyId() != null) {
                detail.put("actor_key_id", caller.keyId());
            }
        }
        return detail;
    }

    /** The request and audit log of a request's Reactor context. */
    record AuditScope(AuditLog log, ServerWebExchange exchange) {
    }
}
