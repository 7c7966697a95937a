package io.s4e.gateway.account;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.support.AccountCalls;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.StoredText;
import io.s4e.gateway.support.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forgotten-password flow of CONTRACT §10 on a replica that mails to GreenMail: the 202 that tells nothing, the
 * mailed single-use token (hashed at rest, 30 minutes), the reset that ends every session and keeps the factors.
 */
@GatewayIntegrationTest
class PasswordResetIntegrationTests {

    static final String PUBLIC_URL = "https://gateway.example.test";

    static GreenMail smtp;
    static SecondGateway mailing;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @Autowired
    RedisKeyProperties keys;

    AccountCalls gateway;

    @BeforeAll
    static void startMailServerAndReplica() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        mailing = SecondGateway.start(Map.of(
                "spring.mail.host", "127.0.0.1",
                "spring.mail.port", Integer.toString(smtp.getSmtp().getPort()),
                "s4e.accounts.public-url", PUBLIC_URL));
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

    @BeforeEach
    void setUp() {
        gateway = new AccountCalls(mailing.port());
    }

    private String tokenKey(String token) throws Exception {
        return keys.keyPrefix() + "pwr:" + AccountCalls.sha256(token);
    }

    private String forgotAndMail(String email, int expectedMails) throws Exception {
        Reply accepted = gateway.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(email));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        return AccountCalls.mailedToken(smtp, email, expectedMails);
    }

    @Test
    void forgotWhenAccountKnownThenMailLinksToTheConsoleWithATokenStoredOnlyHashedFor30Minutes() throws Exception {
        String email = LoginCalls.userWithPassword("member");

        String token = forgotAndMail(email, 1);

        String body = GreenMailUtil.getBody(smtp.getReceivedMessagesForDomain(email)[0]);
        assertThat(body).contains(PUBLIC_URL + "/console/#/reset?token=" + token);
        assertThat(token).matches("pwr_[A-Za-z0-9_-]{43}");
        String key = tokenKey(token);
        Duration ttl = redis.getExpire(key).block(Duration.ofSeconds(5));
        assertThat(ttl).isNotNull().isBetween(Duration.ofMinutes(29), Duration.ofMinutes(30));
        String stored = redis.opsForValue().get(key).block(Duration.ofSeconds(5));
        assertThat(stored).startsWith(AccountCalls.userId(email) + ":").doesNotContain(token);
        List<String> everyKey = redis.keys(keys.keyPrefix() + "*").collectList().block(Duration.ofSeconds(5));
        assertThat(everyKey).noneMatch(k -> k.contains(token) || k.contains(token.substring(4)));
        assertThat(StoredText.placesHolding(token.substring(4))).isEmpty();
    }

    @Test
    void resetWhenTokenValidThenNewPasswordWorksEverySessionEndsAndTheTokenIsSingleUse() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        String first = gateway.login.token(email);
        String second = gateway.login.token(email);
        String token = forgotAndMail(email, 1);

        Reply reset = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody(token, AccountCalls.NEW_PASSWORD));
        Reply again = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody(token, "yet another new passphrase"));

        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        assertThat(reset.data().path("sessions_ended").asLong()).isEqualTo(2);
        assertThat(gateway.get("/api/assets/1", first).status()).isEqualTo(401);
        assertThat(gateway.get("/api/assets/1", second).status()).isEqualTo(401);
        assertThat(again.status()).as("single-use").isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(again.body(), "unauthorized");
        assertThat(gateway.login.login(LoginCalls.body(email, LoginCalls.PASSWORD)).status()).isEqualTo(401);
        assertThat(gateway.login.login(LoginCalls.body(email, AccountCalls.NEW_PASSWORD)).status()).isEqualTo(200);
        assertThat(redis.hasKey(tokenKey(token)).block(Duration.ofSeconds(5))).isFalse();
        long user = AccountCalls.userId(email);
        AccountCalls.awaitAudit("password.forgot", "success", user, "\"result\": \"mailed\"");
        AccountCalls.awaitAudit("password.reset", "success", user, "\"sessions_ended\": 2");
    }

    @Test
    void resetWhenTokenExpiredThenUnauthorized() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        String token = forgotAndMail(email, 1);
        redis.expire(tokenKey(token), Duration.ofMillis(1)).block(Duration.ofSeconds(5));
        Thread.sleep(20);

        Reply reset = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody(token, AccountCalls.NEW_PASSWORD));

        assertThat(reset.status()).as(reset.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(reset.body(), "unauthorized");
        assertThat(gateway.login.login(LoginCalls.body(email, LoginCalls.PASSWORD)).status()).isEqualTo(200);
    }

    @Test
    void resetWhenTwoAtOnceWithOneTokenThenExactlyOneSucceeds() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        String token = forgotAndMail(email, 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> resets = new ArrayList<>();
            for (String password : List.of(AccountCalls.NEW_PASSWORD, "the other racing passphrase")) {
                resets.add(pool.submit(() -> {
                    start.await();
                    return gateway.post(AccountCalls.RESET, null, AccountCalls.resetBody(token, password)).status();
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> reset : resets) {
                statuses.add(reset.get(30, TimeUnit.SECONDS));
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 401);
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resetWhenUserHasTotpThenTheNextLoginStillAsksForMfa() throws Exception {
        String email = LoginCalls.mfaUser(LoginCalls.newSecret(), false);
        String token = forgotAndMail(email, 1);

        Reply reset = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody(token, AccountCalls.NEW_PASSWORD));
        Reply login = gateway.login.login(LoginCalls.body(email, AccountCalls.NEW_PASSWORD));

        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        assertThat(reset.body()).doesNotContain("token\":\"ey");
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().path("status").asString()).as(login.body()).isEqualTo("mfa_required");
        assertThat(login.json().path("data").path("methods").toString()).contains("totp");
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE email = ?", email)).isEqualTo("t");
    }

    @Test
    void resetWhenPasswordWeakThenWeakPasswordAndTheTokenStaysUsable() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        String token = forgotAndMail(email, 1);

        for (String kind : List.of("short", "email", "local", "common")) {
            Reply weak = gateway.post(AccountCalls.RESET, null,
                    AccountCalls.resetBody(token, AccountPasswordIntegrationTests.weak(kind, email)));
            assertThat(weak.status()).as(weak.body()).isEqualTo(400);
            ErrorEnvelopes.assertEnvelope(weak.body(), "weak_password");
            assertThat(weak.errorMessage()).contains(AccountPasswordIntegrationTests.reason(kind));
        }
        AccountCalls.awaitAudit("password.reset", "failure", AccountCalls.userId(email), "weak_password");
        Reply strong = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody(token, AccountCalls.NEW_PASSWORD));

        assertThat(strong.status()).as(strong.body()).isEqualTo(200);
    }

    @Test
    void resetWhenTokenMalformedUnknownOrMissingThenRefused() {
        String unknown = "pwr_" + "A".repeat(43);

        Reply malformed = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody("pwr_short", AccountCalls.NEW_PASSWORD));
        Reply notIssued = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody(unknown, AccountCalls.NEW_PASSWORD));
        Reply missing = gateway.post(AccountCalls.RESET, null,
                AccountCalls.json("new_password", AccountCalls.NEW_PASSWORD));

        assertThat(malformed.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(malformed.body(), "unauthorized");
        assertThat(notIssued.status()).isEqualTo(401);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorCode()).isEqualTo("invalid_request");
    }

    @Test
    void resetWhenPasswordChangedSinceTheMailThenTheTokenIsDead() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        String token = forgotAndMail(email, 1);
        String session = gateway.login.token(email);
        assertThat(gateway.post(AccountCalls.PASSWORD, session,
                AccountCalls.changeBody(LoginCalls.PASSWORD, AccountCalls.NEW_PASSWORD)).status()).isEqualTo(200);

        Reply reset = gateway.post(AccountCalls.RESET, null,
                AccountCalls.resetBody(token, "a passphrase from the old mail"));

        assertThat(reset.status()).isEqualTo(401);
        assertThat(gateway.login.login(LoginCalls.body(email, AccountCalls.NEW_PASSWORD)).status()).isEqualTo(200);
    }

    @Test
    void forgotWhenRepeatedWithin60SecondsThenOneMailAndTheSameAnswer() throws Exception {
        String email = LoginCalls.userWithPassword("member");
        Reply first = gateway.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(email));
        AccountCalls.mailedToken(smtp, email, 1);

        Reply second = gateway.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(email));
        Thread.sleep(1000);

        assertThat(second.status()).isEqualTo(202);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(smtp.getReceivedMessagesForDomain(email)).as("no second mail within 60 s").hasSize(1);
        Long ttl = redis.getExpire(keys.keyPrefix() + "pwr-mailed:" + AccountCalls.userId(email))
                .map(Duration::toSeconds).block(Duration.ofSeconds(5));
        assertThat(ttl).isBetween(50L, 60L);
        AccountCalls.awaitAudit("password.forgot", "failure", AccountCalls.userId(email), "throttled");
    }

    @Test
    void forgotWhenAccountUnknownDisabledOrWithoutPasswordThenTheSame202AndNoMail() throws Exception {
        String known = LoginCalls.userWithPassword("member");
        String disabled = LoginCalls.userWithPassword("member");
        TestData.update("UPDATE users SET disabled = true WHERE email = ?", disabled);
        long service = TestData.user("member");
        String serviceEmail = TestData.queryString("SELECT email FROM users WHERE id = ?", service);
        String unknown = "nobody-" + Long.toHexString(System.nanoTime()) + "@example.test";

        Reply knownReply = gateway.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(known));
        List<Reply> others = new ArrayList<>();
        for (String email : List.of(unknown, disabled, serviceEmail, "not an address at all")) {
            others.add(gateway.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(email)));
        }
        AccountCalls.mailedToken(smtp, known, 1);
        Thread.sleep(1000);

        for (Reply other : others) {
            assertThat(other.status()).isEqualTo(202);
            assertThat(other.body()).isEqualTo(knownReply.body());
        }
        assertThat(knownReply.data().path("message").asString()).contains("If an account uses this e-mail");
        for (String email : List.of(unknown, disabled, serviceEmail)) {
            assertThat(smtp.getReceivedMessagesForDomain(email)).as(email).isEmpty();
        }
    }

    /**
     * No account enumeration by timing: 20 requests for known accounts (each one mailed) and 20 for unknown
     * addresses, interleaved; the medians differ by less than a factor 1.5. The answer comes before the lookup, so
     * what is measured is the same work for both; the pause after each request keeps a known account's mail, sent
     * after its answer, from slowing the request measured next.
     */
    @Test
    void forgotWhenUnknownAddressThenAboutTheSameTimeAsAKnownOne() throws Exception {
        int tries = 20;
        List<String> known = new ArrayList<>();
        for (int i = 0; i < tries + 3; i++) {
            known.add(LoginCalls.userWithPassword("member"));
        }
        for (int i = 0; i < 3; i++) { // warm-up of both paths
            gateway.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(known.get(tries + i)));
            gateway.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody("warm-" + i + "@nowhere.test"));
        }
        long[] knownNanos = new long[tries];
        long[] unknownNanos = new long[tries];
        String body = null;
        for (int i = 0; i < tries; i++) {
            String unknownEmail = "unknown-" + i + "-" + Long.toHexString(System.nanoTime()) + "@nowhere.test";
            // the order alternates, so neither kind always follows the other's after-answer work
            boolean knownFirst = i % 2 == 0;
            for (int turn = 0; turn < 2; turn++) {
                boolean isKnown = (turn == 0) == knownFirst;
                long start = System.nanoTime();
                Reply reply = gateway.post(AccountCalls.FORGOT, null,
                        AccountCalls.forgotBody(isKnown ? known.get(i) : unknownEmail));
                long nanos = System.nanoTime() - start;
                if (isKnown) {
                    knownNanos[i] = nanos;
                } else {
                    unknownNanos[i] = nanos;
                }
                assertThat(reply.status()).isEqualTo(202);
                body = body == null ? reply.body() : body;
                assertThat(reply.body()).isEqualTo(body);
                Thread.sleep(150); // the mail goes out after the answer: let it, so it does not slow the next request
            }
        }
        double knownMedian = median(knownNanos) / 1e6;
        double unknownMedian = median(unknownNanos) / 1e6;
        double ratio = Math.max(knownMedian, unknownMedian) / Math.min(knownMedian, unknownMedian);
        System.out.printf("forgot timing over %d tries each: median known %.2f ms, median unknown %.2f ms, "
                + "ratio %.3f%n", tries, knownMedian, unknownMedian, ratio);

        assertThat(ratio).isLessThan(1.5);
        AccountCalls.mailedToken(smtp, known.get(tries - 1), 1);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }

    @Test
    void forgotWhenFieldsWrongThenInvalidRequestWithoutMail() {
        Reply missing = gateway.post(AccountCalls.FORGOT, null, "{}");
        Reply unknownField = gateway.post(AccountCalls.FORGOT, null, "{\"email\":\"a@b.test\",\"x\":1}");

        assertThat(missing.status()).isEqualTo(400);
        ErrorEnvelopes.assertEnvelope(missing.body(), "invalid_request");
        assertThat(unknownField.status()).isEqualTo(400);
    }

    /** Forgot and reset count against the client IP's login attempts (CONTRACT §7, 10/min by default). */
    @Test
    void forgotAndResetWhenClientIpUsedUpItsLoginAttemptsThenRateLimited() {
        try (SecondGateway strict = SecondGateway.start(Map.of(
                "s4e.rate-limits.login.per-ip-per-minute", "3"))) {
            AccountCalls calls = new AccountCalls(strict.port());
            String email = LoginCalls.userWithPassword("member");
            assertThat(calls.login.login(LoginCalls.body(email, LoginCalls.PASSWORD)).status()).isEqualTo(200);
            assertThat(calls.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(email)).status()).isEqualTo(202);
            assertThat(calls.post(AccountCalls.RESET, null, AccountCalls.resetBody("pwr_" + "B".repeat(43),
                    AccountCalls.NEW_PASSWORD)).status()).isEqualTo(401);

            Reply forgot = calls.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(email));
            Reply login = calls.login.login(LoginCalls.body(email, LoginCalls.PASSWORD));

            assertThat(forgot.status()).as(forgot.body()).isEqualTo(429);
            assertThat(forgot.errorCode()).isEqualTo("rate_limited");
            assertThat(forgot.headers().getFirst("Retry-After")).isNotNull();
            assertThat(login.status()).isEqualTo(429);
        }
    }

    /** The captcha of a forgotten-password request is checked exactly as a login's: missing → 400 captcha_failed. */
    @Test
    void forgotWhenCaptchaOnAndMissingThenCaptchaFailedAndNoMail() throws Exception {
        try (SecondGateway guarded = SecondGateway.start(Map.of(
                "spring.mail.host", "127.0.0.1",
                "spring.mail.port", Integer.toString(smtp.getSmtp().getPort()),
                "s4e.captcha.enabled", "true",
                "s4e.captcha.vendors.turnstile.secret", "test-secret",
                "s4e.captcha.vendors.turnstile.verify-url", "http://127.0.0.1:9/verify"))) {
            AccountCalls calls = new AccountCalls(guarded.port());
            String email = LoginCalls.userWithPassword("member");

            Reply forgot = calls.post(AccountCalls.FORGOT, null, AccountCalls.forgotBody(email));
            Reply login = calls.login.login(LoginCalls.body(email, LoginCalls.PASSWORD));
            Thread.sleep(500);

            assertThat(forgot.status()).as(forgot.body()).isEqualTo(400);
            ErrorEnvelopes.assertEnvelope(forgot.body(), "captcha_failed");
            assertThat(login.errorCode()).isEqualTo(forgot.errorCode());
            assertThat(smtp.getReceivedMessagesForDomain(email)).isEmpty();
        }
    }
}
