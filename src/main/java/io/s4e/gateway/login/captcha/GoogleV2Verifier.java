package io.s4e.gateway.login.captcha;

import org.springframework.stereotype.Component;

/** reCAPTCHA v2: accepted on {@code success: true}. */
@Component
class GoogleV2Verifier extends SiteVerifyVerifier {

    GoogleV2Verifier(SiteVerifyClient client) {
        super(client);
    }

    @Override
    public String vendor() {
        return "googlev2";
    }

    @Override
    public String defaultVerifyUrl() {
        return "https://www.google.com/recaptcha/api/siteverify";
    }
}
