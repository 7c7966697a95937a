package io.s4e.gateway.login.captcha;

import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.s4e.gateway.web.RequestIdLogContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The HTTP call all vendors share: a form POST of {@code secret}, {@code response} and {@code remoteip} to the
 * vendor's siteverify URL. A vendor that cannot be reached, times out or fails answers 503: logins fail closed.
 */
@Component
public class SiteVerifyClient {

    private static final Logger log = LoggerFactory.getLogger(SiteVerifyClient.class);

    private final WebClient client;
    private final CaptchaProperties properties;

    public SiteVerifyClient(ObjectProvider<WebClient.Builder> builders, CaptchaProperties properties) {
        this.client = builders.getIfAvailable(WebClient::builder).clone().build();
        this.properties = properties;
    }

    /**
     * Asks {@code url} about {@code response}.
     *
     * @return the vendor's answer; a 503 error when it cannot be had in time
     */
    public Mono<SiteVerifyAnswer> verify(String vendor, String url, String secret, String response, String remoteIp) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("secret", secret);
        form.add("response", response);
        if (remoteIp != null) {
            form.add("remoteip", remoteIp);
        }
        return client.post().uri(url)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .accept(MediaType.APPLICATION_JSON)
                .body(BodyInserters.fromFormData(form))
                .retrieve()
                .bodyToMono(SiteVerifyAnswer.class)
                .timeout(properties.timeout())
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("empty answer")))
                .transform(RequestIdLogContext.logOnError(e -> {
                    if (!(e instanceof GatewayException)) {
                        log.warn("Captcha vendor {} could not verify a login: {}", vendor, e.getClass().getSimpleName());
                    }
                }))
                .onErrorMap(e -> !(e instanceof GatewayException),
                        e -> Errors.unavailable("The captcha cannot be checked right now. Try again shortly."));
    }

}
