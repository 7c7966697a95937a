package io.s4e.gateway.apikey;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.GatewayException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The key management endpoints of CONTRACT §5, driven over HTTP with API keys, and the service for sessions. */
@GatewayIntegrationTest
class ApiKeyEndpointsIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;

    @LocalServerPort
    int port;

    @Autowired
    ApiKeyService service;

    @Autowired
    RoleScopes roleScopes;

    GatewayCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayCalls(port);
    }

    @Test
    void createWhenAdminKeyThenReturns201WithSecretShownOnce() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        Reply reply = gateway.post("/api/keys", ADMIN_KEY,
                "{\"name\":\"ci deploy\",\"scopes\":[\"read:assets\",\"write:assets\"]}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.headers().getContentType().toString()).startsWith("application/json");
        JsonNode json = reply.json();
        assertThat(json.path("status").asString()).isEqualTo("success");
        JsonNode data = json.get("data");
        assertThat(data.propertyNames())
                .containsExactlyInAnyOrder("id", "name", "key", "scopes", "created_at", "expires_at", "last_used");
        assertThat(data.get("id").asString()).matches("key-[0-9a-f]{8}");
        assertThat(data.get("name").asString()).isEqualTo("ci deploy");
        assertThat(ApiKeyFormat.isWellFormed(data.get("key").asString())).isTrue();
        assertThat(strings(data.get("scopes"))).containsExactly("read:assets", "write:assets");
        assertThat(Instant.parse(data.get("created_at").asString())).isBetween(before, Instant.now());
        assertThat(data.get("expires_at").isNull()).isTrue();
        assertThat(data.get("last_used").isNull()).isTrue();
    }

    @Test
    void createWhenSecretReturnedThenItWorksAtOnceAsItsOwnIdentity() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "assets reader", List.of("read:assets"));

        Reply echo = gateway.get("/api/assets/42", created.get("key").asString());

        assertThat(echo.status()).as(echo.body()).isEqualTo(200);
        assertThat(echo.upstreamHeader("X-S4E-Key-Id")).isEqualTo(created.get("id").asString());
        assertThat(echo.upstreamHeader("X-S4E-Scopes")).isEqualTo("read:assets");
        assertThat(echo.upstreamHeader("X-S4E-User-Email")).isEqualTo(TestInfrastructure.ADMIN_EMAIL);
        assertThat(echo.upstreamHeader("X-S4E-Auth-Method")).isEqualTo("api_key");
        assertThat(gateway.post("/api/assets/42", created.get("key").asString(), "{}").status()).isEqualTo(403);
    }

    @Test
    void createWhenExpiresAtGivenThenStoredAndReturned() {
        Instant expiresAt = Instant.now().plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS);

        JsonNode created = gateway.createKey(ADMIN_KEY,
                "{\"name\":\"weekly\",\"scopes\":[\"read:scans\"],\"expires_at\":\"" + expiresAt + "\"}");

        assertThat(Instant.parse(created.get("expires_at").asString())).isEqualTo(expiresAt);
        JsonNode shown = gateway.get("/api/keys/" + created.get("id").asString(), ADMIN_KEY).data();
        assertThat(Instant.parse(shown.get("expires_at").asString())).isEqualTo(expiresAt);
    }

    @Test
    void createWhenScopeRepeatedThenStoredOnce() {
        JsonNode created = gateway.createKey(ADMIN_KEY,
                "{\"name\":\"dup\",\"scopes\":[\"read:assets\",\"read:assets\",\"read:scans\"]}");

        assertThat(strings(created.get("scopes"))).containsExactly("read:assets", "read:scans");
    }

    @Test
    void listWhenAdminThenShowsKeyWithoutSecretOrHash() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "listed", List.of("read:assets"));
        String secret = created.get("key").asString();
        String id = created.get("id").asString();

        Reply reply = gateway.get("/api/keys", ADMIN_KEY);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode listed = findKey(reply.data().get("keys"), id);
        assertThat(listed.propertyNames()).contains("id", "name", "prefix", "last4", "scopes", "created_at",
                "expires_at", "last_used", "revoked_at", "rotation_due");
        assertThat(listed.propertyNames()).doesNotContain("key", "key_hash", "hash", "previous_hash");
        assertThat(listed.get("prefix").asString()).isEqualTo(secret.substring(0, 13));
        assertThat(listed.get("last4").asString()).isEqualTo(secret.substring(secret.length() - 4));
        assertThat(strings(listed.get("scopes"))).containsExactly("read:assets");
        assertThat(listed.get("created_at").asString()).isEqualTo(created.get("created_at").asString());
        assertThat(listed.get("revoked_at").isNull()).isTrue();
        assertThat(listed.get("rotation_due").asBoolean()).isFalse();
        assertThat(reply.body()).doesNotContain(secret).doesNotContain(secret.substring(9, 35));
        assertNoStoredHashIn(reply.body());
    }

    @Test
    void listWhenSecretOlderThan90DaysThenRotationDueUntilRotated() {
        String old = TestData.keyId(TestData.key(TestData.user("member"), List.of("read:assets")));
        String recent = TestData.keyId(TestData.key(TestData.user("member"), List.of("read:assets")));
        TestData.update("UPDATE api_keys SET created_at = now() - interval '91 days', "
                + "secret_created_at = now() - interval '91 days' WHERE id = ?", old);
        TestData.update("UPDATE api_keys SET created_at = now() - interval '89 days', "
                + "secret_created_at = now() - interval '89 days' WHERE id = ?", recent);

        JsonNode keys = gateway.get("/api/keys", ADMIN_KEY).data().get("keys");
        assertThat(findKey(keys, old).get("rotation_due").asBoolean()).isTrue();
        assertThat(findKey(keys, recent).get("rotation_due").asBoolean()).isFalse();

        gateway.rotate(ADMIN_KEY, old, "{\"grace_seconds\":0}");

        assertThat(gateway.get("/api/keys/" + old, ADMIN_KEY).data().get("rotation_due").asBoolean()).isFalse();
    }

    @Test
    void listWhenAdminWithoutFilterThenShowsEveryUsersKeys() {
        long member = TestData.user("member");
        String memberKeyId = TestData.keyId(TestData.key(member, List.of("read:assets")));
        String adminKeyId = gateway.createKey(ADMIN_KEY, "mine", List.of("read:assets")).get("id").asString();

        JsonNode keys = gateway.get("/api/keys", ADMIN_KEY).data().get("keys");

        assertThat(ids(keys)).contains(memberKeyId, adminKeyId);
    }

    @Test
    void listWhenAdminFiltersByUserIdThenOnlyThatUsersKeys() {
        long member = TestData.user("member");
        String first = TestData.keyId(TestData.key(member, List.of("read:assets")));
        String second = TestData.keyId(TestData.key(member, List.of("read:scans")));
        TestData.key(TestData.user("member"), List.of("read:assets"));

        JsonNode keys = gateway.get("/api/keys?user_id=" + member, ADMIN_KEY).data().get("keys");

        assertThat(ids(keys)).containsExactlyInAnyOrder(first, second);
        keys.forEach(k -> assertThat(k.get("user_id").asLong()).isEqualTo(member));
    }

    @Test
    void listWhenUserIdIsNotANumberThen400() {
        Reply reply = gateway.get("/api/keys?user_id=abc", ADMIN_KEY);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
        assertThat(reply.errorMessage()).contains("user_id");
    }

    @Test
    void getWhenKnownIdThenReturnsKeyWithoutSecret() {
        JsonNode created = gateway.createKey(ADMIN_KEY, "one", List.of("read:findings"));
        String id = created.get("id").asString();

        Reply reply = gateway.get("/api/keys/" + id, ADMIN_KEY);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode key = reply.data();
        assertThat(key.get("id").asString()).isEqualTo(id);
        assertThat(key.get("name").asString()).isEqualTo("one");
        assertThat(key.has("key")).isFalse();
        assertThat(reply.body()).doesNotContain(created.get("key").asString());
        assertNoStoredHashIn(reply.body());
    }

    @ParameterizedTest
    @ValueSource(strings = { "key-00000000", "key-ffffffff", "key-XYZ", "KEY-0000000a", "key-0000000g",
            "key-000000001", "key-0000000" })
    void getWhenIdUnknownOrMalformedThen404(String id) {
        Reply reply = gateway.get("/api/keys/" + id, ADMIN_KEY);

        assertThat(reply.status()).as(reply.body()).isEqualTo(404);
        assertThat(reply.errorCode()).isEqualTo("not_found");
        assertThat(reply.body()).startsWith("{\"status\":\"error\"");
    }

    @Test
    void revokeAndRotateWhenIdUnknownThen404AndNothingStored() {
        long keys = Rows.count("api_keys");

        Reply revoke = gateway.delete("/api/keys/key-00000000", ADMIN_KEY);
        Reply rotate = gateway.post("/api/keys/key-00000000/rotate", ADMIN_KEY, "{}");
        Reply malformed = gateway.post("/api/keys/nope/rotate", ADMIN_KEY, null);

        assertThat(List.of(revoke.status(), rotate.status(), malformed.status())).containsOnly(404);
        assertThat(List.of(revoke.errorCode(), rotate.errorCode(), malformed.errorCode())).containsOnly("not_found");
        assertThat(Rows.count("api_keys")).isEqualTo(keys);
    }

    @ParameterizedTest
    @ValueSource(strings = { "viewer", "member" })
    void everyEndpointWhenNonAdminApiKeyThen403AndNothingChanged(String role) {
        String caller = TestData.key(TestData.user(role), List.of("read:assets"));
        JsonNode target = gateway.createKey(ADMIN_KEY, "target", List.of("read:assets"));
        String id = target.get("id").asString();
        long keys = Rows.count("api_keys");
        String hash = Rows.keyColumn(id, "key_hash");

        List<Reply> replies = List.of(
                gateway.post("/api/keys", caller, "{\"name\":\"x\",\"scopes\":[\"read:assets\"]}"),
                gateway.get("/api/keys", caller),
                gateway.get("/api/keys?user_id=1", caller),
                gateway.get("/api/keys/" + id, caller),
                gateway.get("/api/keys/" + TestData.keyId(caller), caller),
                gateway.delete("/api/keys/" + id, caller),
                gateway.post("/api/keys/" + id + "/rotate", caller, "{}"));

        for (Reply reply : replies) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(403);
            assertThat(reply.errorCode()).isEqualTo("forbidden");
        }
        assertThat(Rows.count("api_keys")).isEqualTo(keys);
        assertThat(Rows.keyColumn(id, "revoked_at")).isNull();
        assertThat(Rows.keyColumn(id, "key_hash")).isEqualTo(hash);
        assertThat(gateway.assetsStatus(target.get("key").asString())).isEqualTo(200);
    }

    @Test
    void endpointsWhenNonAdminApiKeySendsInvalidInputThenStill403() {
        String caller = TestData.key(TestData.user("member"), List.of("read:assets", "write:assets"));

        Reply empty = gateway.post("/api/keys", caller, null);
        Reply broken = gateway.post("/api/keys", caller, "{\"name\":");
        Reply rotate = gateway.post("/api/keys/key-00000000/rotate", caller, "{\"grace_seconds\":-1}");
        Reply list = gateway.get("/api/keys?user_id=abc", caller);

        assertThat(List.of(empty.status(), broken.status(), rotate.status(), list.status())).containsOnly(403);
    }

    @Test
    void createWhenMemberKeyCarriesAdminScopeThenRoleLimitsItTo403() {
        long member = TestData.user("member");
        String caller = TestData.key(member, List.of("admin", "read:assets"));
        long keys = Rows.count("api_keys");

        Reply create = gateway.post("/api/keys", caller,
                "{\"name\":\"escalate\",\"scopes\":[\"admin\"]}");
        Reply list = gateway.get("/api/keys", caller);

        assertThat(create.status()).as(create.body()).isEqualTo(403);
        assertThat(create.errorCode()).isEqualTo("forbidden");
        assertThat(list.status()).isEqualTo(403);
        assertThat(Rows.count("api_keys")).isEqualTo(keys);
    }

    @Test
    void everyEndpointWhenNoCredentialThen401WithChallenge() {
        List<Reply> replies = List.of(
                gateway.post("/api/keys", null, "{\"name\":\"x\",\"scopes\":[\"read:assets\"]}"),
                gateway.get("/api/keys", null),
                gateway.get("/api/keys/key-00000000", null),
                gateway.delete("/api/keys/key-00000000", null),
                gateway.post("/api/keys/key-00000000/rotate", null, null));

        for (Reply reply : replies) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(401);
            assertThat(reply.errorCode()).isEqualTo("unauthorized");
            assertThat(reply.headers().getFirst("WWW-Authenticate")).isEqualTo("Bearer realm=\"s4e\"");
        }
    }

    @Test
    void createWhenCredentialUnknownAndBodyBrokenThen401NotValidation() {
        long keys = Rows.count("api_keys");

        Reply broken = gateway.post("/api/keys", TestData.unknownKey(), "{\"name\":");
        Reply invalid = gateway.post("/api/keys", TestData.unknownKey(), "{\"name\":\"x\",\"scopes\":[]}");
        Reply rotate = gateway.post("/api/keys/key-00000000/rotate", TestData.unknownKey(),
                "{\"grace_seconds\":-1}");
        Reply list = gateway.get("/api/keys?user_id=abc", TestData.unknownKey());

        assertThat(List.of(broken.status(), invalid.status(), rotate.status(), list.status())).containsOnly(401);
        assertThat(broken.errorMessage()).isEqualTo("Invalid or expired API key.");
        assertThat(Rows.count("api_keys")).isEqualTo(keys);
    }

    static Stream<Arguments> invalidCreateBodies() {
        String past = Instant.now().minus(Duration.ofMinutes(1)).toString();
        return Stream.of(
                Arguments.of("malformed JSON", "{\"name\":\"x\",\"scopes\":[", "not valid JSON"),
                Arguments.of("trailing garbage", "{\"name\":\"x\",\"scopes\":[\"read:assets\"]} x", "JSON"),
                Arguments.of("not an object", "[1,2]", "JSON object"),
                Arguments.of("scopes not an array", "{\"name\":\"x\",\"scopes\":\"read:assets\"}", "scopes"),
                Arguments.of("empty body", null, "body"),
                Arguments.of("missing name", "{\"scopes\":[\"read:assets\"]}", "name"),
                Arguments.of("blank name", "{\"name\":\"  \",\"scopes\":[\"read:assets\"]}", "name"),
                Arguments.of("name too long", "{\"name\":\"" + "n".repeat(101) + "\",\"scopes\":[\"read:assets\"]}",
                        "name"),
                Arguments.of("name with control character", "{\"name\":\"a\\u0007b\",\"scopes\":[\"read:assets\"]}",
                        "name"),
                Arguments.of("missing scopes", "{\"name\":\"x\"}", "scopes"),
                Arguments.of("empty scopes", "{\"name\":\"x\",\"scopes\":[]}", "scopes"),
                Arguments.of("null scope", "{\"name\":\"x\",\"scopes\":[null]}", "scopes"),
                Arguments.of("unknown scope", "{\"name\":\"x\",\"scopes\":[\"read:assets\",\"root\"]}", "scopes"),
                Arguments.of("scope pattern", "{\"name\":\"x\",\"scopes\":[\"read:*\"]}", "scopes"),
                Arguments.of("expires_at in the past",
                        "{\"name\":\"x\",\"scopes\":[\"read:assets\"],\"expires_at\":\"" + past + "\"}", "expires_at"),
                Arguments.of("expires_at beyond what can be stored",
                        "{\"name\":\"x\",\"scopes\":[\"read:assets\"],\"expires_at\":\"+300000-01-01T00:00:00Z\"}",
                        "expires_at"),
                Arguments.of("expires_at not a date",
                        "{\"name\":\"x\",\"scopes\":[\"read:assets\"],\"expires_at\":\"next tuesday\"}", "expires_at"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCreateBodies")
    void createWhenBodyInvalidThen400WithClearMessageAndNothingStored(String why, String body, String mentioned) {
        long keys = Rows.count("api_keys");

        Reply reply = gateway.post("/api/keys", ADMIN_KEY, body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
        assertThat(reply.errorMessage()).as(why).containsIgnoringCase(mentioned);
        assertThat(reply.headers().getContentType().toString()).startsWith("application/json");
        assertThat(Rows.count("api_keys")).isEqualTo(keys);
    }

    @Test
    void createWhenContentTypeIsNotJsonThen400AndNothingStored() {
        long keys = Rows.count("api_keys");

        Reply text = sendText("/api/keys", "{\"name\":\"x\",\"scopes\":[\"read:assets\"]}");

        assertThat(text.status()).isEqualTo(400);
        assertThat(text.errorCode()).isEqualTo("invalid_request");
        assertThat(text.errorMessage()).contains("JSON");
        assertThat(Rows.count("api_keys")).isEqualTo(keys);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"grace_seconds\":-1}                  | grace_seconds",
            "{\"grace_seconds\":2592001}             | grace_seconds",
            "{\"grace_seconds\":9223372036854775807} | grace_seconds",
            "{\"grace_seconds\":99999999999999999999} | grace_seconds",
            "{\"grace_seconds\":\"soon\"}            | grace_seconds",
            "{\"grace_seconds\":                     | not valid JSON" })
    void rotateWhenGraceInvalidThen400AndKeyUnchanged(String body, String mentioned) {
        JsonNode created = gateway.createKey(ADMIN_KEY, "graceful", List.of("read:assets"));
        String id = created.get("id").asString();
        String hash = Rows.keyColumn(id, "key_hash");

        Reply reply = gateway.post("/api/keys/" + id + "/rotate", ADMIN_KEY, body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
        assertThat(reply.errorMessage()).contains(mentioned);
        assertThat(Rows.keyColumn(id, "key_hash")).isEqualTo(hash);
        assertThat(Rows.keyColumn(id, "previous_hash")).isNull();
        assertThat(gateway.assetsStatus(created.get("key").asString())).isEqualTo(200);
    }

    @Test
    void rotateWhenGraceIsTheMaximumThenAccepted() {
        String id = gateway.createKey(ADMIN_KEY, "max grace", List.of("read:assets")).get("id").asString();

        JsonNode rotated = gateway.rotate(ADMIN_KEY, id, "{\"grace_seconds\":2592000}");

        assertThat(Instant.parse(rotated.get("previous_key_expires_at").asString()))
                .isCloseTo(Instant.now().plus(Duration.ofDays(30)), within(1, ChronoUnit.MINUTES));
    }

    @Test
    void createWhenSessionScopeBeyondRoleThen403AndNothingStored() {
        long keys = Rows.count("api_keys");
        Principal member = session(TestData.user("member"), "member");
        Principal viewer = session(TestData.user("viewer"), "viewer");

        assertForbidden(service.create(member, request("admin")).then());
        assertForbidden(service.create(member, request("read:assets", "admin")).then());
        assertForbidden(service.create(viewer, request("write:assets")).then());
        assertForbidden(service.create(viewer, request("read:assets", "write:scans")).then());
        assertThat(Rows.count("api_keys")).isEqualTo(keys);
    }

    @Test
    void createWhenSessionScopeWithinRoleThenKeyOwnedBySessionUser() {
        long viewerId = TestData.user("viewer");
        Principal viewer = session(viewerId, "viewer");

        ApiKeyViews.Created created = service.create(viewer, request("read:assets", "read:scans")).block();

        assertThat(created.scopes()).containsExactly("read:assets", "read:scans");
        assertThat(Rows.number("SELECT user_id FROM api_keys WHERE id = ?", created.id())).isEqualTo(viewerId);
        Reply echo = gateway.get("/api/assets/1", created.key());
        assertThat(echo.status()).isEqualTo(200);
        assertThat(echo.upstreamHeader("X-S4E-User-Id")).isEqualTo(String.valueOf(viewerId));
        assertThat(echo.upstreamHeader("X-S4E-User-Role")).isEqualTo("viewer");
    }

    @Test
    void listWhenNonAdminSessionThenOnlyOwnKeysWhateverTheFilter() {
        long memberId = TestData.user("member");
        long otherId = TestData.user("member");
        String own = TestData.keyId(TestData.key(memberId, List.of("read:assets")));
        TestData.key(otherId, List.of("read:assets"));
        Principal member = session(memberId, "member");

        List<String> unfiltered = service.list(member, null).block().keys().stream().map(ApiKeyViews.Key::id).toList();
        List<String> filtered = service.list(member, otherId).block().keys().stream().map(ApiKeyViews.Key::id).toList();

        assertThat(unfiltered).containsExactly(own);
        assertThat(filtered).containsExactly(own);
    }

    @Test
    void getRevokeRotateWhenSessionIsNotOwnerThen404AndNothingChanged() {
        long ownerId = TestData.user("member");
        String secret = TestData.key(ownerId, List.of("read:assets"));
        String id = TestData.keyId(secret);
        Principal stranger = session(TestData.user("member"), "member");
        Principal owner = session(ownerId, "member");

        assertNotFound(service.get(stranger, id).then());
        assertNotFound(service.revoke(stranger, id).then());
        assertNotFound(service.rotate(stranger, id, new ApiKeyViews.RotateRequest(0L)).then());
        assertThat(Rows.keyColumn(id, "revoked_at")).isNull();
        assertThat(Rows.keyColumn(id, "previous_hash")).isNull();
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);
        assertThat(service.get(owner, id).block().id()).isEqualTo(id);
    }

    @Test
    void revokeWhenSessionIsOwnerThenRevoked() {
        long ownerId = TestData.user("viewer");
        String secret = TestData.key(ownerId, List.of("read:assets"));
        String id = TestData.keyId(secret);

        ApiKeyViews.Key revoked = service.revoke(session(ownerId, "viewer"), id).block();

        assertThat(revoked.revokedAt()).isNotNull();
        assertThat(gateway.assetsStatus(secret)).isEqualTo(401);
    }

    private Principal session(long userId, String role) {
        Set<String> scopes = roleScopes.allowedFor(role);
        return new Principal(userId, role + "@example.test", role, Principal.AuthMethod.SESSION, null, scopes,
                String.join(" ", scopes), false);
    }

    private static ApiKeyViews.CreateRequest request(String... scopes) {
        return new ApiKeyViews.CreateRequest("session key", List.of(scopes), null);
    }

    private static void assertForbidden(Mono<Void> call) {
        assertThatThrownBy(call::block).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
    }

    private static void assertNotFound(Mono<Void> call) {
        assertThatThrownBy(call::block).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    private Reply sendText(String path, String text) {
        EntityExchangeResult<byte[]> result = TestClients.of(port)
                .post().uri(path)
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .header("Content-Type", "text/plain")
                .bodyValue(text)
                .exchange().expectBody().returnResult();
        return new Reply(result.getStatus().value(), result.getResponseHeaders(),
                new String(result.getResponseBody(), StandardCharsets.UTF_8));
    }

    private static void assertNoStoredHashIn(String body) {
        String hashes = TestData.queryString("SELECT string_agg(key_hash || ' ' || coalesce(previous_hash, ''), ' ') "
                + "FROM api_keys");
        for (String hash : hashes.split("\\s+")) {
            if (!hash.isBlank()) {
                assertThat(body).doesNotContainIgnoringCase(hash).doesNotContainIgnoringCase(hash.substring(0, 16));
            }
        }
    }

    private static JsonNode findKey(JsonNode keys, String id) {
        for (JsonNode key : keys) {
            if (key.get("id").asString().equals(id)) {
                return key;
            }
        }
        throw new AssertionError("key " + id + " not listed in " + keys);
    }

    private static List<String> ids(JsonNode keys) {
        List<String> ids = new ArrayList<>();
        keys.forEach(k -> ids.add(k.get("id").asString()));
        return ids;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
