package io.s4e.gateway.audit;

import java.util.List;

/** The names of audit events, their outcomes and the reasons of a failed login. */
public final class AuditEvents {

    public static final String LOGIN_SUCCESS = "login.success";
    public static final String LOGIN_FAILURE = "login.failure";
    public static final String MFA_CHALLENGE = "mfa.challenge";
    public static final String MFA_CODE_SENT = "mfa.code_sent";
    public static final String MFA_SUCCESS = "mfa.success";
    public static final String MFA_FAILURE = "mfa.failure";
    public static final String SESSION_REFRESH = "session.refresh";
    public static final String SESSION_LOGOUT = "session.logout";
    public static final String SESSION_LOGOUT_ALL = "session.logout_all";
    public static final String KEY_CREATED = "key.created";
    public static final String KEY_REVOKED = "key.revoked";
    public static final String KEY_ROTATED = "key.rotated";
    public static final String KEY_EXPIRED_USE = "key.expired_use";
    public static final String USER_CREATED = "user.created";
    public static final String USER_CHANGED = "user.changed";
    public static final String USER_DISABLED = "user.disabled";
    public static final String REQUEST_REFUSED = "request.refused";
    public static final String CAPTCHA_BYPASS = "captcha.bypass";
    public static final String PASSWORD_CHANGE = "password.change";
    public static final String PASSWORD_FORGOT = "password.forgot";
    public static final String PASSWORD_RESET = "password.reset";
    public static final String SESSION_ENDED = "session.ended";
    public static final String PASSKEY_REGISTRATION_STARTED = "passkey.registration_started";
    public static final String PASSKEY_ADDED = "passkey.added";
    public static final String PASSKEY_REFUSED = "passkey.refused";
    public static final String PASSKEY_RENAMED = "passkey.renamed";
    public static final String PASSKEY_REMOVED = "passkey.removed";
    public static final String MFA_FACTOR_ENABLED = "mfa.factor_enabled";
    public static final String MFA_FACTOR_REMOVED = "mfa.factor_removed";
    public static final String MFA_RECOVERY_CODES_GENERATED = "mfa.recovery_codes_generated";
    public static final String MFA_RESET = "mfa.reset";
    public static final String LOCKOUT_LIFTED = "lockout.lifted";

    /** Every event name, as {@code event=} accepts them. */
    public static final List<String> ALL = List.of(LOGIN_SUCCESS, LOGIN_FAILURE, MFA_CHALLENGE, MFA_CODE_SENT,
            MFA_SUCCESS, MFA_FAILURE, SESSION_REFRESH, SESSION_LOGOUT, SESSION_LOGOUT_ALL, KEY_CREATED, KEY_REVOKED,
            KEY_ROTATED, KEY_EXPIRED_USE, USER_CREATED, USER_CHANGED, USER_DISABLED, REQUEST_REFUSED, CAPTCHA_BYPASS,
            PASSWORD_CHANGE, PASSWORD_FORGOT, PASSWORD_RESET, SESSION_ENDED,
            PASSKEY_REGISTRATION_STARTED, PASSKEY_ADDED, PASSKEY_REFUSED, PASSKEY_RENAMED, PASSKEY_REMOVED,
            MFA_FACTOR_ENABLED, MFA_FACTOR_REMOVED, MFA_RECOVERY_CODES_GENERATED, MFA_RESET,
            LOCKOUT_LIFTED);

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String REFUSED = "refused";

    /** {@code login.failure} reason: the password did not match. */
    public static final String BAD_PASSWORD = "bad_password";
    /** {@code login.failure} reason: no user with this email, or a user without a password. */
    public static final String UNKNOWN_ACCOUNT = "unknown_account";
    /** {@code login.failure} reason: the captcha was missing or refused. */
    public static final String CAPTCHA = "captcha";
    /** {@code login.failure} reason: the account is locked after too many failures. */
    public static final String LOCKED = "locked";
    /** {@code login.failure} reason: the password matched a disabled user. */
    public static final String DISABLED = "disabled";
    /** {@code login.failure} reason: a password-free passkey sign-in was refused (detail {@code check} says why). */
    public static final String PASSKEY = "passkey";

    private AuditEvents() {
    }
}
