package io.s4e.gateway.mfa;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.LoginCalls;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.StoredText;
import io.s4e.gateway.support.TestData;
import io.s4e.gateway.support.TestInfrastructure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recovery codes, turning a factor off and the admin MFA reset (CONTRACT §10), against the whole gateway.
 */
@GatewayIntegrationTest
class FactorsIntegrationTests {

    static final String CODES = "/api/user/mfa/recovery-codes";
    static final String VERIFY = "/api/user/auth/mfa/verify";
    static final String CODE_FORMAT = "[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}";

    @LocalServerPort
    int port;

    LoginCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new LoginCalls(port);
    }

    /** A member with TOTP (and e-mail codes when {@code email}) on. */
    record MfaUser(String email, String secret, long id) {
    }

    static MfaUser mfaUser(boolean email) {
        String secret = LoginCalls.newSecret();
        String address = LoginCalls.mfaUser(secret, email);
        return new MfaUser(address, secret,
                Long.parseLong(TestData.queryString("SELECT id FROM users WHERE email = ?", address)));
    }

    String mfaToken(String email) {
        Reply reply = gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD));
        assertThat(reply.json().path("status").asString()).as(reply.body()).isEqualTo("mfa_required");
        return reply.json().path("data").path("mfa_token").asString();
    }

    List<String> methodsOffered(String email) {
        Reply reply = gateway.login(LoginCalls.body(email, LoginCalls.PASSWORD));
        List<String> methods = new ArrayList<>();
        reply.json().path("data").path("methods").forEach(m -> methods.add(m.asString()));
        return methods;
    }

    /** A session that passed MFA with TOTP just now. */
    String recentMfaSession(MfaUser user) {
        Reply verified = gateway.post(VERIFY, null, LoginCalls.verifyBody(
                mfaToken(user.email()), LoginCalls.codeNow(user.secret()), "totp"));
        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        return verified.data().get("token").asString();
    }

    List<String> generate(String session) {
        Reply reply = gateway.post(CODES, session, null);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        List<String> codes = new ArrayList<>();
        reply.data().get("codes").forEach(code -> codes.add(code.asString()));
        return codes;
    }

    Reply verifyRecovery(String mfaToken, String code) {
        return gateway.post(VERIFY, null, LoginCalls.verifyBody(mfaToken, code, "recovery_code"));
    }

    /** Waits up to 5 s (audit events are written in batches) for {@code sql} to count at least {@code atLeast}. */
    static long awaitCount(long atLeast, String sql, Object... parameters) {
        long deadline = System.currentTimeMillis() + 5000;
        long seen = count(sql, parameters);
        while (seen < atLeast && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            seen = count(sql, parameters);
        }
        return seen;
    }

    static long count(String sql, Object... parameters) {
        return Long.parseLong(TestData.queryString(sql, parameters));
    }

    private static JsonNode claims(String token) {
        String payload = token.split("\\.")[1];
        return LoginCalls.JSON.readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- recovery codes

    @Test
    void recoveryCodesWhenRecentMfaThenTenDistinctCodesShownOnceAndOnlyKeyedHashesStored() {
        MfaUser user = mfaUser(false);
        assertThat(methodsOffered(user.email())).containsExactly("totp");

        List<String> codes = generate(recentMfaSession(user));

        assertThat(codes).hasSize(10).doesNotHaveDuplicates().allSatisfy(c -> assertThat(c).matches(CODE_FORMAT));
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isEqualTo(10);
        for (String code : codes) {
            assertThat(StoredText.placesHolding(code)).as("the code").isEmpty();
            assertThat(StoredText.placesHolding(code.replace("-", ""))).as("the code without its hyphen").isEmpty();
        }
        assertThat(TestData.queryString("SELECT min(code_hash) FROM mfa_recovery_codes WHERE user_id = ?", user.id()))
                .matches("[0-9a-f]{64}");
        assertThat(methodsOffered(user.email())).as("offered while codes are left")
                .containsExactly("totp", "recovery_code");
    }

    @Test
    void verifyWhenRecoveryCodeThenSessionWithMfaAndTheCodeWorksOnlyOnce() {
        MfaUser user = mfaUser(false);
        List<String> codes = generate(recentMfaSession(user));

        Reply first = verifyRecovery(mfaToken(user.email()), codes.get(3));

        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String token = first.data().get("token").asString();
        assertThat(claims(token).path("amr").toString()).isEqualTo("[\"pwd\",\"mfa\",\"rc\"]");
        assertThat(gateway.get("/mfa-only/x", token).status()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isEqualTo(9);
        assertThat(gateway.get("/api/user/me", token).data().path("mfa").path("recovery_codes_left").asInt())
                .as("the account summary counts the codes left").isEqualTo(9);
        Reply again = verifyRecovery(mfaToken(user.email()), codes.get(3));
        assertThat(again.status()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(again.body(), "unauthorized");
        Reply typedLoosely = verifyRecovery(mfaToken(user.email()),
                " " + codes.get(4).toUpperCase().replace("-", "") + " ");
        assertThat(typedLoosely.status()).as("upper case, no hyphen, spaces").isEqualTo(200);
    }

    @Test
    void verifyWhenOneCodeRacedOnManyMfaTokensThenExactlyOneSession() throws Exception {
        MfaUser user = mfaUser(false);
        String code = generate(recentMfaSession(user)).get(0);
        int racers = 8;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            tokens.add(mfaToken(user.email()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (String token : tokens) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return verifyRecovery(token, code).status();
                }, pool));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 401).hasSize(racers - 1);
        }
        finally {
            pool.shutdownNow();
        }
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isEqualTo(9);
    }

    @Test
    void recoveryCodesWhenRegeneratedThenOldSetRefusedAndNewSetAccepted() {
        MfaUser user = mfaUser(false);
        String session = recentMfaSession(user);
        List<String> old = generate(session);

        List<String> fresh = generate(session);

        assertThat(fresh).doesNotContainAnyElementsOf(old);
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isEqualTo(10);
        assertThat(verifyRecovery(mfaToken(user.email()), old.get(0)).status()).isEqualTo(401);
        assertThat(verifyRecovery(mfaToken(user.email()), fresh.get(0)).status()).isEqualTo(200);
    }

    @Test
    void recoveryCodesWhenRegeneratedConcurrentlyThenExactlyOneWholeSetStored() throws Exception {
        MfaUser user = mfaUser(false);
        String session = recentMfaSession(user);
        CompletableFuture<List<String>> a = CompletableFuture.supplyAsync(() -> generate(session));
        CompletableFuture<List<String>> b = CompletableFuture.supplyAsync(() -> generate(session));
        a.get();
        b.get();

        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isEqualTo(10);
    }

    @Test
    void verifyWhenWrongRecoveryCodesThenUnauthorizedAndCountedUntilTheMfaTokenEnds() {
        MfaUser user = mfaUser(false);
        List<String> codes = generate(recentMfaSession(user));
        String mfaToken = mfaToken(user.email());

        for (String wrong : List.of("aaaaa-aaaaa", "not a code", "zzzzz-zzzzz", "00000-00000", "abcde-fghjk")) {
            Reply refused = verifyRecovery(mfaToken, wrong);
            assertThat(refused.status()).isEqualTo(401);
            ErrorEnvelopes.assertEnvelope(refused.body(), "unauthorized");
        }

        assertThat(verifyRecovery(mfaToken, codes.get(0)).status()).as("the fifth wrong code ended the step")
                .isEqualTo(401);
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id()))
                .as("nothing used up by the refused step").isEqualTo(10);
        assertThat(awaitCount(5, "SELECT count(*) FROM audit_log WHERE event = 'mfa.failure' AND user_id = ? "
                + "AND detail->>'method' = 'recovery_code'", user.id())).as("each wrong code an event").isEqualTo(5);
    }

    @Test
    void recoveryCodesWhenSessionNotRecentMfaOrApiKeyOrNoFactorThenRefused() {
        MfaUser user = mfaUser(false);
        TestData.update("UPDATE users SET totp_enabled = false WHERE id = ?", user.id());
        String passwordOnly = gateway.token(user.email());
        TestData.update("UPDATE users SET totp_enabled = true WHERE id = ?", user.id());

        Reply notRecentMfa = gateway.post(CODES, passwordOnly, null);
        assertThat(notRecentMfa.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(notRecentMfa.body(), "mfa_required");

        String key = TestData.key(user.id(), List.of("read:assets"));
        Reply byKey = gateway.post(CODES, key, null);
        assertThat(byKey.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(byKey.body(), "forbidden");

        assertThat(gateway.post(CODES, null, null).status()).isEqualTo(401);

        String noFactor = gateway.token(LoginCalls.userWithPassword("member"));
        Reply nothingToRecover = gateway.post(CODES, noFactor, null);
        assertThat(nothingToRecover.status()).isEqualTo(409);
        ErrorEnvelopes.assertEnvelope(nothingToRecover.body(), "conflict");
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isZero();
    }

    // ---------------------------------------------------------------- factors off

    @Test
    void deleteFactorWhenSessionDidNotPassMfaRecentlyThenMfaRequiredAndFactorStaysOn() {
        MfaUser user = mfaUser(true);
        TestData.update("UPDATE users SET totp_enabled = false, email_mfa_enabled = false WHERE id = ?", user.id());
        String passwordOnly = gateway.token(user.email());
        TestData.update("UPDATE users SET totp_enabled = true, email_mfa_enabled = true WHERE id = ?", user.id());

        for (String path : List.of("/api/user/mfa/totp", "/api/user/mfa/email")) {
            Reply refused = gateway.delete(path, passwordOnly);
            assertThat(refused.status()).as(path).isEqualTo(403);
            ErrorEnvelopes.assertEnvelope(refused.body(), "mfa_required");
        }
        assertThat(TestData.queryString("SELECT totp_enabled AND email_mfa_enabled FROM users WHERE id = ?",
                user.id())).isEqualTo("t");
    }

    @Test
    void deleteFactorWhenApiKeyOrNoCredentialThenForbiddenOrUnauthorized() {
        MfaUser user = mfaUser(true);
        String key = TestData.key(user.id(), List.of("read:assets", "write:assets"));

        Reply byKey = gateway.delete("/api/user/mfa/totp", key);
        assertThat(byKey.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(byKey.body(), "forbidden");
        assertThat(gateway.delete("/api/user/mfa/email", null).status()).isEqualTo(401);
        assertThat(TestData.queryString("SELECT totp_enabled AND email_mfa_enabled FROM users WHERE id = ?",
                user.id())).isEqualTo("t");
    }

    @Test
    void deleteFactorsWhenRecentMfaThenOffOneByOneAndTheCodesGoWithTheLast() {
        MfaUser user = mfaUser(true);
        String session = recentMfaSession(user);
        generate(session);

        Reply totpOff = gateway.delete("/api/user/mfa/totp", session);

        assertThat(totpOff.status()).as(totpOff.body()).isEqualTo(200);
        assertThat(totpOff.data().toString())
                .isEqualTo("{\"totp_enabled\":false,\"email_enabled\":true,\"recovery_codes_left\":10}");
        assertThat(TestData.queryString("SELECT totp_secret FROM users WHERE id = ?", user.id())).isNull();
        assertThat(methodsOffered(user.email())).containsExactly("email", "recovery_code");

        Reply emailOff = gateway.delete("/api/user/mfa/email", session);

        assertThat(emailOff.status()).as(emailOff.body()).isEqualTo(200);
        assertThat(emailOff.data().toString())
                .isEqualTo("{\"totp_enabled\":false,\"email_enabled\":false,\"recovery_codes_left\":0}");
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isZero();
        Reply login = gateway.login(LoginCalls.body(user.email(), LoginCalls.PASSWORD));
        assertThat(login.json().path("status").asString()).as("no MFA step any more").isEqualTo("success");
        assertThat(awaitCount(2, "SELECT count(*) FROM audit_log WHERE event = 'mfa.factor_removed' AND user_id = ?",
                user.id())).isEqualTo(2);
    }

    // ---------------------------------------------------------------- admin reset

    @Test
    void resetWhenAdminThenFactorsAndCodesGoneAndEverySessionRefused() {
        MfaUser user = mfaUser(true);
        String session = recentMfaSession(user);
        generate(session);
        String openStep = mfaToken(user.email());
        assertThat(gateway.get("/api/assets/1", session).status()).isEqualTo(200);

        Reply reset = gateway.post("/api/admin/users/" + user.id() + "/mfa/reset",
                TestInfrastructure.get().adminKey, null);

        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        assertThat(reset.data().get("user_id").asLong()).isEqualTo(user.id());
        assertThat(reset.data().get("sessions_ended").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(gateway.get("/api/assets/1", session).status()).as("the session ended").isEqualTo(401);
        assertThat(TestData.queryString("SELECT concat_ws(',', totp_secret, totp_enabled, email_mfa_enabled) "
                + "FROM users WHERE id = ?", user.id())).isEqualTo("f,f");
        assertThat(count("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", user.id())).isZero();
        Reply stale = gateway.post(VERIFY, null, LoginCalls.verifyBody(openStep,
                LoginCalls.codeNow(user.secret()), "totp"));
        assertThat(stale.status()).as("an MFA step opened before the reset: TOTP is no longer on").isEqualTo(400);
        assertThat(stale.body()).doesNotContain("token\"");
        Reply login = gateway.login(LoginCalls.body(user.email(), LoginCalls.PASSWORD));
        assertThat(login.json().path("status").asString()).as("password alone, to enrol again")
                .isEqualTo("success");
    }

    @Test
    void resetWhenNotAdminOrUnknownUserThenForbiddenOrNotFound() {
        MfaUser user = mfaUser(false);
        String memberSession = gateway.token(LoginCalls.userWithPassword("member"));
        String memberKey = TestData.key(user.id(), List.of("read:assets", "write:assets"));

        for (String credential : List.of(memberSession, memberKey)) {
            Reply refused = gateway.post("/api/admin/users/" + user.id() + "/mfa/reset", credential,
                    null);
            assertThat(refused.status()).isEqualTo(403);
            ErrorEnvelopes.assertEnvelope(refused.body(), "forbidden");
        }
        assertThat(gateway.post("/api/admin/users/" + user.id() + "/mfa/reset", null, null).status())
                .isEqualTo(401);
        String admin = TestInfrastructure.get().adminKey;
        for (String id : List.of("999999999", "abc", "01")) {
            Reply unknown = gateway.post("/api/admin/users/" + id + "/mfa/reset", admin, null);
            assertThat(unknown.status()).as(id).isEqualTo(404);
            ErrorEnvelopes.assertEnvelope(unknown.body(), "not_found");
        }
        assertThat(TestData.queryString("SELECT totp_enabled FROM users WHERE id = ?", user.id())).isEqualTo("t");
    }

    @Test
    void stepsWhenTakenThenEachIsAnAuditEventWithoutCodes() {
        MfaUser user = mfaUser(true);
        String session = recentMfaSession(user);
        List<String> codes = generate(session);
        verifyRecovery(mfaToken(user.email()), codes.get(0));
        gateway.delete("/api/user/mfa/email", session);
        gateway.post("/api/admin/users/" + user.id() + "/mfa/reset", TestInfrastructure.get().adminKey, null);

        awaitCount(1, "SELECT count(*) FROM audit_log WHERE user_id = ? AND event = 'mfa.reset'", user.id());
        Set<String> events = new HashSet<>();
        for (String event : List.of("mfa.recovery_codes_generated", "mfa.success", "mfa.factor_removed",
                "mfa.reset")) {
            if (count("SELECT count(*) FROM audit_log WHERE user_id = ? AND event = ?", user.id(), event) > 0) {
                events.add(event);
            }
        }
        assertThat(events).containsExactlyInAnyOrder("mfa.recovery_codes_generated", "mfa.success",
                "mfa.factor_removed", "mfa.reset");
        assertThat(TestData.queryString("SELECT detail::text FROM audit_log WHERE user_id = ? AND event = 'mfa.success' "
                + "AND detail->>'method' = 'recovery_code'", user.id())).isNotNull();
        String everything = TestData.queryString("SELECT string_agg(detail::text, ' ') FROM audit_log WHERE user_id = ?",
                user.id());
        for (String code : codes) {
            assertThat(everything).doesNotContain(code).doesNotContain(code.replace("-", ""));
        }
    }
}
