package io.s4e.gateway.console;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.s4e.gateway.login.captcha.CaptchaProperties;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.principal.Scopes;
import io.s4e.gateway.web.GatewayAttributes;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the console: static files from the jar's {@code console/} folder under {@code /console/}, and
 * {@code /console/config.json}, the little the page must know before anyone signs in (the captcha widget's public
 * site key, the scopes each role allows, the account tiers). The console itself talks only to the gateway's public
 * endpoints. With {@code s4e.console.enabled: false} nothing is served under {@code /console} (404).
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleRoutes {

    private static final Resource INDEX = new ClassPathResource("console/index.html");
    private static final List<String> TIERS = List.of("standard", "premium", "enterprise");

    private final ConsoleProperties properties;
    private final ConsoleConfig config;

    public ConsoleRoutes(ConsoleProperties properties, RoleScopes roles, CaptchaProperties captcha) {
        this.properties = properties;
        this.config = config(properties, roles, captcha);
    }

    /** {@code /console}, {@code /console/}, {@code /console/config.json} and the console's files. */
    @Bean
    public RouterFunction<ServerResponse> consoleEndpoints() {
        if (!properties.enabled()) {
            return request -> Mono.empty();
        }
        return RouterFunctions.route()
                // /console/ and /console have one canonical path; only /console/ is the page (its links are relative)
                .GET(ConsoleHeaders.PATH, request -> isPage(request)
                        ? ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(INDEX)
                        : ServerResponse.status(HttpStatus.PERMANENT_REDIRECT)
                                .location(URI.create(ConsoleHeaders.PATH + "/")).build())
                .GET(ConsoleHeaders.PATH + "/config.json", request -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(config))
                .add(RouterFunctions.resources(ConsoleHeaders.PATH + "/**", new ClassPathResource("console/")))
                .build();
    }

    private static boolean isPage(ServerRequest request) {
        return request.exchange().getAttribute(GatewayAttributes.TRAILING_SLASH) != null;
    }

    private static ConsoleConfig config(ConsoleProperties properties, RoleScopes roles, CaptchaProperties captcha) {
        Captcha widget = null;
        if (properties.hasCaptcha()) {
            CaptchaProperties.Vendor vendor = captcha.vendor(properties.captchaVendor());
            if (captcha.enabled() && (vendor == null || vendor.secret() == null || vendor.secret().isBlank())) {
                throw new IllegalArgumentException("s4e.console.captcha-vendor '" + properties.captchaVendor()
                        + "' has no s4e.captcha.vendors." + properties.captchaVendor() + ".secret: logins with its "
                        + "widget could never pass");
            }
            widget = new Captcha(properties.captchaVendor(), properties.captchaSiteKey(),
                    vendor == null || vendor.action() == null ? "login" : vendor.action());
        }
        Map<String, List<String>> allowed = new LinkedHashMap<>();
        roles.roles().stream().sorted().forEach(role -> {
            Set<String> scopes = roles.allowedFor(role);
            allowed.put(role, Scopes.ALL.stream().filter(scopes::contains).toList());
        });
        return new ConsoleConfig(widget, Scopes.ALL, allowed, TIERS);
    }

    /** The body of {@code /console/config.json}. */
    record ConsoleConfig(Captcha captcha, List<String> scopes, Map<String, List<String>> roles, List<String> tiers) {
    }

    /** The captcha widget to show when a login answers {@code captcha_failed}. */
    record Captcha(String vendor, @JsonProperty("site_key") String siteKey, String action) {
    }
}
