package io.s4e.gateway.login;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code POST /api/user/auth/login}. Holds a password: {@link #toString()} never shows it.
 *
 * @param email           the account's email
 * @param password        the account's password
 * @param captchaResponse the captcha widget's answer
 * @param bypassCaptcha   asks to skip the captcha; honoured only from a bypass CIDR
 * @param vendor          the captcha vendor ({@code googlev3}, {@code googlev2}, {@code hcaptcha}, {@code turnstile})
 */
public record LoginRequest(String email, String password,
                           @JsonProperty("captcha_response") String captchaResponse,
                           @JsonProperty("bypass_captcha") Boolean bypassCaptcha,
                           String vendor) {

    /** True when the client asked to skip the captcha. */
    public boolean wantsBypass() {
        return Boolean.TRUE.equals(bypassCaptcha);
    }

    @Override
    public String toString() {
        return "LoginRequest[vendor=" + vendor + ", bypassCaptcha=" + bypassCaptcha + "]";
    }
}
