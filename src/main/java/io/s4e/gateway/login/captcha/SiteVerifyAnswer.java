package io.s4e.gateway.login.captcha;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What a vendor's siteverify endpoint answered (the fields the gateway reads).
 *
 * @param success  whether the vendor accepted the response
 * @param score    reCAPTCHA v3 score, null for other vendors
 * @param action   reCAPTCHA v3 action, when given
 * @param hostname the site the challenge was solved on, when given
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SiteVerifyAnswer(Boolean success, Double score, String action, String hostname) {

    /** True only when the vendor said {@code success: true}. */
    public boolean succeeded() {
        return Boolean.TRUE.equals(success);
    }
}
