package io.s4e.gateway.login.captcha;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.web.Cidr;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The captcha of password logins.
 *
 * @param enabled     whether a login must pass a captcha; default true
 * @param minScore    the lowest reCAPTCHA v3 score accepted; default 0.5
 * @param bypassCidrs peers whose {@code bypass_captcha: true} is honoured; default none
 * @param timeout     longest wait for a vendor before answering 503; default 3s
 * @param vendors     per vendor ({@code googlev3}, {@code googlev2}, {@code hcaptcha}, {@code turnstile}): secret,
 *                    verify URL and expectations; a vendor without a secret is not offered
 */
@ConfigurationProperties("s4e.captcha")
public record CaptchaProperties(Boolean enabled, Double minScore, List<String> bypassCidrs, Duration timeout,
                                Map<String, Vendor> vendors) {

    public CaptchaProperties {
        enabled = enabled == null || enabled;
        minScore = minScore == null ? 0.5 : minScore;
        if (minScore < 0 || minScore > 1) {
            throw new IllegalArgumentException("s4e.captcha.min-score must be between 0 and 1, not " + minScore);
        }
        bypassCidrs = bypassCidrs == null ? List.of() : List.copyOf(bypassCidrs);
        for (String cidr : bypassCidrs) {
            try {
                Cidr.parse(cidr);
            }
            catch (IllegalArgumentException invalid) {
                throw new IllegalArgumentException("s4e.captcha.bypass-cidrs: " + invalid.getMessage(), invalid);
            }
        }
        timeout = timeout == null ? Duration.ofSeconds(3) : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("s4e.captcha.timeout must be positive, not " + timeout);
        }
        vendors = vendors == null ? Map.of() : Map.copyOf(vendors);
    }

    /** The configuration of {@code vendor}; null when it has none. */
    public Vendor vendor(String vendor) {
        return vendors.get(vendor);
    }

    /**
     * One vendor's configuration. The secret is never shown by {@link #toString()}.
     *
     * @param secret    the site secret sent to the vendor
     * @param verifyUrl the vendor's verification URL; default its public one
     * @param action    googlev3 only: the action the token must carry, when set
     * @param hostname  googlev3 only: the hostname the token must carry, when set
     */
    public record Vendor(String secret, String verifyUrl, String action, String hostname) {

        @Override
        public String toString() {
            return "Vendor[verifyUrl=" + verifyUrl + ", action=" + action + ", hostname=" + hostname + "]";
        }
    }
}
