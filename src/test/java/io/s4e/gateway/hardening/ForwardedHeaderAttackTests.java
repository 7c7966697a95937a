package io.s4e.gateway.hardening;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.s4e.gateway.support.EchoedRequest;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forged forwarding headers from a peer that is not a trusted proxy, against a replica that believes it runs on
 * Kubernetes (where Spring Boot would otherwise honour forwarding headers from anyone), trusts no proxy, and honours
 * {@code bypass_captcha} only from 10.0.0.0/8. The vendor refuses every captcha, so only a bypass lets a login through.
 */
class ForwardedHeaderAttackTests {

    static SlowVendor vendor;
    static SecondGateway gateway;
    static String email;
    RawHttp http;

    @BeforeAll
    static void start() {
        vendor = new SlowVendor();
        gateway = SecondGateway.start(Map.ofEntries(
                Map.entry("spring.main.cloud-platform", "kubernetes"),
                Map.entry("s4e.captcha.enabled", "true"),
                Map.entry("s4e.captcha.bypass-cidrs", "10.0.0.0/8,192.0.2.0/24"),
                Map.entry("s4e.captcha.vendors.hcaptcha.secret", "h-site-secret"),
                Map.entry("s4e.captcha.vendors.hcaptcha.verify-url", vendor.url())));
        email = HardeningCalls.userWithPassword("member");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vendor.close();
    }

    @BeforeEach
    void setUp() {
        http = new RawHttp(gateway.port());
        vendor.answer("{\"success\":false}", Duration.ZERO);
        vendor.forms().clear();
    }

    /**
     * Defence: the client IP is the socket peer unless that peer is a trusted proxy (ClientIps, and forwarding
     * headers never rewriting the peer). Without it, any client names an address inside the bypass CIDRs and skips
     * the captcha, and the vendor is told the forged address.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "X-Forwarded-For: 10.1.2.3",
            "Forwarded: for=10.1.2.3",
            "Forwarded: for=\"10.1.2.3:4711\";proto=https;host=app.example.test",
            "X-Forwarded-For: 10.1.2.3, 192.0.2.1",
            "X-Real-IP: 10.1.2.3",
            "X-Client-IP: 10.1.2.3",
            "True-Client-IP: 10.1.2.3",
            "CF-Connecting-IP: 10.1.2.3",
            "X-Forwarded-Host: 10.1.2.3"
    })
    void captchaBypassWhenForwardingHeaderForgedByUntrustedPeerThenIgnored(String forged) {
        String body = "{\"email\":\"" + email + "\",\"password\":\"" + HardeningCalls.PASSWORD + "\","
                + "\"vendor\":\"hcaptcha\",\"captcha_response\":\"r\",\"bypass_captcha\":true}";

        RawHttp.Response reply = HardeningCalls.postJson(http, HardeningCalls.LOGIN, body, forged);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(reply.body(), "captcha_failed");
        assertThat(vendor.forms()).hasSize(1);
        assertThat(URLDecoder.decode(vendor.forms().get(0), StandardCharsets.UTF_8)).contains("remoteip=127.0.0.1")
                .doesNotContain("10.1.2.3");
    }

    /**
     * Defence: route policy is decided on the request's own path; headers other proxies use to carry an original
     * path ({@code X-Forwarded-Uri}, {@code X-Original-URL}, {@code X-Rewrite-URL}, {@code X-Forwarded-Prefix}) are
     * never read. Without it, a client labels a private path as public.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "X-Forwarded-Uri: /public/x",
            "X-Original-URL: /public/x",
            "X-Original-URI: /public/x",
            "X-Rewrite-URL: /public/x",
            "X-Forwarded-Prefix: /public",
            "X-Forwarded-Prefix: /public/..",
            "X-Forwarded-Path: /public/x",
            "X-Envoy-Original-Path: /public/x",
            "Forwarded: for=10.1.2.3;host=127.0.0.1;proto=http;path=/public/x"
    })
    void privateRouteWhenOriginalPathHeaderForgedThenStillPrivate(String forged) {
        RawHttp.Response reply = http.get("/private/x", forged);

        assertThat(reply.status()).as(reply.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(reply.body(), "unauthorized");
    }

    /**
     * Defence: a public route is forwarded with exactly the normalised path it was decided on, whatever prefix
     * header the client adds. Without it, the upstream would see a private path behind a public decision.
     */
    @ParameterizedTest
    @ValueSource(strings = {"X-Forwarded-Prefix: /private", "X-Forwarded-Prefix: /api/admin-tools"})
    void publicRouteWhenPrefixHeaderForgedThenUpstreamSeesThePublicPath(String forged) {
        RawHttp.Response reply = http.get("/public/x", forged);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        EchoedRequest echoed = EchoedRequest.of(reply.body());
        assertThat(echoed.uri()).isEqualTo("/public/x");
        assertThat(echoed.identityHeaderNames()).isEmpty();
    }
}
