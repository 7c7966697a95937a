package io.s4e.gateway.passkey;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passkeys end to end (CONTRACT §11) with a software authenticator: adding one, signing in with it as the second
 * factor and password-free, and each check that must refuse an answer with 401.
 */
@GatewayIntegrationTest
class PasskeyIntegrationTests {

    @LocalServerPort
    int port;

    PasskeyCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new PasskeyCalls(port);
    }

    /** A user with a password and one passkey of a new authenticator, which is returned. */
    private SoftAuthenticator userWithPasskey(String email) {
        SoftAuthenticator authenticator = new SoftAuthenticator();
        gateway.register(gateway.passwordSession(email), authenticator, "Laptop");
        return authenticator;
    }

    private static String auditCount(String event, long userId) {
        return TestData.queryString("SELECT count(*) FROM audit_log WHERE event = ? AND user_id = ?", event, userId);
    }

    // ---------------------------------------------------------------- registration

    @Test
    void registerWhenRecentPasswordWithoutFactorsThenPasskeyStoredListedAndAudited() throws Exception {
        String email = PasskeyCalls.userWithPassword("member");
        long userId = PasskeyCalls.userId(email);
        String token = gateway.passwordSession(email);
        SoftAuthenticator authenticator = new SoftAuthenticator();

        Reply options = gateway.post(PasskeyCalls.REGISTER_OPTIONS, token, null);

        assertThat(options.status()).as(options.body()).isEqualTo(200);
        JsonNode data = options.data();
        assertThat(data.path("rp").path("id").asString()).isEqualTo("localhost");
        assertThat(data.path("user").path("name").asString()).isEqualTo(email);
        byte[] handle = Base64.getUrlDecoder().decode(data.path("user").path("id").asString());
        assertThat(handle.length).isGreaterThanOrEqualTo(16);
        assertThat(new String(handle, java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain(Long.toString(userId)).doesNotContain(email);
        assertThat(Base64.getUrlDecoder().decode(data.path("challenge").asString())).hasSize(32);
        assertThat(data.path("timeout").asLong()).isEqualTo(300_000);
        assertThat(data.path("authenticatorSelection").path("residentKey").asString()).isEqualTo("preferred");
        assertThat(data.path("authenticatorSelection").path("userVerification").asString()).isEqualTo("preferred");
        assertThat(data.path("attestation").asString()).isEqualTo("none");
        assertThat(data.path("excludeCredentials").isArray()).isTrue();
        assertThat(data.path("excludeCredentials")).isEmpty();
        assertThat(data.path("pubKeyCredParams").get(0).path("alg").asLong()).isEqualTo(-7);

        Reply created = gateway.post(PasskeyCalls.PASSKEYS, token,
                PasskeyCalls.registerBody("Laptop", authenticator.register(data)));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.data().path("name").asString()).isEqualTo("Laptop");
        assertThat(created.data().path("created_at").asString()).isNotBlank();
        JsonNode list = gateway.get(PasskeyCalls.PASSKEYS, token).data().path("passkeys");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("id").asString()).isEqualTo(created.data().path("id").asString());
        assertThat(list.get(0).path("last_used_at").isNull()).isTrue();
        assertThat(TestData.queryString("SELECT encode(user_handle, 'base64') FROM webauthn_user_handles "
                + "WHERE user_id = ?", userId)).isEqualTo(Base64.getEncoder().encodeToString(handle));
        assertThat(awaitAudit("passkey.added", userId)).isEqualTo("1");
        assertThat(awaitAudit("passkey.registration_started", userId)).isEqualTo("1");
    }

    private static String awaitAudit(String event, long userId) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String count = auditCount(event, userId);
        while ("0".equals(count) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            count = auditCount(event, userId);
        }
        return count;
    }

    @Test
    void registerWhenPackedSelfAttestationThenVerifiedAndSpoiledOneRefused() {
        String email = PasskeyCalls.userWithPassword("member");
        String token = gateway.passwordSession(email);
        SoftAuthenticator spoiled = new SoftAuthenticator();
        spoiled.packedSelfAttestation = true;
        spoiled.spoilAttestation = true;
        JsonNode first = gateway.post(PasskeyCalls.REGISTER_OPTIONS, token, null).data();

        Reply refused = gateway.post(PasskeyCalls.PASSKEYS, token,
                PasskeyCalls.registerBody("Key", spoiled.register(first)));

        assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(refused.body(), "unauthorized");
        SoftAuthenticator packed = new SoftAuthenticator();
        packed.packedSelfAttestation = true;
        JsonNode second = gateway.post(PasskeyCalls.REGISTER_OPTIONS, token, null).data();
        Reply accepted = gateway.post(PasskeyCalls.PASSKEYS, token,
                PasskeyCalls.registerBody("Key", packed.register(second)));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
        assertThat(TestData.queryString("SELECT attestation_format FROM passkeys WHERE id = ?",
                Long.parseLong(accepted.data().path("id").asString()))).isEqualTo("packed");
    }

    @Test
    void registerWhenWrongOriginRpIdOrReplayedChallengeThenUnauthorized() {
        String token = gateway.passwordSession(PasskeyCalls.userWithPassword("member"));
        SoftAuthenticator wrongOrigin = new SoftAuthenticator();
        wrongOrigin.origin = "https://evil.example";
        SoftAuthenticator wrongRp = new SoftAuthenticator();
        wrongRp.rpId = "evil.example";

        assertThat(gateway.post(PasskeyCalls.PASSKEYS, token, PasskeyCalls.registerBody("x",
                wrongOrigin.register(gateway.post(PasskeyCalls.REGISTER_OPTIONS, token, null).data()))).status())
                .isEqualTo(401);
        assertThat(gateway.post(PasskeyCalls.PASSKEYS, token, PasskeyCalls.registerBody("x",
                wrongRp.register(gateway.post(PasskeyCalls.REGISTER_OPTIONS, token, null).data()))).status())
                .isEqualTo(401);
        SoftAuthenticator good = new SoftAuthenticator();
        String answer = good.register(gateway.post(PasskeyCalls.REGISTER_OPTIONS, token, null).data());
        assertThat(gateway.post(PasskeyCalls.PASSKEYS, token, PasskeyCalls.registerBody("x", answer)).status())
                .isEqualTo(201);
        // the same answer again: its challenge is used up (before the duplicate credential could say 409)
        Reply replayed = gateway.post(PasskeyCalls.PASSKEYS, token, PasskeyCalls.registerBody("y",
                answer));
        assertThat(replayed.status()).as(replayed.body()).isEqualTo(401);
        ErrorEnvelopes.assertEnvelope(replayed.body(), "unauthorized");
    }

    @Test
    void registerWhenChallengeOfAnotherSessionThenUnauthorized() {
        String mine = gateway.passwordSession(PasskeyCalls.userWithPassword("member"));
        String theirs = gateway.passwordSession(PasskeyCalls.userWithPassword("member"));
        JsonNode options = gateway.post(PasskeyCalls.REGISTER_OPTIONS, mine, null).data();

        Reply refused = gateway.post(PasskeyCalls.PASSKEYS, theirs,
                PasskeyCalls.registerBody("x", new SoftAuthenticator().register(options)));

        assertThat(refused.status()).isEqualTo(401);
    }

    @Test
    void registerWhenCredentialIsNotAResponseThenInvalidRequest() {
        String token = gateway.passwordSession(PasskeyCalls.userWithPassword("member"));

        assertThat(gateway.post(PasskeyCalls.PASSKEYS, token, "{\"name\":\"x\",\"credential\":{\"id\":\"AA\"}}")
                .errorCode()).isEqualTo("invalid_request");
        assertThat(gateway.post(PasskeyCalls.PASSKEYS, token, "{\"name\":\"x\",\"credential\":\"text\"}")
                .errorCode()).isEqualTo("invalid_request");
        assertThat(gateway.post(PasskeyCalls.PASSKEYS, token, "{\"name\":\"x\",\"credential\":{},\"other\":1}")
                .errorCode()).isEqualTo("invalid_request");
    }

    @Test
    void registerOptionsWhenUserHasAPasskeyThenPasswordOnlySessionRefusedAndPasskeySessionGetsExcludeCredentials() {
        String email = PasskeyCalls.userWithPassword("member");
        String before = gateway.passwordSession(email);
        SoftAuthenticator authenticator = new SoftAuthenticator();
        gateway.register(before, authenticator, "Phone");

        Reply stale = gateway.post(PasskeyCalls.REGISTER_OPTIONS, before, null);

        assertThat(stale.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(stale.body(), "mfa_required");
        String passkeySession = gateway.passwordFreeSession(authenticator);
        JsonNode options = gateway.post(PasskeyCalls.REGISTER_OPTIONS, passkeySession, null).data();
        assertThat(options.path("excludeCredentials")).hasSize(1);
        assertThat(options.path("excludeCredentials").get(0).path("id").asString())
                .isEqualTo(authenticator.credentialIdBase64());
        assertThat(options.path("excludeCredentials").get(0).path("type").asString()).isEqualTo("public-key");
        Reply again = gateway.post(PasskeyCalls.PASSKEYS, passkeySession,
                PasskeyCalls.registerBody("Again", authenticator.register(options)));
        assertThat(again.status()).as(again.body()).isEqualTo(409);
    }

    // ---------------------------------------------------------------- second factor

    @Test
    void loginWhenUserHasPasskeyThenMfaRequiredListsPasskeyAndPasskeyStepGivesMfaSession() {
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = userWithPasskey(email);

        Reply login = gateway.login(email);

        assertThat(login.json().path("status").asString()).isEqualTo("mfa_required");
        assertThat(login.json().path("data").path("methods").toString()).isEqualTo("[\"passkey\"]");
        String mfaToken = login.json().path("data").path("mfa_token").asString();
        JsonNode options = gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"" + mfaToken + "\"}")
                .data();
        assertThat(options.path("rpId").asString()).isEqualTo("localhost");
        assertThat(options.path("allowCredentials")).hasSize(1);
        assertThat(options.path("allowCredentials").get(0).path("id").asString())
                .isEqualTo(authenticator.credentialIdBase64());
        assertThat(options.path("userVerification").asString()).isEqualTo("preferred");

        Reply verified = gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(mfaToken, authenticator.authenticate(options)));

        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        String token = verified.data().path("token").asString();
        assertThat(verified.setCookie()).startsWith("token=" + token);
        assertThat(PasskeyCalls.claims(token).path("amr").toString()).isEqualTo("[\"pwd\",\"mfa\",\"hwk\"]");
        assertThat(gateway.get("/mfa-only/x", token).status()).isEqualTo(200);
        assertThat(gateway.get(PasskeyCalls.PASSKEYS, token).data().path("passkeys").get(0).path("last_used_at")
                .isNull()).isFalse();
        // the mfa_token is used up
        JsonNode more = gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"" + mfaToken + "\"}").json();
        assertThat(more.path("error").path("code").asString()).isEqualTo("unauthorized");
    }

    @Test
    void secondFactorWhenFiveRefusedAnswersThenMfaTokenEnded() {
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = userWithPasskey(email);
        String mfaToken = gateway.mfaToken(email);
        String optionsBody = "{\"mfa_token\":\"" + mfaToken + "\"}";
        authenticator.spoilSignature = true;

        for (int i = 0; i < 5; i++) {
            JsonNode options = gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, optionsBody).data();
            Reply refused = gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                    PasskeyCalls.verifyBody(mfaToken, authenticator.authenticate(options)));
            assertThat(refused.status()).as(refused.body()).isEqualTo(401);
        }

        assertThat(gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, optionsBody).status()).isEqualTo(401);
    }

    @Test
    void secondFactorWhenChallengeOfAnotherMfaTokenOrPasskeyOfAnotherUserThenUnauthorized() {
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator mine = userWithPasskey(email);
        String otherEmail = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator theirs = userWithPasskey(otherEmail);
        String first = gateway.mfaToken(email);
        String second = gateway.mfaToken(email);
        JsonNode optionsOfFirst = gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"" + first + "\"}")
                .data();

        assertThat(gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(second, mine.authenticate(optionsOfFirst))).status()).isEqualTo(401);
        JsonNode fresh = gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"" + second + "\"}").data();
        assertThat(gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(second, theirs.authenticate(fresh))).status()).isEqualTo(401);
    }

    @Test
    void mfaVerifyWhenPasskeyOnlyUserSendsTotpThenInvalidRequest() {
        String email = PasskeyCalls.userWithPassword("member");
        userWithPasskey(email);
        String mfaToken = gateway.mfaToken(email);

        Reply reply = gateway.post("/api/user/auth/mfa/verify", null,
                "{\"mfa_token\":\"" + mfaToken + "\",\"code\":\"123456\",\"method\":\"totp\"}");

        assertThat(reply.status()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- password-free

    @Test
    void passwordFreeWhenDiscoverableCredentialThenHwkSessionThatCountsAsMfa() {
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = userWithPasskey(email);
        JsonNode options = gateway.passwordFreeOptions();

        assertThat(options.path("allowCredentials")).isEmpty();
        assertThat(options.path("userVerification").asString()).isEqualTo("required");
        Reply verified = gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(null, authenticator.authenticate(options)));

        assertThat(verified.status()).as(verified.body()).isEqualTo(200);
        String token = verified.data().path("token").asString();
        assertThat(verified.data().path("user").path("email").asString()).isEqualTo(email);
        assertThat(PasskeyCalls.claims(token).path("amr").toString()).isEqualTo("[\"hwk\"]");
        assertThat(gateway.get("/mfa-only/x", token).status()).isEqualTo(200);
    }

    @Test
    void passwordFreeWhenWrongOriginRpIdSignatureOrUserHandleThenUnauthorized() {
        SoftAuthenticator authenticator = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        List<Integer> statuses = new ArrayList<>();

        authenticator.origin = "https://evil.example";
        statuses.add(passwordFreeStatus(authenticator));
        authenticator.origin = "http://localhost:8080";
        authenticator.rpId = "evil.example";
        statuses.add(passwordFreeStatus(authenticator));
        authenticator.rpId = "localhost";
        authenticator.spoilSignature = true;
        statuses.add(passwordFreeStatus(authenticator));
        authenticator.spoilSignature = false;
        byte[] handle = authenticator.userHandle;
        authenticator.userHandle = new byte[32];
        statuses.add(passwordFreeStatus(authenticator));
        authenticator.userHandle = null;
        statuses.add(passwordFreeStatus(authenticator));
        authenticator.userHandle = handle;
        authenticator.userVerified = false;
        statuses.add(passwordFreeStatus(authenticator));
        authenticator.userVerified = true;

        assertThat(statuses).containsExactly(401, 401, 401, 401, 401, 401);
        assertThat(passwordFreeStatus(authenticator)).isEqualTo(200);
    }

    private int passwordFreeStatus(SoftAuthenticator authenticator) {
        Reply reply = gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(null, authenticator.authenticate(gateway.passwordFreeOptions())));
        if (reply.status() == 401) {
            ErrorEnvelopes.assertEnvelope(reply.body(), "unauthorized");
        }
        return reply.status();
    }

    @Test
    void passwordFreeWhenChallengeReplayedThenUnauthorized() {
        SoftAuthenticator authenticator = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        JsonNode options = gateway.passwordFreeOptions();
        assertThat(gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(null, authenticator.authenticate(options))).status()).isEqualTo(200);

        Reply replayed = gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(null, authenticator.authenticate(options)));

        assertThat(replayed.status()).isEqualTo(401);
    }

    @Test
    void passwordFreeWhenUnknownChallengeThenUnauthorized() {
        SoftAuthenticator authenticator = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        JsonNode invented = SoftAuthenticator.JSON.readTree("{\"challenge\":\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]) + "\"}");

        assertThat(gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(null, authenticator.authenticate(invented))).status()).isEqualTo(401);
    }

    @Test
    void signInWhenCounterDoesNotGrowThenUnauthorizedAndBothZeroAccepted() {
        SoftAuthenticator counting = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        assertThat(gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(null,
                counting.authenticateWithCounter(gateway.passwordFreeOptions(), 10))).status()).isEqualTo(200);

        int backwards = gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(null,
                counting.authenticateWithCounter(gateway.passwordFreeOptions(), 9))).status();
        int same = gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(null,
                counting.authenticateWithCounter(gateway.passwordFreeOptions(), 10))).status();
        int forward = gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(null,
                counting.authenticateWithCounter(gateway.passwordFreeOptions(), 11))).status();

        assertThat(List.of(backwards, same, forward)).containsExactly(401, 401, 200);
        assertThat(TestData.queryString("SELECT sign_count FROM passkeys WHERE credential_id = decode(?, 'base64')",
                Base64.getEncoder().encodeToString(counting.credentialId))).isEqualTo("11");
        SoftAuthenticator counterless = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        for (int i = 0; i < 2; i++) {
            assertThat(gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(null,
                    counterless.authenticateWithCounter(gateway.passwordFreeOptions(), 0))).status()).isEqualTo(200);
        }
    }

    @Test
    void passwordFreeWhenUserDisabledThenUnauthorized() {
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = userWithPasskey(email);
        TestData.update("UPDATE users SET disabled = true WHERE email = ?", email);

        assertThat(passwordFreeStatus(authenticator)).isEqualTo(401);
    }

    @Test
    void passwordFreeWhenChallengeIssuedByOneReplicaThenAcceptedByTheOther() {
        SoftAuthenticator authenticator = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        try (SecondGateway other = SecondGateway.start(Map.of())) {
            JsonNode options = gateway.passwordFreeOptions();
            PasskeyCalls otherGateway = new PasskeyCalls(other.client());

            Reply verified = otherGateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                    PasskeyCalls.verifyBody(null, authenticator.authenticate(options)));

            assertThat(verified.status()).as(verified.body()).isEqualTo(200);
            Reply replayedHere = gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                    PasskeyCalls.verifyBody(null, authenticator.authenticate(options)));
            assertThat(replayedHere.status()).isEqualTo(401);
        }
    }

    @Test
    void loginOptionsWhenMalformedThenInvalidRequestAndUnknownMfaTokenUnauthorized() {
        assertThat(gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":1}").errorCode())
                .isEqualTo("invalid_request");
        assertThat(gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"other\":1}").errorCode())
                .isEqualTo("invalid_request");
        assertThat(gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"mfa_temp_unknown\"}").status())
                .isEqualTo(401);
        assertThat(gateway.post(PasskeyCalls.LOGIN_VERIFY, null, "{}").errorCode()).isEqualTo("invalid_request");
    }

    // ---------------------------------------------------------------- management

    @Test
    void deleteWhenPasswordOnlySessionThenMfaRequiredAndWithPasskeySessionDeleted() {
        String email = PasskeyCalls.userWithPassword("member");
        String passwordOnly = gateway.passwordSession(email);
        SoftAuthenticator authenticator = new SoftAuthenticator();
        String id = gateway.register(passwordOnly, authenticator, "Laptop");

        Reply refused = gateway.delete(PasskeyCalls.PASSKEYS + "/" + id, passwordOnly);

        assertThat(refused.status()).isEqualTo(403);
        ErrorEnvelopes.assertEnvelope(refused.body(), "mfa_required");
        String strong = gateway.passwordFreeSession(authenticator);
        Reply deleted = gateway.delete(PasskeyCalls.PASSKEYS + "/" + id, strong);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(gateway.get(PasskeyCalls.PASSKEYS, strong).data().path("passkeys")).isEmpty();
        assertThat(gateway.login(email).json().path("status").asString()).isEqualTo("success");
    }

    @Test
    void adminMfaResetRemovesThePasskeysAndTheirSessionsEnd() {
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = userWithPasskey(email);
        String strong = gateway.passwordFreeSession(authenticator);
        long userId = PasskeyCalls.userId(email);

        Reply reset = gateway.withApiKey("POST", "/api/admin/users/" + userId + "/mfa/reset",
                io.s4e.gateway.support.TestInfrastructure.get().adminKey);

        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        assertThat(TestData.queryString("SELECT count(*) FROM passkeys WHERE user_id = ?", userId)).isEqualTo("0");
        assertThat(gateway.get(PasskeyCalls.PASSKEYS, strong).status()).as("the passkey session ended").isEqualTo(401);
        assertThat(gateway.login(email).json().path("status").asString()).as("password alone again")
                .isEqualTo("success");
    }

    @Test
    void recoveryCodesGoWithTheLastPasskeyWhenItWasTheOnlyFactor() {
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = userWithPasskey(email);
        String strong = gateway.passwordFreeSession(authenticator);
        Reply codes = gateway.post("/api/user/mfa/recovery-codes", strong, null);
        assertThat(codes.status()).as("a passkey is a factor codes can recover: " + codes.body()).isEqualTo(200);
        long userId = PasskeyCalls.userId(email);
        assertThat(TestData.queryString("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", userId))
                .isEqualTo("10");
        String id = gateway.get(PasskeyCalls.PASSKEYS, strong).data().path("passkeys").get(0).path("id").asString();

        assertThat(gateway.delete(PasskeyCalls.PASSKEYS + "/" + id, strong).status()).isEqualTo(200);

        assertThat(TestData.queryString("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ?", userId))
                .as("nothing left to recover").isEqualTo("0");
    }

    @Test
    void listRenameAndDeleteWhenAnotherUsersPasskeyThenNotFound() {
        String owner = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        String id = gateway.register(gateway.passwordSession(owner), authenticator, "Laptop");
        String other = gateway.passwordSession(PasskeyCalls.userWithPassword("member"));

        assertThat(gateway.get(PasskeyCalls.PASSKEYS, other).data().path("passkeys")).isEmpty();
        Reply deleted = gateway.delete(PasskeyCalls.PASSKEYS + "/" + id, other);
        assertThat(deleted.status()).isEqualTo(404);
        ErrorEnvelopes.assertEnvelope(deleted.body(), "not_found");
        assertThat(gateway.patch(PasskeyCalls.PASSKEYS + "/" + id, other, "{\"name\":\"mine\"}").status())
                .isEqualTo(404);
        assertThat(gateway.delete(PasskeyCalls.PASSKEYS + "/x1", other).status()).isEqualTo(404);
        String ownerSession = gateway.passwordFreeSession(authenticator);
        Reply renamed = gateway.patch(PasskeyCalls.PASSKEYS + "/" + id, ownerSession,
                "{\"name\":\"Work laptop\"}");
        assertThat(renamed.status()).as(renamed.body()).isEqualTo(200);
        assertThat(gateway.get(PasskeyCalls.PASSKEYS, ownerSession).data().path("passkeys").get(0).path("name")
                .asString()).isEqualTo("Work laptop");
        assertThat(gateway.patch(PasskeyCalls.PASSKEYS + "/" + id, ownerSession, "{\"name\":\"a\\u202eb\"}")
                .errorCode()).isEqualTo("invalid_request");
    }

    @Test
    void passkeyEndpointsWhenApiKeyThenForbiddenAndWithoutCredentialUnauthorized() {
        long userId = TestData.user("member");
        String key = TestData.key(userId, List.of("read:assets"));

        for (String[] call : new String[][] {{"POST", PasskeyCalls.REGISTER_OPTIONS}, {"GET", PasskeyCalls.PASSKEYS},
                {"POST", PasskeyCalls.PASSKEYS}, {"DELETE", PasskeyCalls.PASSKEYS + "/1"},
                {"PATCH", PasskeyCalls.PASSKEYS + "/1"}}) {
            Reply reply = gateway.withApiKey(call[0], call[1], key);
            assertThat(reply.status()).as(call[0] + " " + call[1]).isEqualTo(403);
            ErrorEnvelopes.assertEnvelope(reply.body(), "forbidden");
        }
        assertThat(gateway.post(PasskeyCalls.REGISTER_OPTIONS, null, null).status()).isEqualTo(401);
        assertThat(gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"" + key + "\"}").status())
                .isEqualTo(401);
    }
}
