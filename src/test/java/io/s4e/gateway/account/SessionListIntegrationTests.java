package io.s4e.gateway.account;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.session.SessionLastSeen;
import io.s4e.gateway.support.AccountCalls;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session list of CONTRACT §10: every session of the user with where and when it signed in, last seen in
 * batches, and "sign out this device" refused on every replica within 1 s.
 */
@GatewayIntegrationTest
class SessionListIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @Autowired
    RedisKeyProperties keys;

    @Autowired
    SessionLastSeen lastSeen;

    AccountCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new AccountCalls(port);
    }

    private static String sid(String token) {
        String payload = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        return LoginCalls.JSON.readTree(payload).path("sid").asString();
    }

    private static JsonNode find(JsonNode list, String sid) {
        for (JsonNode session : list) {
            if (session.path("id").asString().equals(sid)) {
                return session;
            }
        }
        return null;
    }

    @Test
    void listWhenTwoDevicesThenBothWithWhereAndWhenAndTheCurrentMarkedButNoToken() {
        String email = LoginCalls.userWithPassword("member");
        Instant before = Instant.now().minusSeconds(1);
        String laptop = gateway.token(email, LoginCalls.PASSWORD, "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0");
        String phone = gateway.token(email, LoginCalls.PASSWORD, "Mozilla/5.0 (iPhone) Safari/604.1");
        String stranger = gateway.login.token(LoginCalls.userWithPassword("member"));

        Reply reply = gateway.get(AccountCalls.SESSIONS, laptop);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode list = reply.data();
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(2);
        JsonNode here = find(list, sid(laptop));
        JsonNode other = find(list, sid(phone));
        assertThat(here).isNotNull();
        assertThat(other).isNotNull();
        assertThat(find(list, sid(stranger))).isNull();
        assertThat(here.propertyNames()).contains("id", "created_at", "last_seen_at", "client_ip", "user_agent", "amr",
                "current");
        assertThat(here.path("current").asBoolean()).isTrue();
        assertThat(other.path("current").asBoolean()).isFalse();
        assertThat(here.path("user_agent").asString()).contains("Firefox");
        assertThat(other.path("user_agent").asString()).contains("iPhone");
        assertThat(here.path("client_ip").asString()).isEqualTo("127.0.0.1");
        assertThat(here.path("amr").toString()).isEqualTo("[\"pwd\"]");
        assertThat(Instant.parse(here.path("created_at").asString())).isAfter(before);
        assertThat(Instant.parse(here.path("last_seen_at").asString()))
                .as("this replica adds its own not yet written notes").isAfter(before);
        assertThat(reply.body()).doesNotContain(laptop).doesNotContain(phone)
                .doesNotContain(laptop.split("\\.")[2]);
    }

    /** A session issued by the MFA step and one issued by a refresh carry the device of the request that issued them. */
    @Test
    void listWhenIssuedByTheMfaStepOrARefreshThenItsDeviceIsTheIssuingRequest() {
        String secret = LoginCalls.newSecret();
        String email = LoginCalls.mfaUser(secret, false);
        Reply step = gateway.postWithAgent("/api/user/auth/login",
                LoginCalls.body(email, LoginCalls.PASSWORD), "Password-Agent/1.0");
        String mfaToken = step.json().path("data").path("mfa_token").asString();
        Reply verified = gateway.postWithAgent("/api/user/auth/mfa/verify",
                LoginCalls.verifyBody(mfaToken, LoginCalls.codeNow(secret), "totp"),
                "Verify-Agent/2.0");
        String token = verified.data().path("token").asString();

        JsonNode mfaSession = find(gateway.get(AccountCalls.SESSIONS, token).data(), sid(token));

        assertThat(mfaSession).isNotNull();
        assertThat(mfaSession.path("user_agent").asString()).isEqualTo("Verify-Agent/2.0");
        assertThat(mfaSession.path("amr").toString()).contains("\"mfa\"");
        assertThat(mfaSession.path("client_ip").asString()).isEqualTo("127.0.0.1");

        String refreshed = gateway.login.post("/api/user/auth/refresh", token, null).data().path("token").asString();
        JsonNode list = gateway.get(AccountCalls.SESSIONS, refreshed).data();

        assertThat(find(list, sid(token))).as("refreshed away: not listed").isNull();
        assertThat(find(list, sid(refreshed))).isNotNull();
        assertThat(find(list, sid(refreshed)).path("created_at").asString())
                .as("the sign-in time survives refreshes").isEqualTo(mfaSession.path("created_at").asString());
    }

    @Test
    void lastSeenWhenRequestsMadeThenNoRedisWriteUntilTheBatchedFlush() {
        String email = LoginCalls.userWithPassword("member");
        String token = gateway.login.token(email);
        String key = keys.keyPrefix() + "session:" + sid(token);
        lastSeen.flush().block(Duration.ofSeconds(5));
        redis.opsForHash().remove(key, "last_seen").block(Duration.ofSeconds(5));

        for (int i = 0; i < 5; i++) {
            assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
        }
        Object beforeFlush = redis.opsForHash().get(key, "last_seen").block(Duration.ofSeconds(5));
        Long written = lastSeen.flush().block(Duration.ofSeconds(5));
        Object afterFlush = redis.opsForHash().get(key, "last_seen").block(Duration.ofSeconds(5));

        assertThat(beforeFlush).as("requests only note the use in memory").isNull();
        assertThat(written).isGreaterThanOrEqualTo(1L);
        assertThat(Long.parseLong((String) afterFlush)).isCloseTo(Instant.now().getEpochSecond(),
                org.assertj.core.data.Offset.offset(5L));
    }

    @Test
    void lastSeenWhenTheSessionEndedBeforeTheFlushThenItIsNotRecreated() {
        String token = gateway.login.token(LoginCalls.userWithPassword("member"));
        String key = keys.keyPrefix() + "session:" + sid(token);
        assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);
        assertThat(gateway.post("/api/user/auth/logout", token, null).status()).isEqualTo(200);

        lastSeen.flush().block(Duration.ofSeconds(5));

        assertThat(redis.hasKey(key).block(Duration.ofSeconds(5))).isFalse();
    }

    /** A session ended from the list is refused on the other replica, which had it cached, within 1 s. */
    @Test
    void endWhenAnotherSessionThenRefusedOnTheOtherReplicaWithinOneSecond() throws Exception {
        try (SecondGateway other = SecondGateway.start(Map.of())) {
            AccountCalls there = new AccountCalls(other.port());
            String email = LoginCalls.userWithPassword("member");
            String here = gateway.login.token(email);
            String phone = there.login.token(email);
            assertThat(there.get("/api/assets/1", phone).status()).as("cached on the other replica").isEqualTo(200);

            Reply ended = gateway.delete(AccountCalls.SESSIONS + "/" + sid(phone), here);
            long start = System.nanoTime();
            int status = there.get("/api/assets/1", phone).status();
            while (status != 401 && System.nanoTime() - start < 2_000_000_000L) {
                Thread.sleep(20);
                status = there.get("/api/assets/1", phone).status();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("session ended from the list: refused on the other replica after %d ms%n", millis);

            assertThat(ended.status()).as(ended.body()).isEqualTo(200);
            assertThat(ended.data().path("current").asBoolean()).isFalse();
            assertThat(status).isEqualTo(401);
            assertThat(millis).isLessThanOrEqualTo(1000);
            assertThat(gateway.get("/api/assets/1", phone).status()).isEqualTo(401);
            assertThat(gateway.get("/api/assets/1", here).status()).as("the current one stays").isEqualTo(200);
            assertThat(find(gateway.get(AccountCalls.SESSIONS, here).data(), sid(phone))).isNull();
            AccountCalls.awaitAudit("session.ended", "success", AccountCalls.userId(email), sid(phone));
        }
    }

    @Test
    void endWhenAnotherUsersOrUnknownIdThenNotFoundAndNothingEnds() {
        String mine = gateway.login.token(LoginCalls.userWithPassword("member"));
        String theirs = gateway.login.token(LoginCalls.userWithPassword("member"));

        Reply foreign = gateway.delete(AccountCalls.SESSIONS + "/" + sid(theirs), mine);
        Reply unknown = gateway.delete(AccountCalls.SESSIONS + "/AAAAAAAAAAAAAAAAAAAAAAAA", mine);
        Reply odd = gateway.delete(AccountCalls.SESSIONS + "/a.b", mine);

        assertThat(foreign.status()).as(foreign.body()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(foreign.body(), "not_found");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(odd.status()).isEqualTo(404);
        assertThat(gateway.get("/api/assets/1", theirs).status()).isEqualTo(200);
    }

    @Test
    void endWhenTheCurrentSessionThenItEndsAndTheCookieIsCleared() {
        String token = gateway.login.token(LoginCalls.userWithPassword("member"));

        Reply ended = gateway.delete(AccountCalls.SESSIONS + "/" + sid(token), token);

        assertThat(ended.status()).as(ended.body()).isEqualTo(200);
        assertThat(ended.data().path("current").asBoolean()).isTrue();
        assertThat(ended.setCookie()).startsWith("token=;");
        assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(401);
    }

    @Test
    void listWhenPasswordChangedThenOnlyTheCurrentSessionIsLeft() {
        String email = LoginCalls.userWithPassword("member");
        String here = gateway.login.token(email);
        gateway.login.token(email);
        gateway.login.token(email);
        assertThat(gateway.get(AccountCalls.SESSIONS, here).data()).hasSize(3);

        assertThat(gateway.post(AccountCalls.PASSWORD, here,
                AccountCalls.changeBody(LoginCalls.PASSWORD, AccountCalls.NEW_PASSWORD)).status()).isEqualTo(200);
        JsonNode list = gateway.get(AccountCalls.SESSIONS, here).data();

        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("id").asString()).isEqualTo(sid(here));
        assertThat(list.get(0).path("current").asBoolean()).isTrue();
    }
}
