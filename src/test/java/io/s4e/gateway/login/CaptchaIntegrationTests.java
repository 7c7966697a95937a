package io.s4e.gateway.login;

import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import java.util.Map;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.support.TestUsers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The login captcha against a stub vendor: googlev3 with action/hostname expectations, hcaptcha, and a turnstile
 * that cannot be reached. Bypass is honoured from 10.0.0.0/8 only, and this gateway trusts no proxy.
 */
class CaptchaIntegrationTests {

    static final String PASSWORD = "captcha test password";
    static final JsonMapper JSON = JsonMapper.builder().build();

    static StubCaptchaVendor vendor;
    static SecondGateway gateway;
    static String email;

    @BeforeAll
    static void start() {
        vendor = StubCaptchaVendor.start();
        gateway = SecondGateway.start(Map.ofEntries(
                Map.entry("s4e.captcha.enabled", "true"),
                Map.entry("s4e.captcha.bypass-cidrs", "10.0.0.0/8"),
                Map.entry("s4e.captcha.timeout", "1s"),
                Map.entry("s4e.captcha.vendors.googlev3.secret", "v3-site-secret"),
                Map.entry("s4e.captcha.vendors.googlev3.verify-url", vendor.url()),
                Map.entry("s4e.captcha.vendors.googlev3.action", "login"),
                Map.entry("s4e.captcha.vendors.googlev3.hostname", "app.example.test"),
                Map.entry("s4e.captcha.vendors.hcaptcha.secret", "h-site-secret"),
                Map.entry("s4e.captcha.vendors.hcaptcha.verify-url", vendor.url()),
                Map.entry("s4e.captcha.vendors.turnstile.secret", "t-site-secret"),
                Map.entry("s4e.captcha.vendors.turnstile.verify-url",
                        "http://127.0.0.1:" + TestInfrastructure.get().closedPort + "/siteverify")));
        email = TestUsers.withPassword("captcha", "member", PASSWORD);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vendor.close();
    }

    @BeforeEach
    void goodAnswer() {
        vendor.answer(200, "{\"success\":true,\"score\":0.9,\"action\":\"login\",\"hostname\":\"app.example.test\"}");
    }

    @Test
    void loginWhenVendorAcceptsThenTokenAndFormCarriesSecretResponseAndIp() {
        vendor.forms().clear();

        Reply reply = login(gateway.port(), body("googlev3", "resp-123", false), null);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        String form = URLDecoder.decode(vendor.forms().get(0), StandardCharsets.UTF_8);
        assertThat(form).contains("secret=v3-site-secret").contains("response=resp-123").contains("remoteip=127.0.0.1");
        assertThat(login(gateway.port(), body("hcaptcha", "resp-h", false), null).status()).isEqualTo(200);
    }

    @Test
    void loginWhenScoreLowThenCaptchaFailed() {
        vendor.answer(200, "{\"success\":true,\"score\":0.3,\"action\":\"login\",\"hostname\":\"app.example.test\"}");

        assertCaptchaFailed(login(gateway.port(), body("googlev3", "resp", false), null));
    }

    @Test
    void loginWhenActionOrHostnameWrongThenCaptchaFailed() {
        vendor.answer(200, "{\"success\":true,\"score\":0.9,\"action\":\"signup\",\"hostname\":\"app.example.test\"}");
        assertCaptchaFailed(login(gateway.port(), body("googlev3", "resp", false), null));

        vendor.answer(200, "{\"success\":true,\"score\":0.9,\"action\":\"login\",\"hostname\":\"evil.example\"}");
        assertCaptchaFailed(login(gateway.port(), body("googlev3", "resp", false), null));
    }

    @Test
    void loginWhenVendorSaysNoThenCaptchaFailed() {
        vendor.answer(200, "{\"success\":false,\"error-codes\":[\"invalid-input-response\"]}");

        assertCaptchaFailed(login(gateway.port(), body("hcaptcha", "resp", false), null));
    }

    @Test
    void loginWhenResponseMissingThenCaptchaFailedWithoutAskingTheVendor() {
        vendor.forms().clear();

        assertCaptchaFailed(login(gateway.port(), body("googlev3", null, false), null));
        assertThat(vendor.forms()).isEmpty();
    }

    @Test
    void loginWhenVendorDownOrFailingThenServiceUnavailable() {
        Reply down = login(gateway.port(), body("turnstile", "resp", false), null);
        vendor.answer(500, "oops");
        Reply failing = login(gateway.port(), body("googlev3", "resp", false), null);
        vendor.answer(200, "<html>not json</html>");
        Reply garbage = login(gateway.port(), body("googlev3", "resp", false), null);

        for (Reply reply : new Reply[] {down, failing, garbage}) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(503);
            ErrorEnvelopes.assertEnvelope(reply.body(), "service_unavailable");
        }
    }

    @Test
    void loginWhenVendorUnknownOrNotConfiguredThenInvalidRequest() {
        for (String unknown : new String[] {"captchaco", "googlev2"}) {
            Reply reply = login(gateway.port(), body(unknown, "resp", false), null);
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
        }
    }

    @Test
    void loginWhenBypassFromUntrustedPeerThenIgnored() {
        Reply reply = login(gateway.port(), body(null, null, true), "10.1.2.3");

        assertCaptchaFailed(reply);
    }

    @Test
    void loginWhenBypassFromTrustedCidrThenHonoured() {
        try (SecondGateway trusted = SecondGateway.start(Map.of("s4e.captcha.enabled", "true",
                "s4e.captcha.bypass-cidrs", "127.0.0.0/8"))) {
            assertThat(login(trusted.port(), body(null, null, true), null).status()).isEqualTo(200);
            assertCaptchaFailed(login(trusted.port(), body(null, null, false), null));
        }
    }

    @Test
    void loginWhenCaptchaFailsThenPasswordIsNotReached() {
        vendor.answer(200, "{\"success\":false}");

        Reply wrongPassword = login(gateway.port(), "{\"email\":\"" + email + "\",\"password\":\"nope\","
                + "\"vendor\":\"googlev3\",\"captcha_response\":\"r\"}", null);

        assertCaptchaFailed(wrongPassword);
    }

    private static String body(String vendorName, String response, boolean bypass) {
        StringBuilder json = new StringBuilder("{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"");
        if (vendorName != null) {
            json.append(",\"vendor\":\"").append(vendorName).append('"');
        }
        if (response != null) {
            json.append(",\"captcha_response\":\"").append(response).append('"');
        }
        json.append(",\"bypass_captcha\":").append(bypass).append('}');
        return json.toString();
    }

    private static void assertCaptchaFailed(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(reply.body(), "captcha_failed");
    }

    private static Reply login(int port, String json, String forwardedFor) {
        var spec = TestClients.of(port).post().uri("/api/user/auth/login")
                .header(HttpHeaders.CONTENT_TYPE, "application/json");
        if (forwardedFor != null) {
            spec.header("X-Forwarded-For", forwardedFor);
        }
        return Reply.of(spec.bodyValue(json));
    }

}
