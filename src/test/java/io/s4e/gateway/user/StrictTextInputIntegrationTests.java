package io.s4e.gateway.user;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Loose e-mail and text input (issue 22, class 6): an address is one plain address or a 400; key names hold no
 * control, invisible or direction-changing character; a non-ASCII address reaches the upstream percent-encoded.
 */
@GatewayIntegrationTest
class StrictTextInputIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;

    @LocalServerPort
    int port;

    UserCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new UserCalls(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x<rt1@evil.example>", "Victim <rt1@evil.example>", "a@x,other",
            "a@example.test,b@example.test", "a\u0085b@example.test", "a\u00a0b@example.test", "a\u2028b@example.test",
            "a\u202eb@example.test", "a\u2066b@example.test", "a\u200eb@example.test", "a\u200bb@example.test",
            "\ufeffa@example.test", "a\ud800b@example.test", "\"q\"@example.test", "a@[127.0.0.1]", "a@example.test\n",
            "a%b@example.test"})
    void createUserWhenNotOnePlainAddressThenBadRequestAndNothingStored(String email) {
        long before = Long.parseLong(TestData.queryString("SELECT count(*) FROM users"));

        Reply reply = gateway.post("/api/admin/users", ADMIN_KEY, "{\"email\":" + escaped(email)
                + ",\"password\":\"a long enough secret\",\"role\":\"member\"}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
        assertThat(reply.errorMessage()).startsWith("Field 'email'");
        assertThat(Long.parseLong(TestData.queryString("SELECT count(*) FROM users"))).isEqualTo(before);
    }

    @Test
    void relayWhenNonAsciiAddressThenUpstreamReceivesItPercentEncoded() {
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x7fffffff));
        long id = gateway.createUser(ADMIN_KEY, "J\u00f6rg.\u00e9t\u00e9" + tag + "@b\u00fccher.example",
                "a long enough secret", "member").get("id").asLong();
        String key = TestData.key(id, List.of("read:assets"));

        Reply echoed = gateway.get("/api/assets/1", key);

        assertThat(echoed.status()).as(echoed.body()).isEqualTo(200);
        assertThat(echoed.upstreamHeader("X-S4E-User-Email"))
                .isEqualTo("J%C3%B6rg.%C3%A9t%C3%A9" + tag + "@xn--bcher-kva.example");
    }

    @Test
    void relayWhenAsciiAddressWithReservedCharactersThenEncodedToo() {
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x7fffffff));
        long id = gateway.createUser(ADMIN_KEY, "o'neil+" + tag + "@example.test", "a long enough secret", "member")
                .get("id").asLong();
        String key = TestData.key(id, List.of("read:assets"));

        assertThat(gateway.get("/api/assets/1", key).upstreamHeader("X-S4E-User-Email"))
                .isEqualTo("o%27neil%2B" + tag + "@example.test");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u200bb", "\ufeffname", "evil\u202etxt.exe", "a\u202ab", "a\u202db", "a\u2066b",
            "a\u2069b", "a\u200eb", "a\u200fb", "a\u0085b", "a\u2028b", "a\u00a0b", "a\u00adb", "a\ud800b", "a\udc00"})
    void createKeyWhenNameHasInvisibleOrDirectionCharacterThenBadRequestAndNothingStored(String name) {
        long before = Long.parseLong(TestData.queryString("SELECT count(*) FROM api_keys"));

        Reply reply = gateway.post("/api/keys", ADMIN_KEY, "{\"name\":" + escaped(name)
                + ",\"scopes\":[\"read:assets\"]}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("invalid_request");
        assertThat(reply.errorMessage()).contains("'name'");
        assertThat(Long.parseLong(TestData.queryString("SELECT count(*) FROM api_keys"))).isEqualTo(before);
    }

    @Test
    void createKeyWhenNameInAnyScriptWithSpacesThenStoredAsGiven() {
        String name = "Cl\u00e9 de d\u00e9ploiement \u65e5\u672c \u0645\u0641\u062a\u0627\u062d";

        Reply reply = gateway.post("/api/keys", ADMIN_KEY, "{\"name\":" + UserCalls.quote(name)
                + ",\"scopes\":[\"read:assets\"]}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.data().get("name").asString()).isEqualTo(name);
    }

    /**
     * {@code text} as a JSON string with every non-ASCII or control character as a {@code \\uXXXX} escape, so a lone
     * surrogate reaches the gateway as the JSON escape an attacker sends, not as a '?' of the client's encoder.
     */
    static String escaped(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
