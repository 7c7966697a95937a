package io.s4e.gateway.login.captcha;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** reCAPTCHA v3: success, a score of at least {@code s4e.captcha.min-score}, and the configured action/hostname. */
@Component
class GoogleV3Verifier extends SiteVerifyVerifier {

    private final double minScore;

    GoogleV3Verifier(SiteVerifyClient client, CaptchaProperties properties) {
        super(client);
        this.minScore = properties.minScore();
    }

    @Override
    public String vendor() {
        return "googlev3";
    }

    @Override
    public String defaultVerifyUrl() {
        return "https://www.google.com/recaptcha/api/siteverify";
    }

    @Override
    Mono<SiteVerifyAnswer> accept(CaptchaProperties.Vendor config, SiteVerifyAnswer answer) {
        if (answer.score() == null || answer.score() < minScore) {
            return Mono.error(failed("The captcha score is too low."));
        }
        if (config.action() != null && !config.action().equals(answer.action())) {
            return Mono.error(failed("The captcha was solved for another action."));
        }
        if (config.hostname() != null && !config.hostname().equalsIgnoreCase(String.valueOf(answer.hostname()))) {
            return Mono.error(failed("The captcha was solved on another site."));
        }
        return Mono.just(answer);
    }
}
