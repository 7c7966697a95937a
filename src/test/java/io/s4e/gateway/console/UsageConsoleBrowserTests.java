package io.s4e.gateway.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.usage.UsageCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage chart of a key, the Security page and the audit log's filter choices (usage.js) in headless Chromium:
 * the charts drawn from the JSON add up to the numbers of their table view, which add up to the traffic sent, at
 * 1280 and at 390 px. Screenshots go to {@code target/screenshots/}.
 */
@GatewayIntegrationTest
class UsageConsoleBrowserTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @LocalServerPort
    int port;

    @Autowired
    UsageCounters counters;

    WebTestClient http;
    ConsoleBrowser browser;

    @BeforeEach
    void setUp() {
        http = TestClients.of(port);
        browser = new ConsoleBrowser("http://localhost:" + port);
    }

    @AfterEach
    void tearDown() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void keyUsageChartWhenTrafficThenBarsAndTableShowTheSameTotalsAtBothWidths() {
        String email = ConsoleUsers.withPassword("member");
        String key = TestData.key(ConsoleUsers.id(email), List.of("read:assets"));
        String keyId = TestData.keyId(key);
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            seen.merge(status("GET", "/api/assets/" + i, key), 1, Integer::sum);
        }
        for (int i = 0; i < 2; i++) {
            seen.merge(status("POST", "/api/assets/" + i, key), 1, Integer::sum);
        }
        for (int i = 0; i < 5; i++) {
            seen.merge(status("GET", "/rl/limited/" + i, key), 1, Integer::sum);
        }
        counters.flush().block(Duration.ofSeconds(20));
        int allowed = seen.getOrDefault(200, 0);
        int refused = seen.getOrDefault(403, 0);
        int limited = seen.getOrDefault(429, 0);
        assertThat(refused).isEqualTo(2);
        assertThat(limited).isPositive();

        browser.signIn(email, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        browser.click(".usage-open[data-key-id='" + keyId + "']");
        awaitTotals(allowed, refused, limited);
        assertThat(browser.driver.findElements(By.cssSelector("#usage-chart svg g.bar"))).hasSize(24);

        new Select(browser.find("#usage-window")).selectByValue("1h");
        browser.waiting().until(d -> d.findElements(By.cssSelector("#usage-chart svg g.bar")).size() == 60);
        awaitTotals(allowed, refused, limited);
        assertThat(chartSum("allowed")).isEqualTo(allowed);
        assertThat(chartSum("refused")).isEqualTo(refused);
        assertThat(chartSum("limited")).isEqualTo(limited);
        assertThat(browser.driver.findElements(By.cssSelector("#usage-chart rect.series-limited"))).isNotEmpty();
        assertThat(browser.find("#usage-chart svg").getAttribute("aria-label"))
                .contains(allowed + " allowed", refused + " refused", limited + " limited");
        assertThat(browser.driver.findElements(By.cssSelector("#usage-chart [style]"))).isEmpty();

        browser.click("#usage-table-view summary");
        assertChartAndTableAt(1280, allowed, refused, limited);
        assertChartAndTableAt(390, allowed, refused, limited);
        screenshot("key-usage");
    }

    @Test
    void securityPageWhenLockedOutThenListedAndLiftedWithTotalsMatchingTheApi() {
        try (SecondGateway gateway = SecondGateway.start(Map.of("s4e.rate-limits.login.max-failures", "2"))) {
            WebTestClient other = TestClients.of(gateway.port());
            String locked = ConsoleUsers.withPassword("member");
            for (int i = 0; i < 2; i++) {
                other.post().uri("/api/user/auth/login").header(HttpHeaders.CONTENT_TYPE, "application/json")
                        .bodyValue("{\"email\":\"" + locked + "\",\"password\":\"not the password at all\"}")
                        .exchange();
            }
            for (int i = 0; i < 3; i++) {
                other.get().uri("/api/assets/1").header(HttpHeaders.AUTHORIZATION, "Bearer " + TestData.unknownKey())
                        .exchange();
            }
            String admin = ConsoleUsers.withPassword("admin");
            browser.close();
            browser = new ConsoleBrowser("http://localhost:" + gateway.port());
            browser.signIn(admin, ConsoleUsers.PASSWORD);
            browser.waitForView("keys");
            assertThat(browser.isShown("#nav-security")).isTrue();
            browser.click("#nav-security");
            browser.waitForView("security");
            browser.visible("#security-lockouts tbody tr");
            browser.waiting().until(d -> d.findElement(By.id("security-lockouts")).getText().contains(locked));
            assertThat(browser.driver.findElements(By.cssSelector("#security-lockouts tbody tr")).stream()
                    .map(WebElement::getText).filter(text -> text.contains(locked)).findFirst().orElseThrow())
                    .contains("Sign-in locked");
            browser.waiting().until(d -> !d.findElements(By.cssSelector("#security-chart svg g.bar")).isEmpty());
            assertThat(browser.driver.findElements(By.cssSelector("#security-chart svg g.bar"))).hasSize(24);

            JsonNode api = JSON.readTree(TestClients.of(gateway.port()).get().uri("/api/admin/security?window=24h")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + TestInfrastructure.get().adminKey).exchange()
                    .expectBody().returnResult().getResponseBody()).get("data");
            long apiTotal = 0;
            for (JsonNode bucket : api.get("refusals")) {
                apiTotal += bucket.get("total").asLong();
            }
            // the page may have loaded before the last refusals were written: reload until it shows them all
            long expected = apiTotal;
            browser.waiting().until(d -> {
                String shown = d.findElement(By.cssSelector("#security-table tfoot .total-all"))
                        .getAttribute("textContent");
                if (Long.parseLong(shown) >= expected) {
                    return true;
                }
                d.findElement(By.id("security-refresh")).click();
                return false;
            });
            long total = Long.parseLong(browser.find("#security-table tfoot .total-all").getAttribute("textContent"));
            assertThat(total).isGreaterThanOrEqualTo(apiTotal).isPositive();
            Object drawn = browser.driver.executeScript("let n = 0; for (const g of document.querySelectorAll("
                    + "'#security-chart g.bar')) { for (const a of g.attributes) { if (a.name.startsWith('data-') "
                    + "&& a.name !== 'data-start') { n += Number(a.value); } } } return n;");
            assertThat(((Number) drawn).longValue()).isEqualTo(total);
            assertThat(browser.find("#security-ips").getText()).contains("127.0.0.1");
            browser.click("#security-table-view summary");
            screenshot("security");

            browser.visible("#security-lockouts tbody tr button.danger");
            for (WebElement lift : browser.driver.findElements(By.cssSelector("#security-lockouts tbody tr"))) {
                if (lift.getText().contains(locked)) {
                    lift.findElement(By.cssSelector("button.danger")).click();
                    break;
                }
            }
            browser.visible("#confirm");
            browser.click("#confirm-ok");
            browser.waitForNotice("is lifted");
            browser.waiting().until(d -> !d.findElement(By.id("security-lockouts")).getAttribute("textContent")
                    .contains(locked));
            browser.waiting().until(d -> locked.equals(TestData.queryString("SELECT detail->>'subject' FROM audit_log "
                    + "WHERE event = 'lockout.lifted' AND detail->>'subject' = ?", locked)));
        }
    }

    @Test
    void auditFiltersWhenChosenFromListsAndRowsThenNarrowed() {
        String admin = ConsoleUsers.withPassword("admin");
        browser.signIn(admin, ConsoleUsers.PASSWORD);
        browser.waitForView("keys");
        long adminId = ConsoleUsers.id(admin);
        browser.click("#nav-audit");
        browser.waitForView("audit");
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#audit-event option[value='lockout.lifted']"))
                .isEmpty());
        assertThat(browser.find("#audit-event").getTagName()).isEqualTo("select");
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#audit-user-email option[value='" + adminId
                + "']")).isEmpty());

        new Select(browser.find("#audit-user-email")).selectByValue(String.valueOf(adminId));
        assertThat(browser.find("#audit-user").getAttribute("value")).isEqualTo(String.valueOf(adminId));
        browser.click("button[data-preset='1h']");
        assertThat(browser.find("#audit-since").getAttribute("value")).isNotEmpty();
        browser.waiting().until(d -> !rowTexts("User").isEmpty()
                && rowTexts("User").stream().allMatch(String.valueOf(adminId)::equals)
                && !d.findElements(By.cssSelector("#audit-table tbody button.narrow-event")).isEmpty());

        browser.driver.findElements(By.cssSelector("#audit-table tbody button.narrow-event"))
                .stream().filter(b -> b.getText().equals("login.success")).findFirst().orElseThrow().click();
        browser.waiting().until(d -> "login.success".equals(d.findElement(By.id("audit-event"))
                .getAttribute("value")));
        browser.waiting().until(d -> rowTexts("Event").stream().allMatch("login.success"::equals)
                && !rowTexts("Event").isEmpty());
        screenshot("audit-filters");

        browser.click("button[data-preset='']");
        assertThat(browser.find("#audit-since").getAttribute("value")).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private List<String> rowTexts(String label) {
        return (List<String>) browser.driver.executeScript("return Array.from(document.querySelectorAll("
                + "'#audit-table tbody td[data-label=\"" + label + "\"]')).map(td => td.textContent);");
    }

    private void awaitTotals(int allowed, int refused, int limited) {
        browser.waiting().until(d -> {
            List<WebElement> cells = d.findElements(By.cssSelector("#usage-table tfoot td"));
            return cells.size() == 4 && text(cells.get(0)).equals(String.valueOf(allowed))
                    && text(cells.get(1)).equals(String.valueOf(refused))
                    && text(cells.get(2)).equals(String.valueOf(limited))
                    && text(cells.get(3)).equals(String.valueOf(allowed + refused + limited));
        });
    }

    private static String text(WebElement element) {
        return element.getAttribute("textContent");
    }

    private long chartSum(String series) {
        Object sum = browser.driver.executeScript("let n = 0; for (const g of document.querySelectorAll("
                + "'#usage-chart g.bar')) { n += Number(g.getAttribute('data-" + series + "')); } return n;");
        return ((Number) sum).longValue();
    }

    /** At {@code width} CSS pixels: the chart fills its card, its bars are drawn, and the table's totals show. */
    @SuppressWarnings("unchecked")
    private void assertChartAndTableAt(int width, int allowed, int refused, int limited) {
        browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 900,
                "deviceScaleFactor", 1, "mobile", width < 500));
        try {
            browser.waiting().until(d -> Long.valueOf(width).equals(
                    browser.driver.executeScript("return window.innerWidth")));
            Map<String, Object> box = (Map<String, Object>) browser.driver.executeScript(
                    "const r = document.querySelector('#usage-chart svg').getBoundingClientRect();"
                            + "const bars = Array.from(document.querySelectorAll('#usage-chart rect'))"
                            + ".filter(e => e.getBoundingClientRect().height > 0).length;"
                            + "return {width: r.width, height: r.height, bars: bars};");
            assertThat(((Number) box.get("width")).doubleValue()).as("chart width at " + width)
                    .isBetween(width * 0.6, (double) width);
            assertThat(((Number) box.get("height")).doubleValue()).isGreaterThan(100);
            assertThat(((Number) box.get("bars")).intValue()).isPositive();
            assertThat(browser.find("#usage-table tfoot").isDisplayed()).isTrue();
            String foot = browser.find("#usage-table tfoot").getText();
            assertThat(foot).contains(String.valueOf(allowed), String.valueOf(allowed + refused + limited));
        }
        finally {
            browser.driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    private int status(String method, String path, String key) {
        WebTestClient.RequestBodySpec spec = http.method(org.springframework.http.HttpMethod.valueOf(method)).uri(path);
        spec.header(HttpHeaders.AUTHORIZATION, "Bearer " + key);
        WebTestClient.RequestHeadersSpec<?> request = method.equals("POST")
                ? spec.header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue("{}") : spec;
        return request.exchange().expectBody().returnResult().getStatus().value();
    }

    /** Screenshots at 1280 and 390 px (ConsoleBrowser's), copied to {@code target/screenshots/}. */
    private void screenshot(String name) {
        browser.screenshot(name);
        try {
            Files.createDirectories(SCREENSHOTS);
            for (String suffix : List.of("-desktop.png", "-phone.png")) {
                Files.copy(ConsoleBrowser.SCREENSHOTS.resolve(name + suffix), SCREENSHOTS.resolve(name + suffix),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
