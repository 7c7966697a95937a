package io.s4e.gateway.console;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A gateway whose logins need a Turnstile captcha and whose console is configured with Turnstile's site key. The
 * vendor itself cannot be reached from the tests, so the browser shows what happens up to loading its widget.
 */
class ConsoleCaptchaIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static SecondGateway gateway;

    @BeforeAll
    static void start() {
        ConsoleBrowser.requireChromium();
        gateway = SecondGateway.start(Map.of(
                "s4e.captcha.enabled", "true",
                "s4e.captcha.vendors.turnstile.secret", "t-site-secret",
                "s4e.captcha.vendors.turnstile.verify-url",
                "http://127.0.0.1:" + TestInfrastructure.get().closedPort + "/siteverify",
                "s4e.console.captcha-vendor", "turnstile",
                "s4e.console.captcha-site-key", "0x4AAAAAAAtestSiteKey"));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void configAndPolicyWhenVendorConfiguredThenSiteKeyServedAndVendorHostsAllowed() {
        EntityExchangeResult<byte[]> config = TestClients.of(gateway.port()).get().uri("/console/config.json")
                .exchange().expectBody().returnResult();

        JsonNode captcha = JSON.readTree(new String(config.getResponseBody(), StandardCharsets.UTF_8)).path("captcha");
        assertThat(captcha.path("vendor").asString()).isEqualTo("turnstile");
        assertThat(captcha.path("site_key").asString()).isEqualTo("0x4AAAAAAAtestSiteKey");
        assertThat(config.getResponseBody()).asString(StandardCharsets.UTF_8).doesNotContain("t-site-secret");
        assertThat(config.getResponseHeaders().getFirst("Content-Security-Policy"))
                .contains("script-src 'self' https://challenges.cloudflare.com;")
                .contains("frame-src https://challenges.cloudflare.com;");
    }

    @Test
    void loginWhenCaptchaRequiredThenTheConsoleShowsTheEnvelopeMessageAndTheWidgetArea() {
        String email = ConsoleUsers.withPassword("member");
        try (ConsoleBrowser browser = new ConsoleBrowser("http://localhost:" + gateway.port())) {
            browser.signIn(email, ConsoleUsers.PASSWORD);

            String error = browser.waitForError("captcha");
            assertThat(browser.visible("#captcha").getText()).contains("could not be loaded");
            browser.screenshot("sign-in-captcha");
            assertThat(error).startsWith("A captcha").contains("could not be loaded");
            assertThat(browser.driver.findElement(By.id("main")).getDomAttribute("data-view"))
                    .isEqualTo("sign-in");
        }
    }

    @Test
    void startWhenConsoleVendorHasNoSecretThenRefused() {
        assertThatThrownBy(() -> SecondGateway.start(Map.of(
                "s4e.captcha.enabled", "true",
                "s4e.console.captcha-vendor", "hcaptcha",
                "s4e.console.captcha-site-key", "site-key")).close())
                .hasStackTraceContaining("s4e.console.captcha-vendor 'hcaptcha' has no s4e.captcha.vendors.hcaptcha.secret");
    }
}
