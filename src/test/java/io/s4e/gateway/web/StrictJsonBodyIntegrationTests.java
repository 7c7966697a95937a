package io.s4e.gateway.web;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Strict JSON on the gateway's own endpoints (issue 22, classes 7 and 12): a key given twice, an unknown field, a
 * coerced scalar and a lone surrogate are 400 {@code invalid_request} with a message naming the field, nothing is
 * stored, and bodies forwarded to the upstream are not parsed at all.
 */
@GatewayIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class StrictJsonBodyIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ADMIN = "X-API-Key: " + TestInfrastructure.get().adminKey;

    @LocalServerPort
    int port;

    RawHttp http;

    @BeforeEach
    void setUp() {
        http = new RawHttp(port);
    }

    @Test
    void createKeyWhenScopesGivenTwiceThenBadRequestAndNothingStored() {
        long before = keys();

        RawHttp.Response reply = post("/api/keys",
                "{\"name\":\"dup\",\"scopes\":[\"admin\"],\"scopes\":[\"read:assets\"]}");

        assertRefused(reply, "Field 'scopes' is given more than once.");
        assertThat(keys()).isEqualTo(before);
    }

    @Test
    void createKeyWhenUnknownFieldThenBadRequestNamingIt() {
        long before = keys();

        RawHttp.Response reply = post("/api/keys", "{\"name\":\"n\",\"scopes\":[\"read:assets\"],\"user_id\":1}");

        assertRefused(reply, "Field 'user_id' is not a field of this request.");
        assertThat(keys()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4102444800", "4102444800.5", "[2099,1,1]", "true"})
    void createKeyWhenExpiresAtIsNotAStringThenBadRequest(String expiresAt) {
        long before = keys();

        RawHttp.Response reply = post("/api/keys",
                "{\"name\":\"n\",\"scopes\":[\"read:assets\"],\"expires_at\":" + expiresAt + "}");

        assertRefused(reply, "Field 'expires_at' must be an ISO-8601 instant string such as 2027-01-31T00:00:00Z.");
        assertThat(keys()).isEqualTo(before);
    }

    @Test
    void createKeyWhenScopeIsNotAStringThenBadRequest() {
        assertRefused(post("/api/keys", "{\"name\":\"n\",\"scopes\":[1]}"),
                "Field 'scopes' must be an array whose every element is a JSON string.");
        assertRefused(post("/api/keys", "{\"name\":\"n\",\"scopes\":\"read:assets\"}"),
                "Field 'scopes' must be a JSON array.");
        assertRefused(post("/api/keys", "{\"name\":5,\"scopes\":[\"read:assets\"]}"),
                "Field 'name' must be a JSON string.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"60\"", "1.5", "60.0", "6e1", "true", "\"\""})
    void rotateWhenGraceSecondsIsNotAnIntegerThenBadRequestAndKeyUnchanged(String grace) {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"));
        String id = TestData.keyId(secret);

        RawHttp.Response reply = post("/api/keys/" + id + "/rotate", "{\"grace_seconds\":" + grace + "}");

        assertRefused(reply, "Field 'grace_seconds' must be a JSON integer (no quotes, fraction or exponent).");
        assertThat(TestData.keyId(secret)).as("the secret was not rotated").isEqualTo(id);
    }

    @Test
    void rotateWhenGraceSecondsIsAnIntegerThenRotated() {
        String id = TestData.keyId(TestData.key(TestData.user("member"), List.of("read:assets")));

        assertThat(post("/api/keys/" + id + "/rotate", "{\"grace_seconds\":60}").status()).isEqualTo(200);
    }

    @Test
    void updateUserWhenDisabledIsAStringOrNumberThenBadRequestAndUserUnchanged() {
        long user = TestData.user("member");

        assertRefused(patch("/api/admin/users/" + user, "{\"disabled\":\"true\"}"), "Field 'disabled' must be true or false.");
        assertRefused(patch("/api/admin/users/" + user, "{\"disabled\":1}"), "Field 'disabled' must be true or false.");
        assertRefused(patch("/api/admin/users/" + user, "{\"role\":\"viewer\",\"role\":\"admin\"}"),
                "Field 'role' is given more than once.");
        assertThat(TestData.queryString("SELECT role || ' ' || disabled FROM users WHERE id = ?", user))
                .isEqualTo("member false");
    }

    @Test
    void loginWhenPasswordHoldsALoneSurrogateThenBadRequestWithoutTrace(CapturedOutput output) {
        RawHttp.Response reply = post("/api/user/auth/login",
                "{\"email\":\"" + TestInfrastructure.ADMIN_EMAIL + "\",\"password\":\"correct\\ud800horse\"}");

        assertRefused(reply, "Field 'password' must be text without lone UTF-16 surrogates.");
        assertThat(output.getAll()).doesNotContain("Encoding failed").doesNotContain("CharacterCodingException")
                .doesNotContain("\tat ");
    }

    @Test
    void loginWhenFieldGivenTwiceOrUnknownThenBadRequest() {
        assertRefused(post("/api/user/auth/login", "{\"email\":\"a@example.test\",\"email\":\""
                        + TestInfrastructure.ADMIN_EMAIL + "\",\"password\":\"x\"}"),
                "Field 'email' is given more than once.");
        assertRefused(post("/api/user/auth/login", "{\"email\":\"a@example.test\",\"password\":\"x\",\"remember\":true}"),
                "Field 'remember' is not a field of this request.");
        assertRefused(post("/api/user/auth/login", "{\"email\":\"a@example.test\",\"password\":\"x\",\"bypass_captcha\":\"true\"}"),
                "Field 'bypass_captcha' must be true or false.");
    }

    @Test
    void unknownFieldWhenNameIsNotPlainThenMessageDoesNotRepeatIt() {
        RawHttp.Response reply = post("/api/keys", "{\"name\":\"n\",\"scopes\":[\"read:assets\"],\"<script>\":1}");

        assertRefused(reply, "A field is not a field of this request.");
    }

    @Test
    void forwardWhenBodyHasDuplicateKeysAndUnknownFieldsThenPassedThroughUnparsed() {
        byte[] body = "{\"a\":1,\"a\":\"2\",\"grace_seconds\":\"60\",\"x\":\"\\ud800\"}".getBytes(StandardCharsets.UTF_8);

        RawHttp.Response reply = http.send("POST", "/public/anything", body, "Content-Type: application/json");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode echoed = JSON.readTree(reply.body());
        assertThat(echoed.path("headers").path("content-length").get(0).asString())
                .isEqualTo(Integer.toString(body.length));
    }

    private RawHttp.Response post(String path, String json) {
        return http.send("POST", path, json.getBytes(StandardCharsets.UTF_8), "Content-Type: application/json", ADMIN);
    }

    private RawHttp.Response patch(String path, String json) {
        return http.send("PATCH", path, json.getBytes(StandardCharsets.UTF_8), "Content-Type: application/json", ADMIN);
    }

    private static void assertRefused(RawHttp.Response reply, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(reply.body()).path("error");
        assertThat(error.path("code").asString()).isEqualTo("invalid_request");
        assertThat(error.path("message").asString()).isEqualTo(message);
    }

    private static long keys() {
        return Long.parseLong(TestData.queryString("SELECT count(*) FROM api_keys"));
    }
}
