package io.s4e.gateway.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.fail;

/**
 * Debian's headless Chromium driven by its chromedriver, on the console of a running gateway, with a fresh profile
 * per browser. Screenshots go to {@code target/console-screenshots/}, one at desktop width (1280) and one at phone
 * width (390) per page.
 */
final class ConsoleBrowser implements AutoCloseable {

    /** Set to {@code true} to skip the browser tests on a machine without Chromium (never in CI). */
    static final String SKIP_VARIABLE = "S4E_SKIP_BROWSER_TESTS";

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("S4E_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("S4E_CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private static final Duration WAIT = Duration.ofSeconds(20);

    final ChromeDriver driver;
    final String base;
    private final Path profile;

    /**
     * Fails the test when Chromium or chromedriver is missing, unless {@value #SKIP_VARIABLE}{@code =true} says to
     * skip it instead.
     */
    static void requireChromium() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String missing = "Chromium or chromedriver not found (" + CHROMIUM + ", " + CHROMEDRIVER
                + "): install them with `apt-get install -y chromium chromium-driver`";
        if ("true".equalsIgnoreCase(System.getenv(SKIP_VARIABLE))) {
            String skipped = missing + "; browser tests skipped because " + SKIP_VARIABLE + "=true";
            System.err.println(skipped);
            Assumptions.abort(skipped);
        }
        fail(missing + ", or set " + SKIP_VARIABLE + "=true to skip the browser tests");
    }

    /** A browser whose console is at {@code base} + {@code /console/}. */
    ConsoleBrowser(String base) {
        requireChromium();
        this.base = base;
        try {
            this.profile = Files.createTempDirectory("s4e-console-chromium-");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        this.driver = new ChromeDriver(service, options);
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebDriverWait waiting() {
        return new WebDriverWait(driver, WAIT);
    }

    WebElement visible(String css) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    boolean isShown(String css) {
        return driver.findElements(By.cssSelector(css)).stream().anyMatch(WebElement::isDisplayed);
    }

    void type(String css, String text) {
        WebElement field = visible(css);
        field.clear();
        field.sendKeys(text);
    }

    /**
     * Clicks the element {@code css} names once it is clickable; when the console re-renders it between finding and
     * clicking (a list refreshed after a change), finds it again. A stale element throws before any click happens.
     */
    void click(String css) {
        waiting().ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement element = ExpectedConditions.elementToBeClickable(By.cssSelector(css)).apply(d);
            if (element == null) {
                return false;
            }
            element.click();
            return true;
        });
    }

    /** Waits until the console shows {@code view} (and its script has rendered it). */
    void waitForView(String view) {
        waiting().until(ExpectedConditions.attributeToBe(By.id("main"), "data-view", view));
    }

    /** Waits until the console's alert region says something containing {@code text}; returns all of it. */
    String waitForError(String text) {
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), text));
        return find("#error").getText();
    }

    String waitForNotice(String text) {
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), text));
        return find("#notice").getText();
    }

    /** Signs in with a password (no second factor) and waits for the API keys page. */
    void signIn(String email, String password) {
        open("/console/");
        waitForView("sign-in");
        type("#sign-in-email", email);
        type("#sign-in-password", password);
        click("#sign-in-submit");
    }

    /** The session token of the {@code token} cookie (WebDriver sees HttpOnly cookies; page scripts do not). */
    String sessionToken() {
        Cookie cookie = driver.manage().getCookieNamed("token");
        return cookie == null ? null : cookie.getValue();
    }

    /**
     * What the browser shows of {@code element}, as PNG: the element scrolled to the middle of the window, then cut
     * out of a screenshot of the window by its bounding box. (chromedriver's own element screenshot comes out shifted
     * on a page taller than the window, by as much as the page was scrolled.)
     */
    byte[] elementAsSeen(WebElement element) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> box = (Map<String, Object>) driver.executeScript(
                    "arguments[0].scrollIntoView({block: 'center', inline: 'center'});"
                            + "const r = arguments[0].getBoundingClientRect();"
                            + "return {x: r.left, y: r.top, w: r.width, h: r.height, scale: window.devicePixelRatio};",
                    element);
            double scale = ((Number) box.get("scale")).doubleValue();
            java.awt.image.BufferedImage window = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                    driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES)));
            int x = (int) Math.round(((Number) box.get("x")).doubleValue() * scale);
            int y = (int) Math.round(((Number) box.get("y")).doubleValue() * scale);
            int w = (int) Math.round(((Number) box.get("w")).doubleValue() * scale);
            int h = (int) Math.round(((Number) box.get("h")).doubleValue() * scale);
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(window.getSubimage(x, y, w, h), "png", png);
            return png.toByteArray();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Screenshots of the whole page at desktop width and at phone width. */
    void screenshot(String name) {
        screenshot(SCREENSHOTS, name);
    }

    /** Screenshots of the whole page at desktop width (1280) and at phone width (390), into {@code folder}. */
    void screenshot(Path folder, String name) {
        try {
            Files.createDirectories(folder);
            captureAt(1280, 900, 1, false, folder.resolve(name + "-desktop.png"));
            captureAt(390, 844, 2, true, folder.resolve(name + "-phone.png"));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lays the page out at {@code width} CSS pixels, captures all of it, and gives the window its own size back. */
    private void captureAt(int width, int height, int scale, boolean mobile, Path file) throws IOException {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", scale, "mobile", mobile));
        try {
            waiting().until(d -> Long.valueOf(width).equals(
                    driver.executeScript("return window.innerWidth")));
            capture(file);
        }
        finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    private void capture(Path file) throws IOException {
        Map<String, Object> shot;
        try {
            shot = driver.executeCdpCommand("Page.captureScreenshot",
                    Map.of("format", "png", "captureBeyondViewport", true));
        }
        catch (org.openqa.selenium.WebDriverException tooLarge) {
            // a page longer than the browser can capture in one image (the Users page late in a full run lists
            // thousands of users): the visible part is what the screenshot can show
            shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png"));
        }
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        }
        finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
            catch (IOException ignored) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
