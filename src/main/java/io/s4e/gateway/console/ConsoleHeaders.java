package io.s4e.gateway.console;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.route.GatewayNamespaces;
import io.s4e.gateway.web.GatewayWebFilter;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

/**
 * The security headers of every response under {@code /console} (errors included): a Content-Security-Policy that
 * allows scripts and styles only from the gateway itself (no inline script, no {@code eval}; the configured captcha
 * vendor's hosts are added when one is set), no framing ({@code frame-ancestors 'none'} and
 * {@code X-Frame-Options: DENY}), {@code X-Content-Type-Options: nosniff}, {@code Referrer-Policy: no-referrer},
 * and {@code Cache-Control: no-cache} so a new version of the console is picked up at once.
 */
@Component
public class ConsoleHeaders extends GatewayWebFilter {

    /** The path every console page and asset lives under. */
    public static final String PATH = GatewayNamespaces.CONSOLE;

    private final String contentSecurityPolicy;

    public ConsoleHeaders(ConsoleProperties properties) {
        this.contentSecurityPolicy = contentSecurityPolicy(properties.captchaVendor());
    }

    /** The policy for a console whose captcha vendor is {@code vendor} (null: none). */
    static String contentSecurityPolicy(String vendor) {
        String scripts = "'self'";
        String frames = "'none'";
        String styles = "'self'";
        String connect = "'self'";
        if (vendor != null) {
            switch (vendor) {
                case "googlev3", "googlev2" -> {
                    scripts += " https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/";
                    frames = "https://www.google.com/recaptcha/ https://recaptcha.google.com/recaptcha/";
                }
                case "hcaptcha" -> {
                    scripts += " https://hcaptcha.com https://*.hcaptcha.com";
                    frames = "https://hcaptcha.com https://*.hcaptcha.com";
                    styles += " https://hcaptcha.com https://*.hcaptcha.com";
                    connect += " https://hcaptcha.com https://*.hcaptcha.com";
                }
                case "turnstile" -> {
                    scripts += " https://challenges.cloudflare.com";
                    frames = "https://challenges.cloudflare.com";
                }
                default -> throw new IllegalArgumentException("Unknown captcha vendor: " + vendor);
            }
        }
        return "default-src 'none'; script-src " + scripts + "; style-src " + styles + "; img-src 'self' data:; "
                + "connect-src " + connect + "; frame-src " + frames + "; font-src 'self'; manifest-src 'self'; "
                + "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
            return chain.filter(exchange);
        }
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("Content-Security-Policy", contentSecurityPolicy);
        headers.set("X-Frame-Options", "DENY");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        if (!path.endsWith(".json")) {
            // the console's files: revalidated, so an upgrade is seen at once; its JSON keeps no-store
            headers.set(HttpHeaders.CACHE_CONTROL, "no-cache");
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.CONSOLE_HEADERS;
    }
}
