package io.s4e.gateway.login.captcha;

import org.springframework.stereotype.Component;

/** Cloudflare Turnstile: accepted on {@code success: true}. */
@Component
class TurnstileVerifier extends SiteVerifyVerifier {

    TurnstileVerifier(SiteVerifyClient client) {
        super(client);
    }

    @Override
    public String vendor() {
        return "turnstile";
    }

    @Override
    public String defaultVerifyUrl() {
        return "https://challenges.cloudflare.com/turnstile/v0/siteverify";
    }
}
