package io.s4e.gateway.login;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestClients;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Password login, the session token on every carrier, and logout (CONTRACT §6). */
@GatewayIntegrationTest
class LoginIntegrationTests {

    @LocalServerPort
    int port;

    LoginCalls gateway;

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };
    private Logger root;
    private Level before;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        before = ((Logger) LoggerFactory.getLogger("io.s4e.gateway")).getLevel();
        ((Logger) LoggerFactory.getLogger("io.s4e.gateway")).setLevel(Level.DEBUG);
        capture.start();
        root.addAppender(capture);
    }

    @AfterEach
    void release() {
        root.detachAppender(capture);
        ((Logger) LoggerFactory.getLogger("io.s4e.gateway")).setLevel(before);
    }

    @Test
    void loginWhenPasswordRightThenTokenCookieAndUser() {
        String email = LoginCalls.userWithPassword("member");

        Reply reply = gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        String token = reply.data().get("token").asString();
        assertThat(reply.data().get("user").get("email").asString()).isEqualTo(email);
        assertThat(reply.data().get("user").get("role").asString()).isEqualTo("member");
        assertThat(reply.data().get("user").get("id").asLong()).isPositive();
        String cookie = reply.setCookie();
        assertThat(cookie).startsWith("token=" + token + ";").contains("HttpOnly").contains("SameSite=Lax")
                .contains("Path=/").contains("Secure").containsPattern("Max-Age=86(3[6-9]\\d|400);");
        assertThat(events).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(line -> line.contains(LoginCalls.PASSWORD) || line.contains(token));
    }

    @Test
    void loginWhenBootstrapAdminThenAdminRole() {
        Reply reply = gateway.login(LoginCalls.body(TestInfrastructure.ADMIN_EMAIL,
                TestInfrastructure.ADMIN_PASSWORD));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.data().get("user").get("role").asString()).isEqualTo("admin");
    }

    @Test
    void tokenWhenPresentedOnEveryCarrierThenIdentityReachesUpstream() {
        String email = LoginCalls.userWithPassword("viewer");
        String token = gateway.token(email);

        Reply bearer = gateway.get("/api/assets/1", token);
        Reply cookie = gateway.getWithCookie("/api/assets/1", token);
        Reply query = Reply.of(TestClients.of(port).get().uri("/api/assets/1?token=" + token));

        for (Reply reply : List.of(bearer, cookie, query)) {
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            assertThat(reply.upstreamHeader("X-S4E-Auth-Method")).isEqualTo("session");
            assertThat(reply.upstreamHeader("X-S4E-User-Email")).isEqualTo(email);
            assertThat(reply.upstreamHeader("X-S4E-User-Role")).isEqualTo("viewer");
            assertThat(reply.upstreamHeader("X-S4E-Scopes")).contains("read:assets").doesNotContain("write:");
            assertThat(reply.body()).doesNotContain(token);
        }
        assertThat(query.headers().getFirst("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(events).extracting(ILoggingEvent::getFormattedMessage).noneMatch(line -> line.contains(token));
        assertThat(gateway.post("/api/assets/1", token, "{}").status()).as("viewer cannot write").isEqualTo(403);
    }

    @Test
    void loginWhenWrongPasswordOrUnknownEmailThenSameAnswerInAboutTheSameTime() {
        String email = LoginCalls.userWithPassword("member");
        gateway.login(LoginCalls.body(email, "warm-up"));
        gateway.login(LoginCalls.body("nobody@example.test", "warm-up"));

        long wrongNanos = 0;
        long unknownNanos = 0;
        Reply wrong = null;
        Reply unknown = null;
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            wrong = gateway.login(LoginCalls.body(email, "wrong password " + i));
            wrongNanos += System.nanoTime() - start;
            start = System.nanoTime();
            unknown = gateway.login(LoginCalls.body("nobody-" + i + "@example.test", "wrong password " + i));
            unknownNanos += System.nanoTime() - start;
        }

        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(ErrorEnvelopes.assertEnvelope(wrong.body(), "unauthorized"))
                .isEqualTo(ErrorEnvelopes.assertEnvelope(unknown.body(), "unauthorized"));
        assertThat(wrong.setCookie()).isNull();
        double ratio = (double) Math.max(wrongNanos, unknownNanos) / Math.min(wrongNanos, unknownNanos);
        assertThat(ratio).as("wrong %d ns, unknown %d ns", wrongNanos, unknownNanos).isLessThan(2.0);
    }

    @Test
    void loginWhenUserDisabledOrWithoutPasswordThenSameRefusal() {
        String disabled = LoginCalls.userWithPassword("member");
        TestData.update("UPDATE users SET disabled = true WHERE email = ?", disabled);
        long serviceUser = TestData.user("member");
        String serviceEmail = TestData.queryString("SELECT email FROM users WHERE id = ?", serviceUser);
        String expected = ErrorEnvelopes.assertEnvelope(
                gateway.login(LoginCalls.body("nobody@example.test", "x")).body(), "unauthorized");

        Reply disabledReply = gateway.login(LoginCalls.body(disabled, LoginCalls.PASSWORD));
        Reply serviceReply = gateway.login(LoginCalls.body(serviceEmail, ""));
        Reply serviceGuess = gateway.login(LoginCalls.body(serviceEmail, "anything"));

        assertThat(disabledReply.status()).isEqualTo(401);
        assertThat(ErrorEnvelopes.assertEnvelope(disabledReply.body(), "unauthorized")).isEqualTo(expected);
        assertThat(serviceReply.status()).as("empty password is a missing field").isEqualTo(400);
        assertThat(serviceGuess.status()).isEqualTo(401);
        assertThat(ErrorEnvelopes.assertEnvelope(serviceGuess.body(), "unauthorized")).isEqualTo(expected);
    }

    @Test
    void loginWhenMalformedOrMissingFieldsThenInvalidRequest() {
        for (String body : List.of("{not json", "{\"email\":\"a@example.test\"}", "{\"password\":\"x\"}", "[]",
                "{\"email\":5,\"password\":{}}")) {
            Reply reply = gateway.login(body);
            assertThat(reply.status()).as(body).isEqualTo(400);
            ErrorEnvelopes.assertEnvelope(reply.body(), "invalid_request");
        }
        assertThat(gateway.post("/api/user/auth/login", null, null).status()).isEqualTo(400);
    }

    @Test
    void logoutWhenCalledThenTokenRefusedAndCookieCleared() {
        String token = gateway.token(LoginCalls.userWithPassword("member"));
        assertThat(gateway.get("/api/assets/1", token).status()).isEqualTo(200);

        Reply logout = gateway.post("/api/user/auth/logout", token, null);

        assertThat(logout.status()).as(logout.body()).isEqualTo(200);
        assertThat(logout.setCookie()).startsWith("token=;").contains("Max-Age=0")
                .contains("HttpOnly").contains("Path=/");
        Reply after = gateway.get("/api/assets/1", token);
        assertThat(after.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(after.body(), "unauthorized");
        assertThat(after.headers().getFirst("WWW-Authenticate")).isEqualTo("Bearer realm=\"s4e\"");
        assertThat(gateway.post("/api/user/auth/logout", token, null).status()).isEqualTo(401);
    }

    @Test
    void logoutWhenAllThenEverySessionOfTheUserEnds() {
        String email = LoginCalls.userWithPassword("member");
        String first = gateway.token(email);
        String second = gateway.token(email);
        String otherUser = gateway.token(LoginCalls.userWithPassword("member"));

        assertThat(gateway.post("/api/user/auth/logout?all=true", first, null).status()).isEqualTo(200);

        assertThat(gateway.get("/api/assets/1", first).status()).isEqualTo(401);
        assertThat(gateway.get("/api/assets/1", second).status()).isEqualTo(401);
        assertThat(gateway.get("/api/assets/1", otherUser).status()).isEqualTo(200);
    }

    @Test
    void sessionEndpointsWhenApiKeyOrNothingThenRefused() {
        String key = TestInfrastructure.get().adminKey;

        Reply refreshWithKey = gateway.post("/api/user/auth/refresh", key, null);
        Reply logoutWithKey = gateway.post("/api/user/auth/logout", key, null);
        Reply refreshWithUnknownKey = gateway.post("/api/user/auth/refresh", TestData.unknownKey(), null);
        Reply logoutAnonymous = gateway.post("/api/user/auth/logout", null, null);

        assertThat(refreshWithKey.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(refreshWithKey.body(), "forbidden");
        assertThat(logoutWithKey.status()).isEqualTo(403);
        assertThat(refreshWithUnknownKey.status()).isEqualTo(401);
        assertThat(logoutAnonymous.status()).isEqualTo(401);
    }

    @Test
    void logoutWhenOnOneReplicaThenRefusedOnTheOtherWithinOneSecond() {
        try (SecondGateway other = SecondGateway.start(Map.of())) {
            LoginCalls otherCalls = new LoginCalls(other.port());
            String token = gateway.token(LoginCalls.userWithPassword("member"));
            assertThat(otherCalls.get("/api/assets/1", token).status()).isEqualTo(200);

            assertThat(gateway.post("/api/user/auth/logout", token, null).status()).isEqualTo(200);
            long deadline = System.nanoTime() + 1_000_000_000L;
            int status = otherCalls.get("/api/assets/1", token).status();
            while (status != 401 && System.nanoTime() < deadline) {
                status = otherCalls.get("/api/assets/1", token).status();
            }
            assertThat(status).isEqualTo(401);
        }
    }
}
