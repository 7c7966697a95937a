package io.s4e.gateway.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.mfa.TotpAlgorithm;
import io.s4e.gateway.route.Rate;
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
import reactor.core.Disposable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.WebClient;

import static io.s4e.gateway.ratelimit.Http.bearer;
import static io.s4e.gateway.ratelimit.Http.freshIp;
import static io.s4e.gateway.ratelimit.Http.loginBody;
import static io.s4e.gateway.ratelimit.Http.xff;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate limits with the real numbers of CONTRACT §7 on two replicas sharing PostgreSQL and Redis, both on one
 * {@link MovableClock}, so bucket arithmetic is exact: replica A trusts 127.0.0.1 as a proxy (each test picks its
 * client IP with {@code X-Forwarded-For}), replica B trusts no one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitIntegrationTests {

    static final String PASSWORD = "a long enough test password";

    private SecondGateway replicaA;
    private SecondGateway replicaB;
    private Http a;
    private Http b;
    private LettuceConnectionFactory redisFactory;
    private StringRedisTemplate redis;

    /** The real limits, as a gateway without the suite's generous {@code it} values would have them. */
    static Map<String, String> realLimits() {
        Map<String, String> limits = new HashMap<>();
        limits.put("s4e.rate-limits.tiers.standard.per-minute", "100");
        limits.put("s4e.rate-limits.tiers.standard.burst", "20");
        limits.put("s4e.rate-limits.tiers.premium.per-minute", "1000");
        limits.put("s4e.rate-limits.tiers.premium.burst", "100");
        limits.put("s4e.rate-limits.tiers.enterprise.per-minute", "10000");
        limits.put("s4e.rate-limits.tiers.enterprise.burst", "500");
        limits.put("s4e.rate-limits.login.per-ip-per-minute", "10");
        limits.put("s4e.rate-limits.login.max-failures", "5");
        limits.put("s4e.rate-limits.login.mfa-max-failures", "5");
        limits.put("s4e.rate-limits.refused-keys.max-failures", "20");
        return limits;
    }

    @BeforeAll
    void startReplicas() {
        Map<String, String> common = realLimits();
        common.put("spring.main.sources", MovableClock.Source.class.getName());
        Map<String, String> trusting = new HashMap<>(common);
        trusting.put("s4e.trusted-proxies", "127.0.0.1/32");
        replicaA = SecondGateway.start(trusting);
        replicaB = SecondGateway.start(common);
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

    // --- tier quotas ---------------------------------------------------------------------------------------------

    @Test
    void standardTierAllowsExactly120ThenRefusesWithHeadersAndRetryAfter() {
        String key = keyOf(user("standard"));
        for (int i = 1; i <= 120; i++) {
            Reply reply = a.get("/api/assets/" + i, key);
            assertThat(reply.status()).as("request " + i).isEqualTo(200);
            assertThat(reply.headerAsLong("X-RateLimit-Limit")).isEqualTo(120);
            assertThat(reply.headerAsLong("X-RateLimit-Remaining")).as("request " + i).isEqualTo(120 - i);
        }
        Reply refused = a.get("/api/assets/121", key);
        assertThat(refused.assertRateLimited()).isEqualTo(1); // 100/min: the next token in 0.6 s
        assertThat(refused.headerAsLong("X-RateLimit-Limit")).isEqualTo(120);
        assertThat(refused.headerAsLong("X-RateLimit-Remaining")).isZero();
        long fullAt = MovableClock.INSTANCE.millis() + 72_000; // 120 tokens at 100/min
        assertThat(refused.headerAsLong("X-RateLimit-Reset")).isEqualTo((fullAt + 999) / 1000);
    }

    @Test
    void refillAddsExactlyTheRateOverMovedTimeAndNeverBeyondTheCapacity() {
        String key = keyOf(user("standard"));
        drain(a, key, 120);
        MovableClock.INSTANCE.advance(Duration.ofSeconds(6)); // 100/min → exactly 10 tokens
        for (int i = 1; i <= 10; i++) {
            assertThat(a.get("/api/assets/1", key).status()).as("refilled " + i).isEqualTo(200);
        }
        a.get("/api/assets/1", key).assertRateLimited();

        MovableClock.INSTANCE.advance(Duration.ofHours(1)); // far more than the capacity
        assertThat(drainUntilRefused(a, key, 200)).isEqualTo(120);
    }

    @Test
    void quotaIsSharedByTheReplicasAndByAllKeysAndSessionsOfTheAccount() {
        long user = user("standard");
        String key1 = keyOf(user);
        String key2 = keyOf(user);
        drain(a, key1, 60);
        drain(b, key2, 59);
        String session = login(a, emailOf(user), freshIp());
        assertThat(b.call(HttpMethod.GET, "/api/assets/1", Map.of("Cookie", "token=" + session), null).status())
                .isEqualTo(200);
        a.get("/api/assets/1", key2).assertRateLimited();
        b.call(HttpMethod.GET, "/api/assets/1", Map.of("Cookie", "token=" + session), null).assertRateLimited();
        assertThat(a.get("/api/assets/1", keyOf(user("standard"))).status()).as("another account").isEqualTo(200);
    }

    @Test
    void tiersHaveTheirOwnBuckets() {
        assertThat(a.get("/api/assets/1", keyOf(user("premium"))).headerAsLong("X-RateLimit-Limit")).isEqualTo(1100);
        assertThat(a.get("/api/assets/1", keyOf(user("enterprise"))).headerAsLong("X-RateLimit-Limit")).isEqualTo(10500);
        String premium = keyOf(user("premium"));
        assertThat(drainUntilRefused(b, premium, 1200)).isEqualTo(1100);
    }

    @Test
    void aBusyAccountIsServedFromReservedTokensWithExactRemainingCounts() {
        long user = user("premium"); // 1,100 tokens: batches of up to 11 (1 % of the capacity)
        String key = keyOf(user);
        String bucket = TestInfrastructure.get().redisPrefix + "rl:{u:" + user + "}:tier";
        for (int i = 1; i <= 40; i++) {
            Reply reply = a.get("/api/assets/1", key);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.headerAsLong("X-RateLimit-Remaining")).as("request " + i + ": shared plus reserved")
                    .isEqualTo(1100 - i);
        }
        double shared = Double.parseDouble((String) redis.opsForHash().get(bucket, "t"));
        // a replica holds at most one and a half batches unused (the rest of a batch, and the next one once half of
        // it is spent and the account stays busy): 16 here
        assertThat(shared).as("the replica took tokens ahead of use, in batches").isLessThan(1100 - 40)
                .isGreaterThanOrEqualTo(1100 - 40 - 16);
    }

    @Test
    void reservedTokensNeverAdmitMoreThanTheBucketAcrossReplicas() {
        String key = keyOf(user("premium"));
        int admitted = 0;
        int refusedInARow = 0;
        for (int i = 0; i < 1300 && refusedInARow < 2; i++) {
            Reply reply = (i % 2 == 0 ? a : b).get("/api/assets/1", key);
            if (reply.status() == 429) {
                refusedInARow++;
            } else {
                assertThat(reply.status()).isEqualTo(200);
                admitted++;
                refusedInARow = 0;
            }
        }
        assertThat(refusedInARow).as("both replicas refuse in the end").isEqualTo(2);
        assertThat(admitted).as("every token of the bucket, no more: held tokens are used before refusing")
                .isEqualTo(1100);
    }

    @Test
    void aRouteLimitAndTheTierAreReservedTogetherInTheSameBatches() {
        long user = user("enterprise"); // 10,500 tokens; the route 1,200 (/rl/busy): batches of up to 12
        String key = keyOf(user);
        String prefix = TestInfrastructure.get().redisPrefix + "rl:{u:" + user + "}:";
        for (int i = 1; i <= 100; i++) {
            Reply reply = a.get("/rl/busy/" + i, key);
            assertThat(reply.status()).as("request " + i).isEqualTo(200);
            assertThat(reply.headerAsLong("X-RateLimit-Limit")).as("the binding bucket is the route's").isEqualTo(1200);
            assertThat(reply.headerAsLong("X-RateLimit-Remaining")).as("request " + i + ": shared plus reserved")
                    .isEqualTo(1200 - i);
        }
        double tier = Double.parseDouble((String) redis.opsForHash().get(prefix + "tier", "t"));
        String routeKey = redis.keys(prefix + "ep:*").iterator().next();
        double route = Double.parseDouble((String) redis.opsForHash().get(routeKey, "t"));
        assertThat(10_500 - tier).as("every batch took the same number of tokens from both buckets")
                .isEqualTo(1_200 - route);
        // one and a half batches of 12 at most are held unused by the replica
        assertThat(1_200 - route).as("tokens left the shared buckets ahead of use, in batches")
                .isGreaterThan(100).isLessThanOrEqualTo(100 + 18);
    }

    @Test
    void reservedRouteTokensNeverAdmitMoreThanTheRouteBucketAcrossReplicas() {
        String key = keyOf(user("enterprise"));
        int admitted = 0;
        int refusedInARow = 0;
        for (int i = 0; i < 1400 && refusedInARow < 2; i++) {
            Reply reply = (i % 2 == 0 ? a : b).get("/rl/busy/x", key);
            if (reply.status() == 429) {
                refusedInARow++;
            } else {
                assertThat(reply.status()).isEqualTo(200);
                admitted++;
                refusedInARow = 0;
            }
        }
        assertThat(refusedInARow).as("both replicas refuse in the end").isEqualTo(2);
        assertThat(admitted).as("every token of the route's bucket, no more").isEqualTo(1200);
    }

    @Test
    void tierChangedByAnAdminReachesTheQuotaOnEveryReplica() throws InterruptedException {
        long user = user("standard");
        String key = keyOf(user);
        drain(b, key, 120);
        b.get("/api/assets/1", key).assertRateLimited();

        Reply patched = a.call(HttpMethod.PATCH, "/api/admin/users/" + user,
                Map.of(HttpHeaders.AUTHORIZATION, "Bearer " + TestInfrastructure.get().adminKey),
                "{\"tier\":\"premium\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);

        Reply after = null;
        for (int i = 0; i < 40 && (after == null || after.headerAsLong("X-RateLimit-Limit") != 1100); i++) {
            Thread.sleep(50);
            after = b.get("/api/assets/1", key);
        }
        assertThat(after.headerAsLong("X-RateLimit-Limit")).as("the premium bucket").isEqualTo(1100);
        after.assertRateLimited(); // the bucket keeps its tokens; it grows and refills at the new rate
        MovableClock.INSTANCE.advance(Duration.ofSeconds(6)); // 1000/min → exactly 100 tokens
        assertThat(drainUntilRefused(a, key, 150)).isEqualTo(100);
    }

    @Test
    void gatewayOwnedEndpointsDoNotCountAgainstTheQuota() {
        String key = keyOf(user("standard"));
        drain(a, key, 120);
        a.get("/api/assets/1", key).assertRateLimited();
        Reply keys = a.get("/api/keys", key);
        assertThat(keys.status()).as(keys.body()).isEqualTo(403); // refused for its scope, not for the quota
        assertThat(keys.headers().getFirst("X-RateLimit-Limit")).isNull();
    }

    // --- per-endpoint limits -------------------------------------------------------------------------------------

    @Test
    void routeMetadataLimitIsPerAccount() {
        long user = user("standard");
        for (int i = 1; i <= 3; i++) {
            Reply reply = a.get("/rl/limited/x", keyOf(user));
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.headerAsLong("X-RateLimit-Limit")).as("the tighter endpoint limit binds").isEqualTo(3);
            assertThat(reply.headerAsLong("X-RateLimit-Remaining")).isEqualTo(3 - i);
        }
        Reply refused = b.get("/rl/limited/x", keyOf(user));
        assertThat(refused.assertRateLimited()).isEqualTo(20); // 3/min: a token every 20 s
        assertThat(refused.headerAsLong("X-RateLimit-Limit")).isEqualTo(3);
        assertThat(a.get("/api/assets/1", keyOf(user)).headerAsLong("X-RateLimit-Remaining"))
                .as("the refused request took no tier token").isEqualTo(120 - 3 - 1);
        assertThat(a.get("/rl/limited/x", keyOf(user("standard"))).status()).as("another account").isEqualTo(200);
    }

    @Test
    void contractDefaultLimitsApplyToTheirEndpoints() {
        String key = TestData.key(user("standard"), List.of("write:assets"));
        for (int i = 1; i <= 5; i++) {
            Reply reply = a.call(HttpMethod.POST, "/api/assets/bulk", bearer(key), "{}");
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.headerAsLong("X-RateLimit-Limit")).isEqualTo(5);
        }
        a.call(HttpMethod.POST, "/api/assets/bulk", bearer(key), "{}").assertRateLimited();
        assertThat(a.call(HttpMethod.POST, "/api/assets/other", bearer(key), "{}").status())
                .as("another endpoint of the route").isEqualTo(200);
    }

    @Test
    void publicRouteLimitIsPerClientIpAndForgedForwardedForFromAnUntrustedPeerChangesNothing() {
        String ip = freshIp();
        for (int i = 1; i <= 3; i++) {
            assertThat(a.call(HttpMethod.GET, "/rl/open/x", xff(ip), null).status()).isEqualTo(200);
        }
        a.call(HttpMethod.GET, "/rl/open/x", xff(ip), null).assertRateLimited();
        assertThat(a.call(HttpMethod.GET, "/rl/open/x", xff(freshIp()), null).status())
                .as("another client behind the trusted proxy").isEqualTo(200);

        // replica B trusts no proxy: every request is 127.0.0.1's, whatever X-Forwarded-For claims
        for (int i = 1; i <= 3; i++) {
            Reply reply = b.call(HttpMethod.GET, "/rl/open/x", xff(freshIp()), null);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.headerAsLong("X-RateLimit-Remaining")).isEqualTo(3 - i);
        }
        b.call(HttpMethod.GET, "/rl/open/x", xff(freshIp()), null).assertRateLimited();
        b.call(HttpMethod.GET, "/rl/open/x", Map.of("X-Forwarded-For", freshIp() + ", " + freshIp()), null)
                .assertRateLimited();
    }

    // --- concurrency leases --------------------------------------------------------------------------------------

    @Test
    void eventStreamAllowsFiveConcurrentPerAccountAndADisconnectedClientGivesItsLeaseBack()
            throws InterruptedException {
        long user = user("standard");
        String key = keyOf(user);
        String leases = TestInfrastructure.get().redisPrefix + "rl:{u:" + user + "}:conc:GET /api/events/stream";
        List<Disposable> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                streams.add(openStream(i % 2 == 0 ? replicaA : replicaB, "/api/events/stream?delay=60000", key));
            }
            awaitLeases(leases, 5);
            Reply refused = a.get("/api/events/stream?delay=1", key);
            refused.assertRateLimited();
            assertThat(refused.headerAsLong("X-RateLimit-Limit")).isEqualTo(5);
            assertThat(refused.headerAsLong("X-RateLimit-Remaining")).isZero();

            streams.remove(0).dispose(); // the client goes away
            awaitLeases(leases, 4);
            streams.add(openStream(replicaB, "/api/events/stream?delay=60000", key));
            awaitLeases(leases, 5);
            b.get("/api/events/stream?delay=1", key).assertRateLimited();
        }
        finally {
            streams.forEach(Disposable::dispose);
        }
        awaitLeases(leases, 0);
        Reply completed = a.get("/api/events/stream?delay=1", key);
        assertThat(completed.status()).as("a completed stream gives its lease back too").isEqualTo(200);
        awaitLeases(leases, 0);
    }

    @Test
    void leasesOfADeadReplicaExpireAndRouteMetadataSetsTheLimit() throws InterruptedException {
        long user = user("standard");
        String key = keyOf(user);
        String leases = TestInfrastructure.get().redisPrefix + "rl:{u:" + user + "}:conc:route:rl-stream";
        long now = MovableClock.INSTANCE.millis();
        redis.opsForZSet().add(leases, "dead-replica", now - 1);       // its renewals stopped: expired
        redis.opsForZSet().add(leases, "live-elsewhere", now + 60_000); // held on another replica
        Disposable stream = openStream(replicaA, "/rl/stream/x?delay=60000", key);
        try {
            for (int i = 0; i < 500 && redis.opsForZSet().score(leases, "dead-replica") != null; i++) {
                Thread.sleep(20);
            }
            assertThat(redis.opsForZSet().score(leases, "dead-replica")).as("removed by the next acquisition").isNull();
            assertThat(redis.opsForZSet().rangeByScore(leases, now, Double.MAX_VALUE)).hasSize(2)
                    .contains("live-elsewhere");
            Reply refused = b.get("/rl/stream/x?delay=1", key);
            refused.assertRateLimited();
            assertThat(refused.headerAsLong("X-RateLimit-Limit")).isEqualTo(2);
        }
        finally {
            stream.dispose();
            redis.delete(leases);
        }
    }

    // --- login ---------------------------------------------------------------------------------------------------

    @Test
    void loginAllowsTenAttemptsPerClientIpAndMinute() {
        String ip = freshIp();
        for (int i = 1; i <= 10; i++) {
            Reply reply = a.call(HttpMethod.POST, "/api/user/auth/login", xff(ip),
                    loginBody("nobody-" + i + "-" + ip + "@example.test", PASSWORD));
            assertThat(reply.status()).as(reply.body()).isEqualTo(401);
            assertThat(reply.headerAsLong("X-RateLimit-Limit")).isEqualTo(10);
            assertThat(reply.headerAsLong("X-RateLimit-Remaining")).isEqualTo(10 - i);
        }
        long user = user("standard");
        Reply refused = a.call(HttpMethod.POST, "/api/user/auth/login", xff(ip),
                loginBody(emailOf(user), PASSWORD));
        assertThat(refused.assertRateLimited()).isBetween(1L, 60L);
        assertThat(refused.headerAsLong("X-RateLimit-Remaining")).isZero();
        assertThat(login(a, emailOf(user), freshIp())).as("from another address").isNotBlank();
    }

    @Test
    void wrongPasswordsLockTheAccountOnEveryReplicaEvenForTheRightPassword() throws InterruptedException {
        long user = user("standard");
        String email = emailOf(user);
        for (int i = 1; i <= 4; i++) {
            Reply reply = a.call(HttpMethod.POST, "/api/user/auth/login", xff(freshIp()),
                    loginBody(email, "a wrong password of some length"));
            assertThat(reply.status()).as("failure " + i).isEqualTo(401);
        }
        Reply fifth = a.call(HttpMethod.POST, "/api/user/auth/login", xff(freshIp()),
                loginBody(email.toUpperCase(), "a wrong password of some length"));
        assertThat(fifth.assertRateLimited()).isEqualTo(900);

        String requestId = "locked-" + user;
        Reply right = b.call(HttpMethod.POST, "/api/user/auth/login", Map.of("X-Request-ID", requestId),
                loginBody(email, PASSWORD));
        assertThat(right.assertRateLimited()).isBetween(1L, 900L);
        assertThat(right.body()).doesNotContain(PASSWORD);
        assertThat(auditReason(requestId)).as("audited as a login failure of a locked account").isEqualTo("locked");
        assertThat(login(a, emailOf(user("standard")), freshIp())).as("another account").isNotBlank();
    }

    /**
     * A correct password does not wipe out the window's failures: otherwise a success in the middle of a burst of
     * attempts would open new ones, and more than max-failures wrong passwords could be checked in one window.
     */
    @Test
    void aCorrectPasswordKeepsTheWindowsFailures() {
        long user = user("standard");
        String email = emailOf(user);
        for (int i = 1; i <= 4; i++) {
            assertThat(a.call(HttpMethod.POST, "/api/user/auth/login", xff(freshIp()),
                    loginBody(email, "a wrong password of some length")).status()).isEqualTo(401);
        }
        assertThat(login(a, email, freshIp())).isNotBlank();
        assertThat(b.call(HttpMethod.POST, "/api/user/auth/login", xff(freshIp()),
                loginBody(email, "a wrong password of some length")).assertRateLimited())
                .as("the fifth wrong password of the window locks").isEqualTo(900);
    }

    @Test
    void wrongMfaCodesLockTheAccountAcrossMfaTokensAndReplicas() {
        long user = user("standard");
        String secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true WHERE id = ? RETURNING id",
                TestData.sealTotpSecret(user, secret), user);
        String email = emailOf(user);
        String right = TotpAlgorithm.code(new Base32().decode(secret),
                TotpAlgorithm.step(MovableClock.INSTANCE.instant()), TotpAlgorithm.DIGITS);
        String wrong = right.equals("000000") ? "000001" : "000000";
        for (int i = 1; i <= 4; i++) {
            String mfaToken = mfaToken(a, email);
            assertThat(a.call(HttpMethod.POST, "/api/user/auth/mfa/verify", Map.of(), verifyBody(mfaToken, wrong))
                    .status()).as("failure " + i).isEqualTo(401);
        }
        a.call(HttpMethod.POST, "/api/user/auth/mfa/verify", Map.of(), verifyBody(mfaToken(a, email), wrong))
                .assertRateLimited();
        b.call(HttpMethod.POST, "/api/user/auth/mfa/verify", Map.of(), verifyBody(mfaToken(a, email), right))
                .assertRateLimited();
    }

    @Test
    void wrongRecoveryCodesCountWithWrongMfaCodesAndLockTheAccount() {
        long user = user("standard");
        TestData.update("UPDATE users SET totp_secret = ?, totp_enabled = true WHERE id = ? RETURNING id",
                TestData.sealTotpSecret(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), user);
        // One stored code (its hash is of no code anyone knows), so the step offers recovery codes.
        TestData.update("INSERT INTO mfa_recovery_codes (user_id, key_id, code_hash) VALUES (?, 'it1', ?)", user,
                "0".repeat(64));
        String email = emailOf(user);
        for (int i = 1; i <= 4; i++) {
            String mfaToken = mfaToken(a, email);
            assertThat(a.call(HttpMethod.POST, "/api/user/auth/mfa/verify", Map.of(),
                    verifyBody(mfaToken, "aaaaa-bbbb" + i, "recovery_code")).status()).as("failure " + i).isEqualTo(401);
        }
        a.call(HttpMethod.POST, "/api/user/auth/mfa/verify", Map.of(),
                verifyBody(mfaToken(a, email), "aaaaa-bbbbb", "recovery_code")).assertRateLimited();
        b.call(HttpMethod.POST, "/api/user/auth/mfa/verify", Map.of(),
                verifyBody(mfaToken(a, email), "aaaaa-bbbbc", "recovery_code")).assertRateLimited();
    }

    // --- refused API keys ----------------------------------------------------------------------------------------

    @Test
    void refusedApiKeysBlockTheClientIpEvenForAValidKeyNotVerifiedBefore() {
        String ip = freshIp();
        Map<String, String> headers = new HashMap<>(xff(ip));
        for (int i = 1; i <= 19; i++) {
            headers.put(HttpHeaders.AUTHORIZATION, "Bearer " + TestData.unknownKey());
            assertThat(a.call(HttpMethod.GET, "/api/assets/1", headers, null).status()).as("refusal " + i)
                    .isEqualTo(401);
        }
        headers.put(HttpHeaders.AUTHORIZATION, "Bearer " + TestData.unknownKey());
        assertThat(a.call(HttpMethod.GET, "/api/assets/1", headers, null).assertRateLimited()).isEqualTo(300);
        headers.put(HttpHeaders.AUTHORIZATION, "Bearer " + keyOf(user("standard")));
        a.call(HttpMethod.GET, "/api/assets/1", headers, null).assertRateLimited();
        headers.put("X-Forwarded-For", freshIp());
        assertThat(a.call(HttpMethod.GET, "/api/assets/1", headers, null).status()).as("another address")
                .isEqualTo(200);
    }

    @Test
    void refusedApiKeysFarFromTheLimitAreStillCountedInRedis() throws InterruptedException {
        String ip = freshIp();
        Map<String, String> headers = new HashMap<>(xff(ip));
        for (int i = 1; i <= 5; i++) {
            headers.put(HttpHeaders.AUTHORIZATION, "Bearer " + TestData.unknownKey());
            assertThat(a.call(HttpMethod.GET, "/api/assets/1", headers, null).status()).isEqualTo(401);
        }
        String counter = TestInfrastructure.get().redisPrefix + "rl:{key-ip:" + ip + "}:failures";
        String counted = null;
        for (int i = 0; i < 40 && !"5".equals(counted); i++) {
            counted = redis.opsForValue().get(counter);
            Thread.sleep(50);
        }
        assertThat(counted).as("every refusal reaches the shared count").isEqualTo("5");
    }

    @Test
    void malformedKeysAreRefusedWithoutAStoreAndNeverCountTowardsTheBlock() {
        String ip = freshIp();
        Map<String, String> headers = new HashMap<>(xff(ip));
        for (int i = 1; i <= 30; i++) {
            headers.put(HttpHeaders.AUTHORIZATION, "Bearer s4e_live_not-a-key-" + i);
            assertThat(a.call(HttpMethod.GET, "/api/assets/1", headers, null).status()).as("malformed " + i)
                    .isEqualTo(401);
        }
        String counter = TestInfrastructure.get().redisPrefix + "rl:{key-ip:" + ip + "}:failures";
        assertThat(redis.hasKey(counter)).as("a malformed key cannot be a guess: nothing counted").isFalse();
        headers.put(HttpHeaders.AUTHORIZATION, "Bearer " + TestData.unknownKey());
        assertThat(a.call(HttpMethod.GET, "/api/assets/1", headers, null).status())
                .as("a well-formed unknown key is refused, not blocked").isEqualTo(401);
    }

    @Test
    void refusedApiKeysWhenOtherReplicasReachedTheLimitThenBlockedFromTheNextRequest() {
        String ip = freshIp();
        String counter = TestInfrastructure.get().redisPrefix + "rl:{key-ip:" + ip + "}:failures";
        redis.opsForValue().set(counter, "19", java.time.Duration.ofMinutes(5)); // 19 refusals elsewhere
        Map<String, String> headers = new HashMap<>(xff(ip));
        headers.put(HttpHeaders.AUTHORIZATION, "Bearer " + TestData.unknownKey());

        int first = a.call(HttpMethod.GET, "/api/assets/1", headers, null).status();

        assertThat(first).as("the 20th refusal: 401, or already 429").isIn(401, 429);
        headers.put(HttpHeaders.AUTHORIZATION, "Bearer " + keyOf(user("standard")));
        int blocked = 0;
        for (int i = 0; i < 20 && blocked != 429; i++) {
            blocked = a.call(HttpMethod.GET, "/api/assets/1", headers, null).status();
        }
        assertThat(blocked).as("blocked, even with a valid key this replica has not verified").isEqualTo(429);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    static long user(String tier) {
        return TestUsers.insert(TestUsers.uniqueEmail("rl"), "member", tier, TestUsers.hash(PASSWORD));
    }

    static String emailOf(long user) {
        return TestUsers.emailOf(user);
    }

    static String keyOf(long user) {
        return TestData.key(user, List.of("read:assets"));
    }

    private static String verifyBody(String mfaToken, String code) {
        return verifyBody(mfaToken, code, "totp");
    }

    private static String verifyBody(String mfaToken, String code, String method) {
        return "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"" + code + "\",\"method\":\"" + method + "\"}";
    }

    private static String login(Http gateway, String email, String ip) {
        Reply reply = gateway.call(HttpMethod.POST, "/api/user/auth/login", xff(ip), loginBody(email, PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("data").path("token").asString();
    }

    private static String mfaToken(Http gateway, String email) {
        Reply reply = gateway.call(HttpMethod.POST, "/api/user/auth/login", xff(freshIp()),
                loginBody(email, PASSWORD));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("data").path("mfa_token").asString();
    }

    private static void drain(Http gateway, String key, int count) {
        for (int i = 1; i <= count; i++) {
            assertThat(gateway.get("/api/assets/1", key).status()).as("request " + i).isEqualTo(200);
        }
    }

    /** The {@code detail.reason} of the {@code login.failure} event of request {@code requestId}, once written. */
    private static String auditReason(String requestId) throws InterruptedException {
        String sql = "SELECT detail->>'reason' FROM audit_log WHERE event = 'login.failure' AND request_id = ?";
        String reason = TestData.queryString(sql, requestId);
        for (int i = 0; i < 100 && reason == null; i++) {
            Thread.sleep(50);
            reason = TestData.queryString(sql, requestId);
        }
        return reason;
    }

    /** Requests until refused; the count of allowed ones. */
    private static int drainUntilRefused(Http gateway, String key, int most) {
        for (int i = 0; i < most; i++) {
            Reply reply = gateway.get("/api/assets/1", key);
            if (reply.status() == 429) {
                reply.assertRateLimited();
                return i;
            }
            assertThat(reply.status()).isEqualTo(200);
        }
        return most;
    }

    /** A long request that stays open until disposed (the client disconnecting). */
    private static Disposable openStream(SecondGateway replica, String path, String key) {
        return WebClient.create("http://127.0.0.1:" + replica.port()).get().uri(path)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .retrieve()
                .toBodilessEntity()
                .subscribe(entity -> { }, failure -> { });
    }

    private void awaitLeases(String key, long expected) throws InterruptedException {
        Long live = null;
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            live = redis.opsForZSet().zCard(key);
            if (live != null && live == expected) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(live).as("live leases of " + key).isEqualTo(expected);
    }
}
