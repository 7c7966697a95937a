package io.s4e.gateway.apikey;

import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** A member's session manages its own API keys, within what its role allows, and no one else's. */
@GatewayIntegrationTest
class SessionKeyManagementIntegrationTests {

    @LocalServerPort
    int port;

    private LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    @Test
    void createWhenMemberSessionAndScopesWithinRoleThenOwnKeyThatWorks() {
        String token = gateway.token(LoginCalls.userWithPassword("member"));

        Reply created = gateway.post("/api/keys", token,
                "{\"name\":\"member key\",\"scopes\":[\"read:assets\",\"write:assets\"]}");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String key = created.data().get("key").asString();
        Reply forwarded = gateway.get("/api/assets/1", key);
        assertThat(forwarded.status()).isEqualTo(200);
        assertThat(forwarded.body()).contains("\"x-s4e-auth-method\":[\"api_key\"]");
    }

    @Test
    void createWhenMemberSessionAsksForAdminScopeThenForbiddenAndNothingStored() {
        String token = gateway.token(LoginCalls.userWithPassword("member"));

        Reply refused = gateway.post("/api/keys", token,
                "{\"name\":\"too much\",\"scopes\":[\"read:assets\",\"admin\"]}");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("forbidden");
        assertThat(gateway.get("/api/keys", token).data().get("keys").size()).isZero();
    }

    @Test
    void listWhenTwoMembersThenEachSeesOnlyItsOwnKeys() {
        String first = gateway.token(LoginCalls.userWithPassword("member"));
        String second = gateway.token(LoginCalls.userWithPassword("member"));
        String firstKeyId = gateway.post("/api/keys", first, "{\"name\":\"mine\",\"scopes\":[\"read:scans\"]}")
                .data().get("id").asString();

        assertThat(gateway.get("/api/keys", second).data().get("keys").size()).isZero();
        assertThat(gateway.get("/api/keys/" + firstKeyId, second).status()).isEqualTo(404);
        assertThat(gateway.get("/api/keys/" + firstKeyId, first).status()).isEqualTo(200);
    }
}
