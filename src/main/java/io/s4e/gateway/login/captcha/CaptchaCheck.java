package io.s4e.gateway.login.captcha;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.web.Cidr;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The captcha step of a login: skipped when disabled, or when a bypass is asked for from a bypass CIDR; otherwise
 * the named vendor must accept the response.
 */
@Component
public class CaptchaCheck {

    private final CaptchaProperties properties;
    private final Map<String, CaptchaVerifier> verifiers = new HashMap<>();
    private final List<Cidr> bypassCidrs;

    public CaptchaCheck(CaptchaProperties properties, List<CaptchaVerifier> verifiers) {
        this.properties = properties;
        verifiers.forEach(v -> this.verifiers.put(v.vendor(), v));
        this.bypassCidrs = properties.bypassCidrs().stream().map(Cidr::parse).toList();
    }

    /**
     * Checks a login's captcha.
     *
     * @param vendor        the vendor named by the request, may be null
     * @param response      the captcha answer, may be null
     * @param wantsBypass   whether the request asked to skip the captcha
     * @param clientIp      the client IP (CONTRACT §4)
     * @return completes when the login may go on; 400 {@code invalid_request} for an unknown vendor, 400
     *         {@code captcha_failed} when missing or refused, 503 when the vendor cannot be reached
     */
    public Mono<Void> check(String vendor, String response, boolean wantsBypass, String clientIp) {
        if (!properties.enabled()) {
            return Mono.empty();
        }
        if (wantsBypass && isBypassPeer(clientIp)) {
            return Audit.captchaBypass();
        }
        CaptchaVerifier verifier = vendor == null ? null : verifiers.get(vendor);
        CaptchaProperties.Vendor config = vendor == null ? null : properties.vendor(vendor);
        if (vendor != null && (verifier == null || config == null || config.secret() == null
                || config.secret().isBlank())) {
            return Mono.error(Errors.invalidRequest("Unknown captcha vendor."));
        }
        if (response == null || response.isBlank()) {
            return Mono.error(SiteVerifyVerifier.failed("A captcha response is required."));
        }
        if (verifier == null) {
            return Mono.error(Errors.invalidRequest("Field 'vendor' is required with a captcha response."));
        }
        return verifier.verify(config, response, clientIp);
    }

    private boolean isBypassPeer(String clientIp) {
        InetAddress address = Cidr.parseAddress(clientIp).orElse(null);
        return address != null && bypassCidrs.stream().anyMatch(cidr -> cidr.contains(address));
    }
}
