package io.s4e.gateway.console;

import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The self-service console under {@code /console} and the same-origin rule for cookie-authenticated requests.
 *
 * @param enabled        whether the gateway serves the console; default true (the same-origin rule holds either way)
 * @param captchaVendor  the captcha vendor whose widget the console shows when a login answers {@code captcha_failed}
 *                       ({@code googlev3}, {@code googlev2}, {@code hcaptcha}, {@code turnstile}); default none
 * @param captchaSiteKey the vendor's public site key; required with {@code captchaVendor}
 * @param trustedOrigins further origins ({@code https://host[:port]}) allowed to send cookie-authenticated
 *                       state-changing requests besides the gateway's own; default none
 */
@ConfigurationProperties("s4e.console")
public record ConsoleProperties(Boolean enabled, String captchaVendor, String captchaSiteKey,
                                List<String> trustedOrigins) {

    /** The vendors whose widget the console knows how to show. */
    public static final Set<String> VENDORS = Set.of("googlev3", "googlev2", "hcaptcha", "turnstile");

    public ConsoleProperties {
        enabled = enabled == null || enabled;
        captchaVendor = captchaVendor == null || captchaVendor.isBlank() ? null : captchaVendor.strip();
        captchaSiteKey = captchaSiteKey == null || captchaSiteKey.isBlank() ? null : captchaSiteKey.strip();
        if (captchaVendor != null && !VENDORS.contains(captchaVendor)) {
            throw new IllegalArgumentException("s4e.console.captcha-vendor must be one of googlev3, googlev2, "
                    + "hcaptcha, turnstile, not '" + captchaVendor + "'");
        }
        if (captchaVendor != null && captchaSiteKey == null) {
            throw new IllegalArgumentException("s4e.console.captcha-site-key is required when "
                    + "s4e.console.captcha-vendor is set");
        }
        if (captchaSiteKey != null && !captchaSiteKey.matches("[A-Za-z0-9_.-]{1,200}")) {
            throw new IllegalArgumentException("s4e.console.captcha-site-key must be 1 to 200 characters of "
                    + "[A-Za-z0-9_.-]");
        }
        trustedOrigins = trustedOrigins == null ? List.of()
                : trustedOrigins.stream().map(ConsoleProperties::origin).toList();
    }

    /** {@code value} as a normalised origin; refuses anything that is not {@code scheme://host[:port]}. */
    private static String origin(String value) {
        String origin = value == null ? null : Origins.normalise(value.strip());
        if (origin == null) {
            throw new IllegalArgumentException("s4e.console.trusted-origins: '" + value + "' is not an origin "
                    + "(http or https scheme, a host, an optional port, no path)");
        }
        return origin;
    }

    /** Whether a captcha widget is configured. */
    public boolean hasCaptcha() {
        return captchaVendor != null;
    }
}
