package io.s4e.gateway.passkey;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.SecondGateway;
import io.s4e.gateway.support.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passkeys under attack and at their edges: one answer sent to both replicas at the same instant, the per-IP limits
 * of password-free sign-in, what is counted in metrics, the repository calls of the admin MFA reset and the account
 * summary, and that no challenge, signature, token or password reaches a log line.
 */
@GatewayIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class PasskeyAbuseIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    PasskeyRepository repository;

    PasskeyCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new PasskeyCalls(port);
    }

    private SoftAuthenticator userWithPasskey(String email) {
        SoftAuthenticator authenticator = new SoftAuthenticator();
        gateway.register(gateway.passwordSession(email), authenticator, "Laptop");
        return authenticator;
    }

    private double count(String ceremony, String outcome) {
        Counter counter = meters.find(PasskeyMetrics.METRIC).tags("ceremony", ceremony, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void verifyWhenOneAnswerReachesBothReplicasAtOnceThenExactlyOneSession() throws Exception {
        SoftAuthenticator authenticator = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (SecondGateway other = SecondGateway.start(Map.of())) {
            for (int round = 0; round < 3; round++) {
                String body = PasskeyCalls.verifyBody(null, authenticator.authenticate(gateway.passwordFreeOptions()));
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int target = i % 2 == 0 ? port : other.port();
                    answers.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                            return http.send(HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + target + PasskeyCalls.LOGIN_VERIFY))
                                            .timeout(Duration.ofSeconds(30))
                                            .header("Content-Type", "application/json")
                                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode();
                        }
                        catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                for (CompletableFuture<Integer> answer : answers) {
                    statuses.add(answer.get(40, TimeUnit.SECONDS));
                }

                assertThat(statuses).as("round " + round).containsOnly(200, 401);
                assertThat(statuses.stream().filter(s -> s == 200).count()).as("round " + round).isEqualTo(1);
            }
        }
    }

    @Test
    void passwordFreeWhenClientIpExceedsTheLimitsThenRateLimited() {
        SoftAuthenticator authenticator = userWithPasskey(PasskeyCalls.userWithPassword("member"));
        try (SecondGateway limited = SecondGateway.start(Map.of("s4e.webauthn.options-per-ip-per-minute", "3",
                "s4e.rate-limits.login.per-ip-per-minute", "2"))) {
            PasskeyCalls replica = new PasskeyCalls(limited.client());
            List<JsonNode> options = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                options.add(replica.passwordFreeOptions());
            }
            Reply fourth = replica.post(PasskeyCalls.LOGIN_OPTIONS, null, "{}");
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.errorCode()).isEqualTo("rate_limited");
            assertThat(fourth.headers().getFirst("Retry-After")).isNotBlank();
            assertThat(replica.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"mfa_temp_x\"}").status())
                    .as("second-factor challenges count against the same limit").isEqualTo(429);

            List<Integer> verified = new ArrayList<>();
            for (JsonNode option : options) {
                verified.add(replica.post(PasskeyCalls.LOGIN_VERIFY, null,
                        PasskeyCalls.verifyBody(null, authenticator.authenticate(option))).status());
            }
            assertThat(verified).containsExactly(200, 200, 429);
        }
    }

    @Test
    void ceremoniesWhenAcceptedOrRefusedThenCountedByOutcome() {
        double registrations = count("registration", "success");
        double passwordFree = count("password_free", "success");
        double badSignatures = count("password_free", "signature");
        double secondFactor = count("second_factor", "success");
        String email = PasskeyCalls.userWithPassword("member");
        SoftAuthenticator authenticator = userWithPasskey(email);

        gateway.passwordFreeSession(authenticator);
        authenticator.spoilSignature = true;
        gateway.post(PasskeyCalls.LOGIN_VERIFY, null,
                PasskeyCalls.verifyBody(null, authenticator.authenticate(gateway.passwordFreeOptions())));
        authenticator.spoilSignature = false;
        String mfaToken = gateway.mfaToken(email);
        JsonNode options = gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"" + mfaToken + "\"}")
                .data();
        gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(mfaToken,
                authenticator.authenticate(options)));

        assertThat(count("registration", "success")).isEqualTo(registrations + 1);
        assertThat(count("password_free", "success")).isEqualTo(passwordFree + 1);
        assertThat(count("password_free", "signature")).isEqualTo(badSignatures + 1);
        assertThat(count("second_factor", "success")).isEqualTo(secondFactor + 1);
    }

    @Test
    void repositoryWhenAdminResetDeletesAllThenCountIsZeroAndLoginNeedsNoSecondStep() {
        String email = PasskeyCalls.userWithPassword("member");
        long userId = PasskeyCalls.userId(email);
        SoftAuthenticator first = userWithPasskey(email);
        gateway.register(gateway.passwordFreeSession(first), new SoftAuthenticator(), "Second");

        StepVerifier.create(repository.countOf(userId)).expectNext(2L).verifyComplete();
        StepVerifier.create(repository.deleteAllOf(userId)).expectNext(2L).verifyComplete();
        StepVerifier.create(repository.countOf(userId)).expectNext(0L).verifyComplete();
        assertThat(gateway.login(email).json().path("status").asString()).isEqualTo("success");
        assertThat(TestData.queryString("SELECT count(*) FROM webauthn_user_handles WHERE user_id = ?", userId))
                .isEqualTo("1");
    }

    @Test
    void logsWhenPasskeysAddedUsedAndRefusedThenNoChallengeSignatureTokenOrPassword(CapturedOutput output) {
        String email = PasskeyCalls.userWithPassword("member");
        String passwordSession = gateway.passwordSession(email);
        SoftAuthenticator authenticator = new SoftAuthenticator();
        JsonNode registerOptions = gateway.post(PasskeyCalls.REGISTER_OPTIONS, passwordSession, null).data();
        String registration = authenticator.register(registerOptions);
        assertThat(gateway.post(PasskeyCalls.PASSKEYS, passwordSession,
                PasskeyCalls.registerBody("Laptop", registration)).status()).isEqualTo(201);
        JsonNode signInOptions = gateway.passwordFreeOptions();
        String assertion = authenticator.authenticate(signInOptions);
        String session = gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(null, assertion))
                .data().path("token").asString();
        String mfaToken = gateway.mfaToken(email);
        authenticator.spoilSignature = true;
        JsonNode mfaOptions = gateway.post(PasskeyCalls.LOGIN_OPTIONS, null, "{\"mfa_token\":\"" + mfaToken + "\"}")
                .data();
        String refused = authenticator.authenticate(mfaOptions);
        gateway.post(PasskeyCalls.LOGIN_VERIFY, null, PasskeyCalls.verifyBody(mfaToken, refused));

        List<String> secrets = new ArrayList<>(List.of(PasskeyCalls.PASSWORD, passwordSession, session, mfaToken,
                registerOptions.path("challenge").asString(), registerOptions.path("user").path("id").asString(),
                signInOptions.path("challenge").asString(), mfaOptions.path("challenge").asString()));
        for (String answer : List.of(registration, assertion, refused)) {
            JsonNode response = SoftAuthenticator.JSON.readTree(answer).path("response");
            response.properties().forEach(field -> {
                if (field.getValue().isString()) {
                    secrets.add(field.getValue().asString());
                }
            });
        }
        for (String secret : secrets) {
            assertThat(output.getAll()).as("a secret of length " + secret.length()).doesNotContain(secret);
        }
    }
}
