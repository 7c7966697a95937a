package io.s4e.gateway.login;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.s4e.gateway.mfa.TotpAlgorithm;
import io.s4e.gateway.ratelimit.Http;
import io.s4e.gateway.ratelimit.MovableClock;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.support.TestUsers;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpMethod;

import static io.s4e.gateway.ratelimit.Http.bearer;
import static io.s4e.gateway.ratelimit.Http.freshIp;
import static io.s4e.gateway.ratelimit.Http.loginBody;
import static io.s4e.gateway.ratelimit.Http.xff;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guarantees of login and the session lifecycle under concurrency, on two replicas with the real limits: attempts
 * released at the same instant, a disable racing logins and refreshes, a refresh chain racing "log out everywhere",
 * MFA steps outliving a disable, and factor changes from an old session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginRaceIntegrationTests {

    private static final String PASSWORD = "a long enough test password";
    private static final String WRONG = "a wrong password of some length";
    private static final String LOGIN = "/api/user/auth/login";
    private static final String REFRESH = "/api/user/auth/refresh";

    private SecondGateway replicaA;
    private SecondGateway replicaB;
    private Http a;
    private Http b;
    private LettuceConnectionFactory redisFactory;
    private StringRedisTemplate redis;

    @BeforeAll
    void startReplicas() {
        Map<String, String> properties = new HashMap<>();
        properties.put("spring.main.sources", MovableClock.Source.class.getName());
        properties.put("s4e.trusted-proxies", "127.0.0.1/32");
        properties.put("s4e.rate-limits.login.per-ip-per-minute", "10");
        properties.put("s4e.rate-limits.login.max-failures", "5");
        properties.put("s4e.rate-limits.login.mfa-max-failures", "5");
        replicaA = SecondGateway.start(properties);
        replicaB = SecondGateway.start(properties);
        a = new Http(replicaA.port());
        b = new Http(replicaB.port());
        redisFactory = new LettuceConnectionFactory("127.0.0.1", 6379);
        redisFactory.afterPropertiesSet();
        redisFactory.start();
        redis = new StringRedisTemplate(redisFactory);
    }

    @AfterAll
    void stopReplicas() {
        replicaA.close();
        replicaB.close();
        redisFactory.destroy();
    }

    // --- attempts at the same instant ---------------------------------------------------------------------------

    /**
     * 30 logins of one account released together from 3 addresses on 2 replicas, 29 wrong and 1 right: each check
     * is reserved before it is made, so at most 5 wrong passwords are ever checked (the lock used to be read before
     * the checks and counted after them, and all 29 were checked).
     */
    @Test
    void parallelLoginsCheckAtMostTheLockedNumberOfWrongPasswords() throws Exception {
        long user = user("member");
        String email = emailOf(user);
        List<String> addresses = List.of(freshIp(), freshIp(), freshIp());
        List<Integer> statuses = inParallel(30, i -> (i % 2 == 0 ? a : b).call(HttpMethod.POST, LOGIN,
                xff(addresses.get(i % 3)), loginBody(email, i == 17 ? PASSWORD : WRONG)).status());

        assertThat(statuses).allMatch(status -> status == 200 || status == 401 || status == 429 || status == 503,
                "200, 401, 429, or 503 when Redis was too slow to reserve the attempt");
        assertThat(statuses.stream().filter(status -> status == 401).count()).as("wrong passwords answered 401")
                .isLessThanOrEqualTo(5);
        long checked = settledCount("SELECT count(*) FROM audit_log WHERE event = 'login.failure' "
                + "AND detail->>'reason' = 'bad_password' AND user_id = ?", user);
        assertThat(checked).as("wrong passwords checked (login.failure bad_password)").isBetween(1L, 5L);
        assertThat(a.call(HttpMethod.POST, LOGIN, xff(freshIp()), loginBody(email, WRONG)).status())
                .as("the account is locked afterwards, or still within its five attempts").isIn(401, 429);
    }

    // --- disable and demote against logins and refreshes in flight ----------------------------------------------

    /**
     * Four threads keep logging an admin in (and refreshing what they get) on both replicas while another admin
     * disables and demotes it. Every session that came out of it must be refused a moment later: the sweep and the
     * sessions issued during it agree through the user's session generation.
     */
    @Test
    void disableAndDemoteLeaveNoSessionOfLoginsOrRefreshesInFlight() throws Exception {
        long target = user("admin");
        String email = emailOf(target);
        Set<String> tokens = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> sprayers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Http gateway = t % 2 == 0 ? a : b;
            sprayers.add(pool.submit(() -> {
                while (!stop.get()) {
                    Reply login = gateway.call(HttpMethod.POST, LOGIN, xff(freshIp()), loginBody(email, PASSWORD));
                    if (login.status() == 200) {
                        String token = login.json().path("data").path("token").asString();
                        tokens.add(token);
                        Reply refreshed = gateway.call(HttpMethod.POST, REFRESH, bearer(token), null);
                        if (refreshed.status() == 200) {
                            tokens.add(refreshed.json().path("data").path("token").asString());
                        }
                    }
                }
                return null;
            }));
        }
        try {
            for (int i = 0; i < 200 && tokens.size() < 2; i++) {
                Thread.sleep(50);
            }
            Reply patched = a.call(HttpMethod.PATCH, "/api/admin/users/" + target,
                    bearer(TestInfrastructure.get().adminKey), "{\"disabled\":true,\"role\":\"viewer\"}");
            assertThat(patched.status()).as(patched.body()).isEqualTo(200);
            Thread.sleep(400);
        }
        finally {
            stop.set(true);
            for (Future<?> sprayer : sprayers) {
                sprayer.get(30, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
        assertThat(tokens).as("the spray got sessions before the change").isNotEmpty();
        Thread.sleep(1_200); // the replicas' session caches keep a session at most 1 s

        for (String token : tokens) {
            for (Http gateway : List.of(a, b)) {
                Reply listed = gateway.call(HttpMethod.GET, "/api/admin/users", bearer(token), null);
                assertThat(listed.status()).as("a session of the disabled admin lists users: " + listed.body())
                        .isEqualTo(401);
            }
            assertThat(b.call(HttpMethod.POST, REFRESH, bearer(token), null).status())
                    .as("refreshed into a new token").isEqualTo(401);
        }
        assertThat(a.call(HttpMethod.POST, LOGIN, xff(freshIp()), loginBody(email, PASSWORD)).status())
                .as("disabled (or locked by the spray's refused logins)").isIn(401, 429);
    }

    /**
     * A session of an earlier generation is refused when used or refreshed, even if the sweep that should have
     * deleted it never ran (here: the generation moves behind the gateway's back, the session stays in Redis).
     */
    @Test
    void sessionOfAnEarlierGenerationIsRefusedWhenUsedOrRefreshed() throws Exception {
        long user = user("member");
        String token = login(a, emailOf(user));
        String other = login(b, emailOf(user));
        assertThat(a.call(HttpMethod.GET, "/api/keys", bearer(token), null).status()).isEqualTo(200);

        redis.opsForValue().increment(TestInfrastructure.get().redisPrefix + "user-gen:" + user);
        Thread.sleep(1_200);

        assertThat(a.call(HttpMethod.GET, "/api/keys", bearer(token), null).status()).isEqualTo(401);
        assertThat(b.call(HttpMethod.GET, "/api/keys", bearer(token), null).status()).isEqualTo(401);
        assertThat(b.call(HttpMethod.POST, REFRESH, bearer(other), null).status()).isEqualTo(401);
        assertThat(login(a, emailOf(user))).as("a new login works in the new generation").isNotBlank();
    }

    /**
     * A refresh takes the user's current role, not the one of the session it replaces.
     */
    @Test
    void refreshTakesTheCurrentRole() {
        long user = user("member");
        String token = login(a, emailOf(user));
        TestData.update("UPDATE users SET role = 'viewer' WHERE id = ? RETURNING id", user);

        Reply refreshed = b.call(HttpMethod.POST, REFRESH, bearer(token), null);

        assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
        assertThat(refreshed.json().path("data").path("user").path("role").asString()).isEqualTo("viewer");
    }

    // --- refresh chains and logout everywhere --------------------------------------------------------------------

    /**
     * An attacker refreshes a stolen token as fast as the gateway lets it while the owner logs out everywhere on the
     * other replica: no token of the chain works afterwards.
     */
    @Test
    void logoutEverywhereEndsARefreshChainInFlight() throws Exception {
        long user = user("member");
        String stolen = login(a, emailOf(user));
        String owner = login(a, emailOf(user));
        Set<String> chain = ConcurrentHashMap.newKeySet();
        chain.add(stolen);
        CountDownLatch refreshing = new CountDownLatch(2);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> attacker = pool.submit(() -> {
            String current = stolen;
            while (!stop.get()) {
                Reply refreshed = b.call(HttpMethod.POST, REFRESH, bearer(current), null);
                if (refreshed.status() != 200) {
                    break;
                }
                current = refreshed.json().path("data").path("token").asString();
                chain.add(current);
                refreshing.countDown();
            }
            return null;
        });
        try {
            assertThat(refreshing.await(10, TimeUnit.SECONDS)).isTrue();
            Reply out = a.call(HttpMethod.POST, "/api/user/auth/logout?all=true", bearer(owner), null);
            assertThat(out.status()).as(out.body()).isEqualTo(200);
        }
        finally {
            stop.set(true);
            attacker.get(30, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
        Thread.sleep(1_200);
        for (String token : chain) {
            assertThat(a.call(HttpMethod.GET, "/api/keys", bearer(token), null).status()).isEqualTo(401);
            assertThat(b.call(HttpMethod.GET, "/api/keys", bearer(token), null).status()).isEqualTo(401);
            assertThat(b.call(HttpMethod.POST, REFRESH, bearer(token), null).status()).isIn(401, 429);
        }
    }

    /** A login chain is refreshed at most 10 times a minute; the 11th is 429 with Retry-After. */
    @Test
    void refreshHasALimitPerLoginChain() {
        String current = login(a, emailOf(user("member")));
        for (int i = 1; i <= 10; i++) {
            Reply refreshed = (i % 2 == 0 ? a : b).call(HttpMethod.POST, REFRESH, bearer(current), null);
            assertThat(refreshed.status()).as("refresh " + i + ": " + refreshed.body()).isEqualTo(200);
            current = refreshed.json().path("data").path("token").asString();
        }
        a.call(HttpMethod.POST, REFRESH, bearer(current), null).assertRateLimited();
        assertThat(a.call(HttpMethod.GET, "/api/keys", bearer(current), null).status())
                .as("the refused refresh leaves the session alone").isEqualTo(200);
    }

    /** {@code logout?all=} takes only a boolean: anything else is 400 and ends nothing. */
    @Test
    void logoutAllTakesOnlyABoolean() {
        String token = login(a, emailOf(user("member")));
        for (String value : List.of("yes", "1", "", "tru")) {
            Reply reply = a.call(HttpMethod.POST, "/api/user/auth/logout?all=" + value, bearer(token), null);
            assertThat(reply.status()).as("all=" + value).isEqualTo(400);
            assertThat(reply.json().path("error").path("code").asString()).isEqualTo("invalid_request");
        }
        assertThat(a.call(HttpMethod.GET, "/api/keys", bearer(token), null).status()).isEqualTo(200);
    }

    // --- MFA steps and factor changes ----------------------------------------------------------------------------

    /**
     * A disable ends the user's open MFA steps: after it, mfa/send mails nothing, and after a re-enable the old
     * mfa_token cannot complete the login even with a right code.
     */
    @Test
    void disableEndsPendingMfaSteps() {
        long user = user("member");
        String secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true, email_mfa_enabled = true "
                + "WHERE id = ? RETURNING id", TestData.sealTotpSecret(user, secret), user);
        String first = mfaToken(a, emailOf(user));
        String second = mfaToken(a, emailOf(user));
        String admin = TestInfrastructure.get().adminKey;
        assertThat(a.call(HttpMethod.PATCH, "/api/admin/users/" + user, bearer(admin), "{\"disabled\":true}").status())
                .isEqualTo(200);

        Reply send = b.call(HttpMethod.POST, "/api/user/auth/mfa/send", Map.of(),
                "{\"mfa_token\":\"" + first + "\",\"method\":\"email\"}");
        assertThat(send.status()).as(send.body()).isEqualTo(401);

        assertThat(a.call(HttpMethod.PATCH, "/api/admin/users/" + user, bearer(admin), "{\"disabled\":false}").status())
                .isEqualTo(200);
        String right = TotpAlgorithm.code(new Base32().decode(secret),
                TotpAlgorithm.step(MovableClock.INSTANCE.instant()), TotpAlgorithm.DIGITS);
        Reply verified = b.call(HttpMethod.POST, "/api/user/auth/mfa/verify", Map.of(),
                "{\"mfa_token\":\"" + second + "\",\"code\":\"" + right + "\",\"method\":\"totp\"}");
        assertThat(verified.status()).as(verified.body()).isEqualTo(401);
    }

    /**
     * Adding a factor needs a recent sign-in: a session whose login is more than 10 minutes old (a stolen one, say)
     * cannot set up TOTP or turn on e-mail codes and lock its owner out.
     */
    @Test
    void factorChangesNeedARecentSignIn() {
        long user = user("member");
        String old = login(a, emailOf(user));
        MovableClock.INSTANCE.advance(Duration.ofMinutes(11));

        for (String path : List.of("/api/user/mfa/totp/setup", "/api/user/mfa/email/enable")) {
            Reply refused = b.call(HttpMethod.POST, path, bearer(old), null);
            assertThat(refused.status()).as(path + ": " + refused.body()).isEqualTo(403);
            assertThat(refused.json().path("error").path("code").asString()).isEqualTo("mfa_required");
        }
        Reply confirm = a.call(HttpMethod.POST, "/api/user/mfa/totp/confirm", bearer(old), "{\"code\":\"123456\"}");
        assertThat(confirm.status()).as(confirm.body()).isEqualTo(403);

        String fresh = login(a, emailOf(user));
        Reply setup = b.call(HttpMethod.POST, "/api/user/mfa/totp/setup", bearer(fresh), null);
        assertThat(setup.status()).as(setup.body()).isEqualTo(200);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private interface Call {
        int status(int index) throws Exception;
    }

    /** Runs {@code count} calls released at the same instant; their statuses in order. */
    private static List<Integer> inParallel(int count, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch ready = new CountDownLatch(count);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return call.status(index);
                }));
            }
            ready.await();
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> future : futures) {
                statuses.add(future.get(60, TimeUnit.SECONDS));
            }
            return statuses;
        }
        finally {
            pool.shutdownNow();
        }
    }

    /** The count {@code sql} gives once it stopped changing (audit events are written in batches). */
    private static long settledCount(String sql, Object... parameters) throws InterruptedException {
        long last = -1;
        long count = Long.parseLong(TestData.queryString(sql, parameters));
        for (int i = 0; i < 50 && count != last; i++) {
            Thread.sleep(200);
            last = count;
            count = Long.parseLong(TestData.queryString(sql, parameters));
        }
        return count;
    }

    private static long user(String role) {
        return TestUsers.insert(TestUsers.uniqueEmail("race"), role, "enterprise", TestUsers.hash(PASSWORD));
    }

    private static String emailOf(long user) {
        return TestUsers.emailOf(user);
    }

    private static String login(Http gateway, String email) {
        Reply reply = gateway.call(HttpMethod.POST, LOGIN, xff(freshIp()), loginBody(email, PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("data").path("token").asString();
    }

    private static String mfaToken(Http gateway, String email) {
        Reply reply = gateway.call(HttpMethod.POST, LOGIN, xff(freshIp()), loginBody(email, PASSWORD));
        assertThat(reply.json().path("status").asString()).as(reply.body()).isEqualTo("mfa_required");
        return reply.json().path("data").path("mfa_token").asString();
    }
}
