package io.s4e.gateway.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import jakarta.mail.internet.MimeMessage;

import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Calls of the account self-service endpoints (CONTRACT §10) against one gateway, as {@link Reply}s. */
public final class AccountCalls {

    public static final String ME = "/api/user/me";
    public static final String PASSWORD = "/api/user/password";
    public static final String FORGOT = "/api/user/auth/password/forgot";
    public static final String RESET = "/api/user/auth/password/reset";
    public static final String SESSIONS = "/api/user/sessions";
    public static final String NEW_PASSWORD = "a brand new passphrase for tests";
    public static final Pattern RESET_TOKEN = Pattern.compile("pwr_[A-Za-z0-9_-]{43}");

    public final LoginCalls login;
    private final WebTestClient client;

    public AccountCalls(int port) {
        this.login = new LoginCalls(port);
        this.client = TestClients.of(port);
    }

    public static String json(String... namesAndValues) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                json.append(',');
            }
            json.append(LoginCalls.JSON.writeValueAsString(namesAndValues[i])).append(':')
                    .append(LoginCalls.JSON.writeValueAsString(namesAndValues[i + 1]));
        }
        return json.append('}').toString();
    }

    public static String changeBody(String current, String next) {
        return json("current_password", current, "new_password", next);
    }

    public static String resetBody(String token, String next) {
        return json("token", token, "new_password", next);
    }

    public static String forgotBody(String email) {
        return json("email", email);
    }

    public static long userId(String email) {
        return TestUsers.id(email);
    }

    /** A login with {@code userAgent} as its {@code User-Agent}; fails unless 200; returns the token. */
    public String token(String email, String password, String userAgent) {
        Reply reply = Reply.of(client.post().uri("/api/user/auth/login")
                .header(HttpHeaders.USER_AGENT, userAgent)
                .header(HttpHeaders.CONTENT_TYPE, "application/json")
                .bodyValue(LoginCalls.body(email, password)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.data().get("token").asString();
    }

    public Reply post(String path, String token, String json) {
        return login.post(path, token, json);
    }

    public Reply get(String path, String token) {
        return login.get(path, token);
    }

    /** {@code POST path} without credential, with {@code userAgent} as its {@code User-Agent}. */
    public Reply postWithAgent(String path, String json, String userAgent) {
        return Reply.of(client.post().uri(path).header(HttpHeaders.USER_AGENT, userAgent)
                .header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json));
    }

    public Reply getAnonymous(String path) {
        return Reply.of(client.get().uri(path));
    }

    public Reply getWithKey(String path, String key) {
        return Reply.of(client.get().uri(path).header("X-API-Key", key));
    }

    public Reply postWithKey(String path, String key, String json) {
        return Reply.of(client.post().uri(path).header("X-API-Key", key)
                .header(HttpHeaders.CONTENT_TYPE, "application/json").bodyValue(json));
    }

    public Reply deleteWithKey(String path, String key) {
        return Reply.of(client.delete().uri(path).header("X-API-Key", key));
    }

    public Reply delete(String path, String token) {
        return Reply.of(client.delete().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + token));
    }

    /** The reset token of the newest of {@code expectedCount} mails to {@code email}, waiting for it. */
    public static String mailedToken(GreenMail smtp, String email, int expectedCount) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        MimeMessage[] messages = smtp.getReceivedMessagesForDomain(email);
        while (messages.length < expectedCount && System.nanoTime() < deadline) {
            Thread.sleep(50);
            messages = smtp.getReceivedMessagesForDomain(email);
        }
        assertThat(messages).hasSize(expectedCount);
        Matcher matcher = RESET_TOKEN.matcher(GreenMailUtil.getBody(messages[messages.length - 1]));
        assertThat(matcher.find()).isTrue();
        return matcher.group();
    }

    /**
     * Waits up to 5 s for an audit row of {@code event} with {@code outcome} about {@code userId} whose detail holds
     * {@code detail} (a JSON fragment such as {@code "result": "mailed"}), and returns its detail.
     */
    public static String awaitAudit(String event, String outcome, long userId, String detail)
            throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String found = null;
        while (found == null && System.nanoTime() < deadline) {
            found = TestData.queryString("SELECT detail::text FROM audit_log WHERE event = ? AND outcome = ? "
                    + "AND user_id = ? AND detail::text LIKE ? ORDER BY occurred_at DESC LIMIT 1", event, outcome,
                    userId, "%" + detail + "%");
            if (found == null) {
                Thread.sleep(50);
            }
        }
        assertThat(found).as("audit %s %s of user %d with %s", event, outcome, userId, detail).isNotNull();
        return found;
    }

    public static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(value.getBytes(StandardCharsets.UTF_8)));
    }
}
