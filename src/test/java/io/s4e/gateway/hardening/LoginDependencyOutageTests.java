package io.s4e.gateway.hardening;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The services a login depends on besides the stores: a captcha vendor that is slow or gone, and an SMTP server
 * that accepts connections but never speaks. Logins fail closed with 503, never later than the configured timeout
 * plus a margin. (An SMTP port that refuses connections is
 * {@code MfaEmailIntegrationTests.sendWhenSmtpDownThenServiceUnavailableAndRetryAllowed}.)
 */
class LoginDependencyOutageTests {

    /** {@code s4e.captcha.timeout} of this replica. */
    private static final Duration CAPTCHA_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofSeconds(4);

    static SlowVendor vendor;
    static SilentServer smtp;
    static SecondGateway gateway;
    static RawHttp http;
    static String email;

    @BeforeAll
    static void start() throws IOException {
        vendor = new SlowVendor();
        smtp = new SilentServer();
        gateway = SecondGateway.start(Map.ofEntries(
                Map.entry("s4e.captcha.enabled", "true"),
                Map.entry("s4e.captcha.timeout", CAPTCHA_TIMEOUT.toMillis() + "ms"),
                Map.entry("s4e.captcha.bypass-cidrs", "127.0.0.1/32"),
                Map.entry("s4e.captcha.vendors.hcaptcha.secret", "h-site-secret"),
                Map.entry("s4e.captcha.vendors.hcaptcha.verify-url", vendor.url()),
                Map.entry("s4e.captcha.vendors.turnstile.secret", "t-site-secret"),
                Map.entry("s4e.captcha.vendors.turnstile.verify-url",
                        "http://127.0.0.1:" + TestInfrastructure.get().closedPort + "/siteverify"),
                Map.entry("spring.mail.host", "127.0.0.1"),
                Map.entry("spring.mail.port", Integer.toString(smtp.port()))));
        http = new RawHttp(gateway.port());
        email = HardeningCalls.userWithPassword("member");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vendor.close();
        smtp.close();
    }

    /** Defence: the vendor call is bounded by {@code s4e.captcha.timeout} and fails closed (503, not a login). */
    @Test
    void captchaVendorWhenSlowerThanTimeoutThen503Bounded() {
        vendor.answer("{\"success\":true}", Duration.ofSeconds(20));

        assertUnavailableWithin(CAPTCHA_TIMEOUT, () -> login("hcaptcha"));
    }

    /** Defence: a vendor that cannot be reached fails the login closed, at once. */
    @Test
    void captchaVendorWhenDownThen503Bounded() {
        assertUnavailableWithin(CAPTCHA_TIMEOUT, () -> login("turnstile"));
    }

    /**
     * An SMTP server that accepts the connection and never answers must not hold the request: {@code /mfa/send}
     * answer 503 within a bound (the SMTP socket timeouts of application.yml and the send's own timeout).
     */
    @Test
    void smtpWhenServerAcceptsButNeverAnswersThen503Bounded() {
        String address = HardeningCalls.userWithPassword("member");
        TestData.update("UPDATE users SET email_mfa_enabled = true WHERE email = ?", address);
        RawHttp.Response step = HardeningCalls.postJson(http, HardeningCalls.LOGIN, "{\"email\":\"" + address
                + "\",\"password\":\"" + HardeningCalls.PASSWORD + "\",\"bypass_captcha\":true}");
        assertThat(step.status()).as(step.body()).isEqualTo(200);
        String mfaToken = step.json().path("data").path("mfa_token").asString();

        assertUnavailableWithin(Duration.ofSeconds(10), () -> HardeningCalls.postJson(http,
                "/api/user/auth/mfa/send", "{\"mfa_token\":\"" + mfaToken + "\",\"method\":\"email\"}"));
    }

    private static RawHttp.Response login(String vendorName) {
        return HardeningCalls.postJson(http, HardeningCalls.LOGIN, "{\"email\":\"" + email + "\",\"password\":\""
                + HardeningCalls.PASSWORD + "\",\"vendor\":\"" + vendorName + "\",\"captcha_response\":\"r\"}");
    }

    private static void assertUnavailableWithin(Duration timeout, Supplier<RawHttp.Response> call) {
        long start = System.nanoTime();
        RawHttp.Response reply = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(reply.status()).as(reply.body()).isEqualTo(503);
        ErrorEnvelopes.assertEnvelope(reply.body(), "service_unavailable");
        assertThat(took).as("bounded by the configured timeout").isLessThan(timeout.plus(MARGIN));
    }

    /** A TCP server that accepts connections and never sends a byte. */
    static final class SilentServer implements AutoCloseable {

        private final ServerSocket listener;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        SilentServer() throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        held.add(listener.accept());
                    }
                    catch (IOException closed) {
                        return;
                    }
                }
            }, "silent-smtp");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() {
            try {
                listener.close();
            }
            catch (IOException ignored) {
                // already closed
            }
            for (Socket socket : held) {
                try {
                    socket.close();
                }
                catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }
}
