package io.s4e.gateway.user;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One canonical form per e-mail (issue 22, class 2): the login lock, the lookup and the unique key agree on which
 * spellings are the same account, so no spelling of a locked account gets in and no twin can be created. Runs a
 * replica with the real lock threshold (5 wrong passwords).
 */
class EmailCanonicalFormIntegrationTests {

    private static final String ADMIN_KEY = TestInfrastructure.get().adminKey;
    private static final String PASSWORD = "the victim's long password";
    private static final String LOGIN = "/api/user/auth/login";

    static SecondGateway replica;
    static UserCalls gateway;

    @BeforeAll
    static void start() {
        replica = SecondGateway.start(Map.of("s4e.rate-limits.login.max-failures", "5"));
        gateway = new UserCalls(replica.port());
    }

    @AfterAll
    static void stop() {
        replica.close();
    }

    @Test
    void lockWhenFiveWrongPasswordsThenEverySpellingOfTheAccountIsLocked() {
        String tag = tag();
        String email = "victim.iiii" + tag + "@example.test";
        gateway.createUser(ADMIN_KEY, email, PASSWORD, "member");
        assertThat(login(email, PASSWORD).status()).isEqualTo(200);

        for (int i = 0; i < 5; i++) {
            login(email, "a wrong password " + i);
        }

        List<String> spellings = List.of(email,
                "V\u0130CTIM.IIII" + tag.toUpperCase() + "@example.test",
                "v\u0130ctim.iiii" + tag + "@example.test",
                fullWidth("victim") + ".iiii" + tag + "\uff20example.test",
                "victim.iiii" + tag + "@EXAMPLE\uff0Etest");
        for (String spelling : spellings) {
            Reply reply = login(spelling, PASSWORD);
            assertThat(reply.status()).as(spelling + " → " + reply.body()).isEqualTo(429);
            assertThat(reply.errorCode()).isEqualTo("rate_limited");
        }
    }

    @Test
    void lockWhenWrongPasswordsUnderAnotherSpellingThenTheAccountIsLocked() {
        String tag = tag();
        String email = "victim.iiii" + tag + "@example.test";
        gateway.createUser(ADMIN_KEY, email, PASSWORD, "member");

        for (int i = 0; i < 5; i++) {
            login(i % 2 == 0 ? "v\u0130ctim.iiii" + tag + "@example.test"
                    : fullWidth("victim") + ".iiii" + tag + "@example.test", "a wrong password " + i);
        }

        Reply reply = login(email, PASSWORD);
        assertThat(reply.status()).as(reply.body()).isEqualTo(429);
    }

    @Test
    void createWhenCompatibilityOrCaseTwinOfAnExistingAddressThenConflictAndNothingStored() {
        String tag = tag();
        String email = "twin" + tag + "@example.test";
        gateway.createUser(ADMIN_KEY, email, PASSWORD, "member");

        for (String twin : List.of(fullWidth("twin") + tag + "@example.test", "TW\u0130N" + tag + "@Example.Test",
                "twin" + tag + "@example\uff0etest", "twin" + tag + "\uff20example.test")) {
            Reply reply = gateway.post("/api/admin/users", ADMIN_KEY, "{\"email\":" + UserCalls.quote(twin)
                    + ",\"password\":\"another long password\",\"role\":\"admin\"}");
            assertThat(reply.status()).as(twin + " → " + reply.body()).isEqualTo(409);
            assertThat(reply.errorCode()).isEqualTo("conflict");
        }
        assertThat(TestData.queryString("SELECT count(*) FROM users WHERE email_canonical = ?", email)).isEqualTo("1");
    }

    @Test
    void createWhenInternationalAddressThenStoredWithALabelsAndCanonicalFormAndFoundByAnySpelling() {
        String tag = tag();
        Reply created = gateway.post("/api/admin/users", ADMIN_KEY, "{\"email\":"
                + UserCalls.quote("J\u00f6rg" + tag + "@B\u00fccher.example") + ",\"password\":\"" + PASSWORD
                + "\",\"role\":\"viewer\"}");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.data().get("user").get("id").asLong();
        assertThat(created.data().get("user").get("email").asString())
                .isEqualTo("J\u00f6rg" + tag + "@xn--bcher-kva.example");
        assertThat(TestData.queryString("SELECT email_canonical FROM users WHERE id = ?", id))
                .isEqualTo("j\u00f6rg" + tag + "@xn--bcher-kva.example");
        Reply login = login("JO\u0308RG" + tag.toUpperCase() + "@b\u00fccher.EXAMPLE", PASSWORD);
        assertThat(login.status()).as(login.body()).isEqualTo(200);
        assertThat(login.data().get("user").get("id").asLong()).isEqualTo(id);
    }

    private static Reply login(String email, String password) {
        return gateway.post(LOGIN, null, "{\"email\":" + UserCalls.quote(email) + ",\"password\":"
                + UserCalls.quote(password) + "}");
    }

    private static String tag() {
        return Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x7fffffff));
    }

    private static String fullWidth(String ascii) {
        StringBuilder out = new StringBuilder();
        ascii.chars().forEach(c -> out.append((char) (c - 0x21 + 0xff01)));
        return out.toString();
    }
}
