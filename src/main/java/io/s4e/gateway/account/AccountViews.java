package io.s4e.gateway.account;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The JSON shapes of the account self-service endpoints (CONTRACT §10). Requests holding secrets hide them. */
public final class AccountViews {

    private AccountViews() {
    }

    /** {@code POST /api/user/password} body. */
    public record PasswordChangeRequest(@JsonProperty("current_password") String currentPassword,
                                        @JsonProperty("new_password") String newPassword) {

        @Override
        public String toString() {
            return "PasswordChangeRequest[]";
        }
    }

    /** {@code POST /api/user/auth/password/forgot} body; the captcha fields are those of a login. */
    public record ForgotRequest(String email, @JsonProperty("captcha_response") String captchaResponse,
                                @JsonProperty("bypass_captcha") Boolean bypassCaptcha, String vendor) {

        @Override
        public String toString() {
            return "ForgotRequest[vendor=" + vendor + "]";
        }
    }

    /** {@code POST /api/user/auth/password/reset} body. */
    public record ResetRequest(String token, @JsonProperty("new_password") String newPassword) {

        @Override
        public String toString() {
            return "ResetRequest[]";
        }
    }

    /** {@code data} of {@code GET /api/user/me}. */
    public record Me(MeUser user, Mfa mfa, Auth auth) {
    }

    /** The user of {@link Me}. */
    public record MeUser(long id, String email, String role, String tier) {
    }

    /** The second factors of {@link Me}. */
    public record Mfa(boolean totp, boolean email, int passkeys,
                      @JsonProperty("recovery_codes_left") int recoveryCodesLeft) {
    }

    /** How the request of {@link Me} authenticated: {@code session} or {@code api_key}. */
    public record Auth(String method, List<String> amr,
                       @JsonProperty("key_id") @JsonInclude(JsonInclude.Include.NON_NULL) String keyId) {
    }

    /** {@code data} of a password change. */
    public record PasswordChanged(boolean changed, @JsonProperty("sessions_ended") long sessionsEnded) {
    }

    /** {@code data} of every forgotten-password request, whatever the e-mail. */
    public record ForgotAccepted(String message) {
    }

    /** {@code data} of a password reset. */
    public record PasswordReset(boolean reset, @JsonProperty("sessions_ended") long sessionsEnded) {
    }

    /** One session of {@code GET /api/user/sessions}. */
    public record SessionView(String id, @JsonProperty("created_at") Instant createdAt,
                              @JsonProperty("last_seen_at") Instant lastSeenAt,
                              @JsonProperty("client_ip") String clientIp,
                              @JsonProperty("user_agent") String userAgent, List<String> amr, boolean current,
                              @JsonProperty("expires_at") Instant expiresAt) {
    }

    /** {@code data} of {@code DELETE /api/user/sessions/{id}}. */
    public record SessionEnded(String id, boolean ended, boolean current) {
    }
}
