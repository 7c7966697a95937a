package io.s4e.gateway.login.captcha;

import org.springframework.stereotype.Component;

/** hCaptcha: accepted on {@code success: true}. */
@Component
class HCaptchaVerifier extends SiteVerifyVerifier {

    HCaptchaVerifier(SiteVerifyClient client) {
        super(client);
    }

    @Override
    public String vendor() {
        return "hcaptcha";
    }

    @Override
    public String defaultVerifyUrl() {
        return "https://api.hcaptcha.com/siteverify";
    }
}
