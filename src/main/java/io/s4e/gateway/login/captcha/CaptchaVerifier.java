package io.s4e.gateway.login.captcha;

import reactor.core.publisher.Mono;

/** Verifies the captcha answers of one vendor. */
public interface CaptchaVerifier {

    /** The vendor name of the login request ({@code googlev3}, …). */
    String vendor();

    /** The vendor's public verification URL, used when none is configured. */
    String defaultVerifyUrl();

    /**
     * Checks {@code response} with the vendor.
     *
     * @return completes when accepted; a 400 {@code captcha_failed} error when refused; a 503 error when the vendor
     *         cannot be reached
     */
    Mono<Void> verify(CaptchaProperties.Vendor config, String response, String remoteIp);
}
