package io.s4e.gateway.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.s4e.gateway.mfa.TotpAlgorithm;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Ports;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import jakarta.mail.internet.MimeMessage;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account pages of the console (CONTRACT §10) in headless Chromium, on a replica that mails to GreenMail and
 * whose reset links point at itself: forgot → mail → reset → sign in with TOTP; the session list with "sign out this
 * device"; the password change. Screenshots at 1280 and 390 px wide, in target/console-screenshots/ (with the other
 * console pages) and copied to target/screenshots/.
 */
@GatewayIntegrationTest
class AccountConsoleBrowserIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String NEW_PASSWORD = "a new console passphrase";

    static GreenMail smtp;
    static SecondGateway mailing;
    static int port;

    ConsoleBrowser browser;

    @BeforeAll
    static void startMailServerAndReplica() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        port = Ports.free();
        mailing = SecondGateway.start(Map.of(
                "server.port", Integer.toString(port),
                "spring.mail.host", "127.0.0.1",
                "spring.mail.port", Integer.toString(smtp.getSmtp().getPort()),
                "s4e.accounts.public-url", "http://localhost:" + port));
    }

    @AfterAll
    static void stop() {
        if (mailing != null) {
            mailing.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @AfterEach
    void tearDown() {
        if (browser != null) {
            browser.close();
        }
    }

    private void screenshot(String name) {
        browser.screenshot(name);
        try {
            Files.createDirectories(SCREENSHOTS);
            for (String width : new String[] {"-desktop.png", "-phone.png"}) {
                Files.copy(ConsoleBrowser.SCREENSHOTS.resolve(name + width), SCREENSHOTS.resolve(name + width),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String code(String secret, long step) {
        return TotpAlgorithm.code(new Base32().decode(secret), step, TotpAlgorithm.DIGITS);
    }

    private static String sid(String token) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
                .path("sid").asString();
    }

    private static JsonNode claims(String token) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    /** The link of the newest mail to {@code email}, waiting for it. */
    private static String mailedLink(String email) throws Exception {
        long deadline = System.nanoTime() + 15_000_000_000L;
        MimeMessage[] messages = smtp.getReceivedMessagesForDomain(email);
        while (messages.length == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            messages = smtp.getReceivedMessagesForDomain(email);
        }
        assertThat(messages).hasSize(1);
        Matcher link = Pattern.compile("http://localhost:" + port + "/console/#/reset\\?token=pwr_[A-Za-z0-9_-]{43}")
                .matcher(GreenMailUtil.getBody(messages[0]));
        assertThat(link.find()).as("the mail holds a link to the console's reset page").isTrue();
        return link.group();
    }

    private static int status(String token) {
        return TestClients.of(port).get().uri("/api/assets/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .exchange().expectBody().returnResult().getStatus().value();
    }

    @Test
    void forgotThenMailedLinkThenResetThenSignInStillAsksForTheAuthenticatorCode() throws Exception {
        browser = new ConsoleBrowser("http://localhost:" + port);
        String email = ConsoleUsers.withPassword("member");
        String secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true WHERE email = ?",
                TestData.sealTotpSecret(email, secret), email);

        browser.open("/console/");
        browser.waitForView("sign-in");
        assertThat(browser.visible("#forgot-password").getText()).isEqualTo("Forgot password?");
        browser.click("#forgot-password");
        browser.waitForView("forgot");
        browser.type("#forgot-email", email);
        screenshot("account-forgot");
        browser.click("#forgot-submit");
        String sent = browser.visible("#forgot-sent").getText();
        screenshot("account-forgot-sent");
        assertThat(sent).contains("If an account uses this e-mail address");

        String link = mailedLink(email);
        browser.driver.get(link);
        browser.waitForView("reset");
        assertThat(browser.driver.getCurrentUrl()).as("the token leaves the address bar at once")
                .endsWith("/console/#/reset").doesNotContain("pwr_");
        assertThat(browser.isShown("#reset-token")).isFalse();
        screenshot("account-reset");
        browser.type("#reset-password", "too short");
        browser.type("#reset-password-again", "too short");
        browser.driver.executeScript("document.getElementById('reset-password').removeAttribute('minlength');"
                + "document.getElementById('reset-password-again').removeAttribute('minlength');");
        browser.click("#reset-submit");
        assertThat(browser.waitForError("too short")).contains("at least 12 characters");
        browser.type("#reset-password", NEW_PASSWORD);
        browser.type("#reset-password-again", NEW_PASSWORD);
        browser.click("#reset-submit");
        browser.waitForView("sign-in");
        assertThat(browser.waitForNotice("password is changed")).contains("Sign in with the new password");

        browser.signIn(email, ConsoleUsers.PASSWORD);
        assertThat(browser.waitForError("Invalid email or password")).isNotEmpty();
        browser.signIn(email, NEW_PASSWORD);
        browser.waitForView("mfa");
        assertThat(browser.sessionToken()).as("no session before the second factor").isNull();
        browser.type("#mfa-code", code(secret, TotpAlgorithm.step(Instant.now())));
        browser.click("#mfa-submit");
        browser.waitForView("keys");
        assertThat(claims(browser.sessionToken()).path("amr").toString()).contains("\"mfa\"");
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE email = ?", email)).isEqualTo("t");
    }

    @Test
    void accountPageListsSessionsEndsAnotherDeviceAndChangesThePassword() throws Exception {
        browser = new ConsoleBrowser("http://localhost:" + port);
        String email = ConsoleUsers.withPassword("member");
        WebTestClient http = TestClients.of(port);
        String other = http.post().uri("/api/user/auth/login").header(HttpHeaders.USER_AGENT, "OtherDevice/1.0 (Android)")
                .header(HttpHeaders.CONTENT_TYPE, "application/json")
                .bodyValue("{\"email\":\"" + email + "\",\"password\":\"" + ConsoleUsers.PASSWORD + "\"}")
                .exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody()
                .path("data").path("token").asString();
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        String mine = browser.sessionToken();

        browser.click("#nav-account");
        browser.waitForView("account");
        browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#sessions-table tbody tr"), 2));
        WebElement current = browser.find("#sessions-table tr[data-session-id='" + sid(mine) + "']");
        WebElement theirs = browser.find("#sessions-table tr[data-session-id='" + sid(other) + "']");
        assertThat(current.getText()).contains("This device", "Chrome");
        assertThat(theirs.getText()).contains("Android", "127.0.0.1").doesNotContain("This device");
        screenshot("account-sessions");

        theirs.findElement(By.cssSelector("button.end-session")).click();
        browser.visible("#confirm");
        browser.click("#confirm-ok");
        browser.waitForNotice("device is signed out");
        browser.waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#sessions-table tbody tr"), 1));
        assertThat(status(other)).isEqualTo(401);
        assertThat(status(mine)).isEqualTo(200);

        browser.type("#password-current", "not the password");
        browser.type("#password-new", NEW_PASSWORD);
        browser.type("#password-again", NEW_PASSWORD);
        browser.click("#password-submit");
        assertThat(browser.waitForError("current password is wrong")).isNotEmpty();
        assertThat(browser.find("#main").getDomAttribute("data-view")).as("still signed in").isEqualTo("account");
        browser.type("#password-current", ConsoleUsers.PASSWORD);
        browser.type("#password-new", NEW_PASSWORD);
        browser.type("#password-again", NEW_PASSWORD);
        browser.click("#password-submit");
        browser.waitForNotice("Your password is changed");
        screenshot("account-password-changed");
        assertThat(status(mine)).as("this device stays signed in").isEqualTo(200);
        assertThat(browser.sessionToken()).isEqualTo(mine);
        http.post().uri("/api/user/auth/login").header(HttpHeaders.CONTENT_TYPE, "application/json")
                .bodyValue("{\"email\":\"" + email + "\",\"password\":\"" + NEW_PASSWORD + "\"}")
                .exchange().expectStatus().isOk();
    }
}
