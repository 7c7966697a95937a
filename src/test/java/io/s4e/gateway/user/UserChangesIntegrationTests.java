package io.s4e.gateway.user;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.s4e.gateway.session.SessionKeys;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code PATCH /api/admin/users/{id}} (CONTRACT §6): the change itself, its effect on the user's API keys and
 * sessions at once, and the last active admin.
 */
@GatewayIntegrationTest
class UserChangesIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;
    private static final Duration REDIS = Duration.ofSeconds(5);

    @LocalServerPort
    int port;

    @Autowired
    ReactiveStringRedisTemplate redis;

    @Autowired
    SessionKeys sessionKeys;

    UserCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new UserCalls(port);
    }

    @Test
    void patchWhenRoleTierAndDisabledGivenThenAllStoredAndReturned() {
        long id = TestData.user("member");

        JsonNode user = gateway.patchUser(ADMIN_KEY, id,
                "{\"role\":\"viewer\",\"tier\":\"premium\",\"disabled\":true}");

        assertThat(user.get("id").asLong()).isEqualTo(id);
        assertThat(user.get("role").asString()).isEqualTo("viewer");
        assertThat(user.get("tier").asString()).isEqualTo("premium");
        assertThat(user.get("disabled").asBoolean()).isTrue();
        assertThat(user.propertyNames())
                .containsExactlyInAnyOrder("id", "email", "role", "tier", "disabled", "created_at");
        assertThat(TestData.queryString("SELECT role || ' ' || tier || ' ' || disabled FROM users WHERE id = ?", id))
                .isEqualTo("viewer premium true");
    }

    @Test
    void patchWhenOnlyTierGivenThenOtherFieldsUnchanged() {
        long id = TestData.user("member");

        JsonNode user = gateway.patchUser(ADMIN_KEY, id, "{\"tier\":\"enterprise\"}");

        assertThat(user.get("role").asString()).isEqualTo("member");
        assertThat(user.get("tier").asString()).isEqualTo("enterprise");
        assertThat(user.get("disabled").asBoolean()).isFalse();
    }

    @Test
    void patchWhenUnknownIdThenNotFound() {
        Reply unknown = gateway.patch("/api/admin/users/999999999", ADMIN_KEY, "{\"tier\":\"premium\"}");
        Reply notANumber = gateway.patch("/api/admin/users/abc", ADMIN_KEY, "{\"tier\":\"premium\"}");

        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
        assertThat(notANumber.status()).as(notANumber.body()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"role\":\"owner\"}", "{\"tier\":\"gold\"}", "{\"disabled\":\"maybe\"}",
            "{\"role\":null,\"tier\":null}", "{broken", "[]"})
    void patchWhenBodyInvalidThenBadRequestAndUserUnchanged(String body) {
        long id = TestData.user("member");

        Reply reply = gateway.patch("/api/admin/users/" + id, ADMIN_KEY, body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
        assertThat(TestData.queryString("SELECT role || ' ' || tier || ' ' || disabled FROM users WHERE id = ?", id))
                .isEqualTo("member standard false");
    }

    @Test
    void patchWhenOwnerDisabledThenKeyRefusedAtOnceAndWorksAgainWhenEnabled() {
        long id = TestData.user("member");
        String key = TestData.key(id, List.of("read:assets"));
        assertThat(gateway.get("/api/assets/1", key).status()).isEqualTo(200);

        gateway.patchUser(ADMIN_KEY, id, "{\"disabled\":true}");
        Reply refused = gateway.get("/api/assets/1", key);

        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        assertThat(refused.errorCode()).isEqualTo("unauthorized");

        gateway.patchUser(ADMIN_KEY, id, "{\"disabled\":false}");

        assertThat(gateway.get("/api/assets/1", key).status()).isEqualTo(200);
    }

    @Test
    void patchWhenOwnerDemotedToViewerThenKeyLosesWriteScopesAtOnce() {
        long id = TestData.user("member");
        String key = TestData.key(id, List.of("read:assets", "write:assets"));
        Reply before = gateway.post("/api/assets/1", key, "{}");
        assertThat(before.status()).as(before.body()).isEqualTo(200);
        assertThat(before.upstreamHeader("X-S4E-Scopes")).isEqualTo("read:assets write:assets");

        gateway.patchUser(ADMIN_KEY, id, "{\"role\":\"viewer\"}");

        Reply write = gateway.post("/api/assets/1", key, "{}");
        assertThat(write.status()).as(write.body()).isEqualTo(403);
        Reply read = gateway.get("/api/assets/1", key);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.upstreamHeader("X-S4E-Scopes")).isEqualTo("read:assets");
        assertThat(read.upstreamHeader("X-S4E-User-Role")).isEqualTo("viewer");
    }

    @Test
    void patchWhenUserDisabledThenItsSessionsAreDeleted() {
        long id = TestData.user("member");
        String sid = fakeSession(id);

        gateway.patchUser(ADMIN_KEY, id, "{\"disabled\":true}");

        assertThat(redis.hasKey(sessionKeys.session(sid)).block(REDIS)).isFalse();
        assertThat(redis.hasKey(sessionKeys.userSessions(id)).block(REDIS)).isFalse();
    }

    @Test
    void patchWhenRoleChangedThenItsSessionsAreDeleted() {
        long id = TestData.user("member");
        String sid = fakeSession(id);

        gateway.patchUser(ADMIN_KEY, id, "{\"role\":\"viewer\"}");

        assertThat(redis.hasKey(sessionKeys.session(sid)).block(REDIS)).isFalse();
        assertThat(redis.hasKey(sessionKeys.userSessions(id)).block(REDIS)).isFalse();
    }

    @Test
    void patchWhenOnlyTierChangedThenSessionsKept() {
        long id = TestData.user("member");
        String sid = fakeSession(id);

        gateway.patchUser(ADMIN_KEY, id, "{\"tier\":\"premium\"}");

        assertThat(redis.hasKey(sessionKeys.session(sid)).block(REDIS)).isTrue();
        assertThat(redis.opsForSet().isMember(sessionKeys.userSessions(id), sid).block(REDIS)).isTrue();
    }

    @Test
    void patchWhenLastActiveAdminDisabledOrDemotedThenConflictAndAdminKeeps() {
        long bootstrapAdmin = Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?",
                TestInfrastructure.ADMIN_EMAIL));
        List<Long> others = disableActiveAdminsExcept(bootstrapAdmin);
        try {
            assertLastAdminRefused(bootstrapAdmin);
        }
        finally {
            enable(others);
        }
    }

    private void assertLastAdminRefused(long bootstrapAdmin) {
        Reply disable = gateway.patch("/api/admin/users/" + bootstrapAdmin, ADMIN_KEY,
                "{\"disabled\":true}");
        Reply demote = gateway.patch("/api/admin/users/" + bootstrapAdmin, ADMIN_KEY,
                "{\"role\":\"member\"}");

        assertThat(disable.status()).as(disable.body()).isEqualTo(409);
        assertThat(disable.errorCode()).isEqualTo("conflict");
        assertThat(disable.errorMessage()).contains("last active admin");
        assertThat(demote.status()).as(demote.body()).isEqualTo(409);
        assertThat(TestData.queryString("SELECT role || ' ' || disabled FROM users WHERE id = ?", bootstrapAdmin))
                .isEqualTo("admin false");
        assertThat(gateway.get("/api/admin/users", ADMIN_KEY).status()).isEqualTo(200);
    }

    @Test
    void patchWhenLastActiveAdminChangesTierOrStaysAdminThenAllowed() {
        long bootstrapAdmin = Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?",
                TestInfrastructure.ADMIN_EMAIL));
        List<Long> others = disableActiveAdminsExcept(bootstrapAdmin);
        String tier = TestData.queryString("SELECT tier FROM users WHERE id = ?", bootstrapAdmin);
        try {
            JsonNode changed = gateway.patchUser(ADMIN_KEY, bootstrapAdmin,
                    "{\"tier\":\"premium\",\"role\":\"admin\",\"disabled\":false}");

            assertThat(changed.get("tier").asString()).isEqualTo("premium");
            assertThat(gateway.get("/api/admin/users", ADMIN_KEY).status()).isEqualTo(200);
        }
        finally {
            gateway.patchUser(ADMIN_KEY, bootstrapAdmin, "{\"tier\":\"" + tier + "\"}");
            enable(others);
        }
    }

    @Test
    void patchWhenTwoLastAdminsDemoteEachOtherAtOnceThenExactlyOneSucceeds() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                long a = TestData.user("admin");
                long b = TestData.user("admin");
                String keyA = TestData.key(a, List.of("admin"));
                String keyB = TestData.key(b, List.of("admin"));
                List<Long> others = disableActiveAdminsExcept(a, b);
                try {
                    Future<Integer> aDemotesB = callers.submit(() -> gateway.patch("/api/admin/users/" + b, keyA,
                            "{\"role\":\"member\"}").status());
                    Future<Integer> bDemotesA = callers.submit(() -> gateway.patch("/api/admin/users/" + a, keyB,
                            "{\"role\":\"member\"}").status());

                    // the loser is refused as the last admin (409), or, when the winner's change reached its key
                    // first, as no longer an admin (403); either way exactly one admin remains
                    List<Integer> statuses = List.of(aDemotesB.get(30, TimeUnit.SECONDS),
                            bDemotesA.get(30, TimeUnit.SECONDS));
                    assertThat(statuses).containsOnlyOnce(200);
                    assertThat(statuses).anySatisfy(status -> assertThat(status).isIn(403, 409));
                    assertThat(TestData.queryString("SELECT count(*) FROM users WHERE id IN (?, ?) "
                            + "AND role = 'admin' AND NOT disabled", a, b)).isEqualTo("1");
                }
                finally {
                    enable(others);
                }
            }
        }
        finally {
            callers.shutdownNow();
        }
    }

    @Test
    void patchWhenAnotherActiveAdminRemainsThenAdminMayBeDemotedAndDisabled() {
        long second = gateway.createUser(ADMIN_KEY, UserEndpointsIntegrationTests.uniqueEmail(),
                "a long enough secret", "admin").get("id").asLong();
        long third = gateway.createUser(ADMIN_KEY, UserEndpointsIntegrationTests.uniqueEmail(),
                "a long enough secret", "admin").get("id").asLong();

        assertThat(gateway.patchUser(ADMIN_KEY, second, "{\"role\":\"member\"}").get("role").asString())
                .isEqualTo("member");
        assertThat(gateway.patchUser(ADMIN_KEY, third, "{\"disabled\":true}").get("disabled").asBoolean())
                .isTrue();
    }

    @Test
    void patchWhenAdminUsesOwnKeyAfterBeingDisabledThenRefused() {
        long admin = gateway.createUser(ADMIN_KEY, UserEndpointsIntegrationTests.uniqueEmail(),
                "a long enough secret", "admin").get("id").asLong();
        String ownKey = TestData.key(admin, List.of("admin"));
        assertThat(gateway.get("/api/admin/users", ownKey).status()).isEqualTo(200);

        gateway.patchUser(ownKey, admin, "{\"disabled\":true}");

        assertThat(gateway.get("/api/admin/users", ownKey).status()).isEqualTo(401);
    }

    /**
     * Disables, straight in the database, every active admin but {@code keep}, so one of them is the last; returns
     * the ids disabled, for {@link #enable}.
     */
    private static List<Long> disableActiveAdminsExcept(long... keep) {
        List<Long> disabled = new ArrayList<>();
        for (String id : TestData.queryString("SELECT coalesce(string_agg(id::text, ','), '') FROM users "
                + "WHERE role = 'admin' AND NOT disabled").split(",")) {
            if (!id.isEmpty() && Arrays.stream(keep).noneMatch(k -> k == Long.parseLong(id))) {
                disabled.add(Long.parseLong(id));
            }
        }
        disabled.forEach(id -> TestData.update("UPDATE users SET disabled = true WHERE id = ?", id));
        return disabled;
    }

    private static void enable(List<Long> ids) {
        ids.forEach(id -> TestData.update("UPDATE users SET disabled = false WHERE id = ?", id));
    }

    /** Writes a session of {@code userId} in the layout of {@link SessionKeys}; returns its id. */
    private String fakeSession(long userId) {
        String sid = "sid-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        redis.opsForHash().putAll(sessionKeys.session(sid), Map.of("user_id", String.valueOf(userId)))
                .then(redis.expire(sessionKeys.session(sid), Duration.ofMinutes(10)))
                .then(redis.opsForSet().add(sessionKeys.userSessions(userId), sid))
                .block(REDIS);
        assertThat(redis.hasKey(sessionKeys.session(sid)).block(REDIS)).isTrue();
        return sid;
    }
}
