package io.s4e.gateway.console;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.NotFoundException;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.sun.net.httpserver.HttpServer;
import io.s4e.gateway.mfa.TotpAlgorithm;
import io.s4e.gateway.mfa.TotpSecrets;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in headless Chromium against the whole gateway: what a browser does with the gateway's cookies and
 * endpoints. The browser reaches the gateway at {@code http://localhost:<port>}.
 */
@GatewayIntegrationTest
class ConsoleBrowserIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    WebTestClient http;
    ConsoleBrowser browser;
    HttpServer otherSite;

    @BeforeEach
    void setUp() {
        http = TestClients.of(port);
        browser = new ConsoleBrowser("http://localhost:" + port);
    }

    @AfterEach
    void tearDown() {
        if (otherSite != null) {
            otherSite.stop(0);
        }
        if (browser != null) {
            browser.close();
        }
    }

    private static String code(String secret, long step) {
        return TotpAlgorithm.code(new Base32().decode(secret), step, TotpAlgorithm.DIGITS);
    }

    private int statusWithKey(String key) {
        return http.get().uri("/api/assets/1").header("X-API-Key", key).exchange().expectBody().returnResult()
                .getStatus().value();
    }

    private int keysWithBearer(String token) {
        return http.get().uri("/api/keys").header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                .expectBody().returnResult().getStatus().value();
    }

    /** Repeats {@code statusWithKey} until it answers {@code expected} (revocation reaches the cache by pub/sub). */
    private void awaitStatusWithKey(String key, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        int status = statusWithKey(key);
        while (status != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = statusWithKey(key);
        }
        assertThat(status).isEqualTo(expected);
    }

    private static String decodeQr(byte[] png) throws IOException, NotFoundException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        return new MultiFormatReader().decode(bitmap, Map.of(DecodeHintType.POSSIBLE_FORMATS,
                List.of(BarcodeFormat.QR_CODE), DecodeHintType.TRY_HARDER, Boolean.TRUE)).getText();
    }

    private static JsonNode claims(String token) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    @Test
    void totpEnrolledByQrCodeThenSignInAsksForTheCodeAndGivesAnMfaSession() throws Exception {
        String email = ConsoleUsers.withPassword("member");
        browser.open("/console/");
        browser.waitForView("sign-in");
        browser.screenshot("sign-in");
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");

        browser.click("#nav-account");
        browser.waitForView("account");
        browser.click("#totp-setup");
        WebElement qr = browser.visible("#totp-qr");
        browser.waiting().until(d -> !browser.find("#totp-secret").getText().isEmpty());
        String secret = TestData.storedTotpSecret(email);
        String otpauthUri = TotpSecrets.otpauthUri(email, secret);
        // Focusing the code field may scroll the page; the QR code must not sit under the sticky header when captured.
        browser.driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", qr);
        byte[] seen = browser.elementAsSeen(qr);
        Files.createDirectories(ConsoleBrowser.SCREENSHOTS);
        Files.write(ConsoleBrowser.SCREENSHOTS.resolve("account-totp-qr.png"), seen);
        String drawn = (String) browser.driver.executeScript(
                "return arguments[0].toDataURL('image/png').split(',')[1]", qr);
        browser.screenshot("account-totp");

        assertThat(decodeQr(Base64.getDecoder().decode(drawn))).isEqualTo(otpauthUri);
        assertThat(decodeQr(seen)).isEqualTo(otpauthUri);
        assertThat(browser.find("#totp-secret").getText()).isEqualTo(secret);
        assertThat(browser.find("#totp-uri").getDomProperty("textContent")).isEqualTo(otpauthUri);
        assertThat(otpauthUri).startsWith("otpauth://totp/");

        long step = TotpAlgorithm.step(Instant.now());
        browser.type("#totp-code", code(secret, step));
        browser.click("#totp-confirm");
        assertThat(browser.visible("#totp-status").getText()).contains("authenticator app is on");
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE email = ?", email)).isEqualTo("t");

        browser.click("#sign-out");
        browser.waitForView("sign-in");
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("mfa");
        assertThat(browser.find("#mfa-method-totp").isSelected()).isTrue();
        assertThat(browser.isShown("[data-method=email]")).isFalse();
        assertThat(browser.sessionToken()).isNull();
        browser.screenshot("mfa");
        browser.type("#mfa-code", code(secret, step + 1));
        browser.click("#mfa-submit");
        browser.waitForView("keys");

        assertThat(browser.find("#who-email").getText()).isEqualTo(email);
        assertThat(claims(browser.sessionToken()).path("amr").toString()).contains("\"mfa\"", "\"otp\"");
        assertThat((String) browser.driver.executeScript("return JSON.stringify(window.localStorage)"))
                .isEqualTo("{}");
        assertThat((String) browser.driver.executeScript("return JSON.stringify(window.sessionStorage)"))
                .doesNotContain(browser.sessionToken()).doesNotContain(secret);
    }

    @Test
    void recoveryCodesRegeneratedOnTheAccountPageThenSignInWithOne() {
        String email = ConsoleUsers.withPassword("member");
        String secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true WHERE email = ?",
                TestData.sealTotpSecret(email, secret), email);
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("mfa");
        browser.type("#mfa-code", code(secret, TotpAlgorithm.step(Instant.now())));
        browser.click("#mfa-submit");
        browser.waitForView("keys");

        browser.click("#nav-account");
        browser.waitForView("account");
        browser.click("#recovery-generate");
        browser.waiting().until(d -> browser.driver.findElements(By.cssSelector("#recovery-list li")).size() == 10);
        List<String> codes = browser.driver.findElements(By.cssSelector("#recovery-list code")).stream()
                .map(WebElement::getText).toList();
        assertThat(codes).hasSize(10).allSatisfy(c -> assertThat(c).matches("[0-9a-z]{5}-[0-9a-z]{5}"));
        assertThat(browser.find("#recovery-left").getText()).contains("10 unused recovery codes");
        browser.screenshot("account-recovery-codes");
        browser.driver.executeScript("window.s4eDownloaded = null; const create = URL.createObjectURL;"
                + "URL.createObjectURL = function (blob) { blob.text().then(t => { window.s4eDownloaded = t; });"
                + " return create.call(URL, blob); };");
        browser.click("#recovery-download");
        browser.waiting().until(d -> browser.driver.executeScript("return window.s4eDownloaded") != null);
        String downloaded = (String) browser.driver.executeScript("return window.s4eDownloaded");
        assertThat(downloaded).contains(email).contains(String.join("\n", codes));
        browser.click("#recovery-done");
        assertThat(browser.isShown("#recovery-list")).isFalse();

        browser.click("#sign-out");
        browser.waitForView("sign-in");
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("mfa");
        assertThat(browser.isShown("#mfa-choice-recovery")).isTrue();
        browser.click("label[for=mfa-method-recovery]");
        browser.type("#mfa-code", codes.get(7));
        browser.screenshot("mfa-recovery-code");
        browser.click("#mfa-submit");
        browser.waitForView("keys");

        assertThat(claims(browser.sessionToken()).path("amr").toString()).contains("\"mfa\"", "\"rc\"");
        assertThat(TestData.queryString("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?",
                ConsoleUsers.id(email))).isEqualTo("9");

        // The recovery-code sign-in is recent MFA: the lost factor can be turned off (and the codes go with it).
        browser.click("#nav-account");
        browser.waitForView("account");
        browser.click("#factor-totp-off");
        browser.visible("#confirm-ok");
        browser.click("#confirm-ok");
        browser.waitForNotice("The authenticator app is off.");
        assertThat(browser.find("#factor-totp-state").getText()).isEqualTo("off");
        assertThat(browser.find("#recovery-left").getText()).contains("0 unused recovery codes");
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE email = ?", email)).isEqualTo("f");
        assertThat(TestData.queryString("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?",
                ConsoleUsers.id(email))).isEqualTo("0");
        browser.screenshot("account-factor-off");
    }

    @Test
    void resetMfaFromTheUsersPageThenTheUsersFactorsAreGone() {
        String user = ConsoleUsers.withPassword("member");
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true, email_mfa_enabled = true "
                + "WHERE email = ?", TestData.sealTotpSecret(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), user);
        long id = ConsoleUsers.id(user);
        browser.signIn(ConsoleUsers.withPassword("admin"), ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        browser.click("#nav-users");
        browser.waitForView("users");

        browser.click("tr[data-user-id='" + id + "'] .reset-mfa");
        browser.visible("#confirm-ok");
        browser.screenshot("users-reset-mfa");
        browser.click("#confirm-ok");

        assertThat(browser.waitForNotice("MFA of " + user + " is reset")).contains("sessions ended");
        assertThat(TestData.queryString("SELECT totp_enabled OR email_mfa_enabled FROM users WHERE id = ?", id))
                .isEqualTo("f");
    }

    @Test
    void mfaStepWithBothMethodsThenSendCodeForEmailShowsTheEnvelopeMessage() {
        String email = ConsoleUsers.withPassword("member");
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true, email_mfa_enabled = true "
                + "WHERE email = ?", TestData.sealTotpSecret(email, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), email);
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("mfa");

        assertThat(browser.isShown("[data-method=totp]")).isTrue();
        assertThat(browser.isShown("#mfa-send")).isFalse();
        browser.click("label[for=mfa-method-email]");
        browser.click("#mfa-send");

        assertThat(browser.waitForError("no mail server")).isEqualTo(
                "E-mail codes are not available: no mail server is configured.");
        browser.screenshot("mfa-email");
        browser.type("#mfa-code", "000000");
        browser.click("#mfa-submit");
        assertThat(browser.waitForError("Invalid code")).isEqualTo("Invalid code.");
        assertThat(browser.sessionToken()).isNull();
    }

    @Test
    void keyCreatedInTheConsoleWorksOverHttpUntilRevokedThere() throws Exception {
        String email = ConsoleUsers.withPassword("member");
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        assertThat(browser.isShown("#scope-read-assets")).isTrue();
        assertThat(browser.driver.findElements(By.id("scope-admin"))).isEmpty();

        browser.type("#key-name", "ci-browser");
        browser.click("#scope-read-assets");
        browser.click("#create-key-submit");
        String key = browser.visible("#new-secret-value").getDomProperty("value");
        WebElement row = browser.waiting().until(ExpectedConditions.visibilityOfElementLocated(
                By.xpath("//table[@id='keys-table']//tr[td[1][contains(., 'ci-browser')]]")));
        browser.screenshot("keys-new-secret");

        assertThat(key).startsWith("s4e_live_").hasSize(41);
        assertThat(row.getText()).contains(key.substring(0, 13) + "…" + key.substring(key.length() - 4), "read:assets",
                "Active");
        assertThat(statusWithKey(key)).isEqualTo(200);

        browser.click("#new-secret-done");
        assertThat(browser.isShown("#new-secret")).isFalse();
        row.findElement(By.cssSelector("button[aria-label='Rotate key ci-browser']")).click();
        browser.visible("#confirm");
        browser.click("#confirm-ok");
        browser.waiting().until(d -> !browser.find("#new-secret-value").getDomProperty("value").isEmpty());
        String rotated = browser.find("#new-secret-value").getDomProperty("value");
        assertThat(rotated).isNotEqualTo(key).startsWith("s4e_live_");
        assertThat(browser.find("#new-secret-grace").getText()).contains("previous secret keeps working");
        assertThat(statusWithKey(rotated)).isEqualTo(200);

        row = browser.visible("#keys-table tbody tr");
        row.findElement(By.cssSelector("button[aria-label='Revoke key ci-browser']")).click();
        browser.visible("#confirm");
        browser.click("#confirm-ok");
        browser.waitForNotice("is revoked");
        browser.waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("keys-table"), "Revoked"));

        awaitStatusWithKey(rotated, 401);
        awaitStatusWithKey(key, 401);
    }

    @Test
    void revokeCancelledInTheDialogThenKeyStaysActive() {
        String email = ConsoleUsers.withPassword("member");
        String secret = TestData.key(ConsoleUsers.id(email), List.of("read:assets"));
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");

        browser.click("button[aria-label='Revoke key test key']");
        browser.visible("#confirm");
        browser.click("#confirm-cancel");

        assertThat(browser.isShown("#confirm")).isFalse();
        assertThat(TestData.queryString("SELECT revoked_at FROM api_keys WHERE id = ?", TestData.keyId(secret)))
                .isNull();
    }

    @Test
    void signOutEndsTheSessionAndAnEndedSessionReturnsToSignIn() {
        String email = ConsoleUsers.withPassword("member");
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        String first = browser.sessionToken();

        browser.click("#sign-out");
        browser.waitForView("sign-in");
        browser.waitForNotice("Signed out");
        assertThat(keysWithBearer(first)).isEqualTo(401);
        assertThat(browser.sessionToken()).isNull();

        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        String second = browser.sessionToken();
        http.post().uri("/api/user/auth/logout").header(HttpHeaders.AUTHORIZATION, "Bearer " + second).exchange()
                .expectStatus().isOk();
        browser.driver.navigate().refresh();

        browser.waitForView("sign-in");
        assertThat(browser.waitForError("session has ended")).contains("sign in again");
    }

    @Test
    void wrongPasswordThenTheEnvelopeMessageIsShown() {
        String email = ConsoleUsers.withPassword("member");

        browser.signIn(email, "not the password at all");

        assertThat(browser.waitForError("Invalid email or password.")).isEqualTo("Invalid email or password.");
        assertThat(browser.driver.findElement(By.id("main")).getDomAttribute("data-view")).isEqualTo("sign-in");
    }

    @Test
    void crossSitePostWithTheSessionCookieIsRefused() throws IOException {
        String email = ConsoleUsers.withPassword("member");
        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        String token = browser.sessionToken();
        String target = "http://localhost:" + port + "/api/user/auth/logout";
        otherSite = HttpServer.create(new InetSocketAddress(0), 0);
        otherSite.createContext("/", exchange -> {
            byte[] page = ("<!doctype html><title>elsewhere</title><form id=f method=post action='" + target
                    + "'></form><script>document.getElementById('f').submit()</script>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        otherSite.start();
        int otherPort = otherSite.getAddress().getPort();

        // Same site, other origin (another port of localhost): SameSite=Lax lets the cookie through, the gateway refuses.
        browser.driver.get("http://localhost:" + otherPort + "/");
        browser.waiting().until(d -> d.getPageSource().contains("\"status\":\"error\""));
        String sameSite = browser.driver.getPageSource();
        // Cross site (127.0.0.1 is another site than localhost): the browser does not even send the cookie.
        browser.driver.get("http://127.0.0.1:" + otherPort + "/");
        browser.waiting().until(d -> d.getPageSource().contains("\"status\":\"error\""));
        String crossSite = browser.driver.getPageSource();

        assertThat(sameSite).contains("\"code\":\"forbidden\"", "own origin");
        assertThat(crossSite).contains("\"code\":\"unauthorized\"");
        assertThat(keysWithBearer(token)).isEqualTo(200);
        browser.open("/console/#/keys");
        browser.waitForView("keys");
        assertThat(browser.find("#who-email").getText()).isEqualTo(email);
    }

    @Test
    void adminManagesUsersAndSeesTheAuditPage() {
        String admin = ConsoleUsers.withPassword("admin");
        browser.signIn(admin, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        assertThat(browser.isShown("#nav-users")).isTrue();
        assertThat(browser.isShown("#nav-audit")).isTrue();
        assertThat(browser.isShown("#scope-admin")).isTrue();

        browser.click("#nav-users");
        browser.waitForView("users");
        String created = "created-" + Long.toHexString(System.nanoTime()) + "@example.test";
        browser.type("#user-email", created);
        browser.type("#user-password", "a password for the new user");
        new Select(browser.find("#user-role")).selectByValue("viewer");
        new Select(browser.find("#user-tier")).selectByValue("premium");
        browser.click("#create-user-submit");
        browser.waitForNotice("is created");
        WebElement row = browser.visible("tr[data-user-id='" + ConsoleUsers.id(created) + "']");
        assertThat(row.getText()).contains(created, "Active");

        new Select(row.findElement(By.cssSelector("select.user-role"))).selectByValue("member");
        new Select(row.findElement(By.cssSelector("select.user-tier"))).selectByValue("enterprise");
        row.findElement(By.cssSelector("button.save-user")).click();
        browser.waitForNotice("saved");
        assertThat(TestData.queryString("SELECT role || '/' || tier FROM users WHERE email = ?", created))
                .isEqualTo("member/enterprise");

        browser.click("tr[data-user-id='" + ConsoleUsers.id(created) + "'] button.disable-user");
        browser.visible("#confirm");
        browser.click("#confirm-ok");
        browser.waitForNotice("is disabled");
        assertThat(TestData.queryString("SELECT disabled FROM users WHERE email = ?", created)).isEqualTo("t");
        browser.screenshot("users");

        browser.click("#nav-audit");
        browser.waitForView("audit");
        assertThat(browser.isShown("#audit-filters")).isTrue();
        assertThat(browser.isShown("#audit-table")).isTrue();
        // the event filter is a list of the audit log's events (usage.js)
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#audit-event option[value='login.success']"))
                .isEmpty());
        new Select(browser.find("#audit-event")).selectByValue("login.success");
        browser.click("#audit-apply");
        browser.screenshot("audit");
    }

    @Test
    void memberDoesNotSeeTheAdminPages() {
        String member = ConsoleUsers.withPassword("member");
        browser.signIn(member, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");

        assertThat(browser.isShown("#nav-users")).isFalse();
        assertThat(browser.isShown("#nav-audit")).isFalse();
        browser.open("/console/#/users");
        browser.waitForView("forbidden");
        assertThat(browser.driver.findElements(By.id("create-user-form"))).isEmpty();
        browser.open("/console/#/audit");
        browser.waitForView("forbidden");
        assertThat(browser.driver.findElements(By.id("audit-filters"))).isEmpty();
        browser.screenshot("member-forbidden");
        browser.click("#nav-account");
        browser.waitForView("account");
        browser.screenshot("account");
    }
}
