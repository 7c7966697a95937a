package io.s4e.gateway.login.captcha;

import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import reactor.core.publisher.Mono;

/** A vendor whose siteverify answer is accepted on {@code success: true} alone; subclasses add checks. */
abstract class SiteVerifyVerifier implements CaptchaVerifier {

    private final SiteVerifyClient client;

    SiteVerifyVerifier(SiteVerifyClient client) {
        this.client = client;
    }

    @Override
    public Mono<Void> verify(CaptchaProperties.Vendor config, String response, String remoteIp) {
        String url = config.verifyUrl() == null || config.verifyUrl().isBlank() ? defaultVerifyUrl()
                : config.verifyUrl();
        return client.verify(vendor(), url, config.secret(), response, remoteIp)
                .flatMap(answer -> answer.succeeded() ? accept(config, answer)
                        : Mono.error(failed("The captcha was not accepted.")))
                .then();
    }

    /** Further checks of a successful answer; completes (with the answer) when accepted. */
    Mono<SiteVerifyAnswer> accept(CaptchaProperties.Vendor config, SiteVerifyAnswer answer) {
        return Mono.just(answer);
    }

    static GatewayException failed(String message) {
        return Errors.of(ErrorCode.CAPTCHA_FAILED, message);
    }
}
