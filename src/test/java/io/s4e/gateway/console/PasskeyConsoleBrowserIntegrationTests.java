package io.s4e.gateway.console;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Ports;
import io.s4e.gateway.support.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passkeys in the console, in headless Chromium with the browser's own virtual authenticator (CTAP2, internal
 * transport, resident keys, user verification): the browser makes the keys, signs the challenges and speaks WebAuthn
 * to the gateway exactly as with a real authenticator. The gateway runs on a fixed free port so that its relying
 * party can name the origin the browser uses ({@code http://localhost:<port>}, rp id {@code localhost}).
 * Screenshots at 1280 and 390 px go to {@code target/screenshots/}.
 */
@GatewayIntegrationTest
class PasskeyConsoleBrowserIntegrationTests {

    private static final int PORT = Ports.free();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void fixedPort(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("s4e.webauthn.rp-id", () -> "localhost");
        registry.add("s4e.webauthn.origins", () -> "http://localhost:" + PORT);
    }

    @LocalServerPort
    int port;

    ConsoleBrowser browser;
    VirtualAuthenticator authenticator;

    @BeforeEach
    void setUp() {
        browser = new ConsoleBrowser("http://localhost:" + port);
        authenticator = browser.driver.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
                .setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
                .setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
                .setHasResidentKey(true)
                .setHasUserVerification(true)
                .setIsUserVerified(true)
                .setIsUserConsenting(true));
    }

    @AfterEach
    void tearDown() {
        if (browser != null) {
            browser.close();
        }
    }

    private static JsonNode claims(String token) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    /** Signs in with the password (no factor yet) and adds a passkey named {@code name} on the Account page. */
    private void addPasskeyOnAccountPage(String email, String name) {
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        browser.click("#nav-account");
        browser.waitForView("account");
        browser.visible("#passkeys-card");
        browser.visible("#passkeys-empty");
        browser.type("#passkey-name", name);
        browser.click("#passkey-add");
        browser.waitForNotice("added");
        browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#passkeys-table tbody"), name));
    }

    private void signOut() {
        browser.click("#sign-out");
        browser.waitForView("sign-in");
        assertThat(browser.sessionToken()).isNullOrEmpty();
    }

    @Test
    void passkeyAddedOnAccountPageThenSignInWithItAndNoPasswordThenRenamedAndDeleted() {
        String email = ConsoleUsers.withPassword("member");
        long userId = ConsoleUsers.id(email);

        addPasskeyOnAccountPage(email, "Test laptop");

        assertThat(TestData.queryString("SELECT count(*) FROM passkeys WHERE user_id = ?", userId)).isEqualTo("1");
        assertThat(authenticator.getCredentials()).hasSize(1);
        assertThat(authenticator.getCredentials().get(0).isResidentCredential()).isTrue();
        browser.screenshot(SCREENSHOTS, "account-passkeys");

        signOut();
        browser.visible("#passkey-sign-in");
        browser.screenshot(SCREENSHOTS, "sign-in-passkey");
        browser.click("#passkey-sign-in");
        browser.waitForView("keys");

        String token = browser.sessionToken();
        assertThat(claims(token).path("amr").toString()).isEqualTo("[\"hwk\"]");
        assertThat(browser.find("#who-email").getText()).isEqualTo(email);

        // a password-free session counts as recent MFA: rename and delete work from it
        browser.click("#nav-account");
        browser.waitForView("account");
        browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#passkeys-table tbody"), "Test laptop"));
        browser.click("#passkeys-table tbody button:not(.danger)");
        browser.type(".passkey-rename input", "Work laptop");
        browser.click(".passkey-rename button");
        browser.waitForNotice("renamed");
        browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#passkeys-table tbody"), "Work laptop"));
        browser.click("#passkeys-table tbody button.danger");
        browser.click("#confirm-ok");
        browser.waitForNotice("deleted");
        browser.visible("#passkeys-empty");
        assertThat(TestData.queryString("SELECT count(*) FROM passkeys WHERE user_id = ?", userId)).isEqualTo("0");
    }

    @Test
    void passkeyAsSecondFactorAfterPasswordGivesMfaSession() {
        String email = ConsoleUsers.withPassword("member");
        addPasskeyOnAccountPage(email, "Phone");
        signOut();

        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("mfa");
        browser.visible("#mfa-passkey");
        assertThat(browser.isShown("#mfa-code")).isFalse();
        browser.screenshot(SCREENSHOTS, "mfa-passkey");
        browser.click("#mfa-passkey");
        browser.waitForView("keys");

        assertThat(claims(browser.sessionToken()).path("amr").toString()).isEqualTo("[\"pwd\",\"mfa\",\"hwk\"]");
    }
}
