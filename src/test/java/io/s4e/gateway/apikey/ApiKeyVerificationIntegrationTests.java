package io.s4e.gateway.apikey;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.Reply;
import io.s4e.gateway.support.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a presented API key is verified (CONTRACT §5): expiry, the owner's state and role, the verdict cache and the
 * offline checksum, observed through requests and the {@code s4e.apikey.*} counters.
 */
@GatewayIntegrationTest
class ApiKeyVerificationIntegrationTests {

    private static final String REFUSED = "Invalid or expired API key.";

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    InvalidationBus bus;

    GatewayCalls gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayCalls(port);
    }

    @Test
    void verifyWhenKeyValidThenUpstreamSeesOwnerIdentity() {
        long member = TestData.user("member");
        String secret = TestData.key(member, List.of("read:assets", "write:assets"));

        Reply echo = gateway.get("/api/assets/7", secret);

        assertThat(echo.status()).as(echo.body()).isEqualTo(200);
        assertThat(echo.upstreamHeader("X-S4E-User-Id")).isEqualTo(String.valueOf(member));
        assertThat(echo.upstreamHeader("X-S4E-User-Email")).startsWith("member-").endsWith("@example.test");
        assertThat(echo.upstreamHeader("X-S4E-User-Role")).isEqualTo("member");
        assertThat(echo.upstreamHeader("X-S4E-Auth-Method")).isEqualTo("api_key");
        assertThat(echo.upstreamHeader("X-S4E-Key-Id")).isEqualTo(TestData.keyId(secret));
        assertThat(echo.upstreamHeader("X-S4E-Scopes")).isEqualTo("read:assets write:assets");
        assertThat(echo.upstreamHeader("Authorization")).isNull();
        assertThat(echo.body()).doesNotContain(secret);
    }

    @Test
    void verifyWhenKeyExpiredThenRefusedAndRefusalCached() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"),
                Instant.now().minus(Duration.ofMinutes(5)));
        double lookups = lookups();

        for (int i = 0; i < 20; i++) {
            Reply reply = gateway.get("/api/assets/1", secret);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.errorCode()).isEqualTo("unauthorized");
            assertThat(reply.errorMessage()).isEqualTo(REFUSED);
        }

        assertThat(lookups() - lookups).isEqualTo(1);
    }

    @Test
    void verifyWhenKeyExpiresWhileCachedThenRefusedFromExpiry() {
        Instant expiresAt = Instant.now().plus(Duration.ofSeconds(2));
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"), expiresAt);
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);
        double lookups = lookups();
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);
        assertThat(lookups() - lookups).as("the second use is answered from the cache").isZero();

        Instant refusedAt = null;
        while (refusedAt == null && Instant.now().isBefore(expiresAt.plusSeconds(5))) {
            Instant sent = Instant.now();
            int status = gateway.assetsStatus(secret);
            if (status == 401) {
                refusedAt = Instant.now();
            } else {
                assertThat(status).isEqualTo(200);
                assertThat(sent).as("accepted only before the expiry").isBefore(expiresAt);
                sleep(50);
            }
        }

        assertThat(refusedAt).as("refused within 5 s of the expiry").isNotNull().isAfterOrEqualTo(expiresAt);
        assertThat(gateway.get("/api/assets/1", secret).errorMessage()).isEqualTo(REFUSED);
    }

    @Test
    void verifyWhenOwnerDisabledThenRefusedOnceTheChangeIsPublished() {
        long member = TestData.user("member");
        String secret = TestData.key(member, List.of("read:assets"));
        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);

        TestData.update("UPDATE users SET disabled = true WHERE id = ?", member);
        bus.publish("user", String.valueOf(member)).block(Duration.ofSeconds(5));

        Reply reply = gateway.get("/api/assets/1", secret);
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errorMessage()).isEqualTo(REFUSED);
        assertThat(gateway.get("/private/x", secret).status()).isEqualTo(401);
    }

    @Test
    void verifyWhenDisabledOwnerReEnabledThenKeyWorksOnceTheChangeIsPublished() {
        long member = TestData.user("member");
        String secret = TestData.key(member, List.of("read:assets"));
        TestData.update("UPDATE users SET disabled = true WHERE id = ?", member);
        assertThat(gateway.assetsStatus(secret)).isEqualTo(401);

        TestData.update("UPDATE users SET disabled = false WHERE id = ?", member);
        bus.publish("user", String.valueOf(member)).block(Duration.ofSeconds(5));

        assertThat(gateway.assetsStatus(secret)).isEqualTo(200);
    }

    @Test
    void verifyWhenOwnerDemotedThenEffectiveScopesShrinkAtOnce() {
        long owner = TestData.user("admin");
        String secret = TestData.key(owner, List.of("read:assets", "write:assets", "admin"));
        Reply before = gateway.get("/api/assets/1", secret);
        assertThat(before.upstreamHeader("X-S4E-Scopes")).isEqualTo("read:assets write:assets admin");
        assertThat(gateway.get("/api/admin-tools/x", secret).status()).isEqualTo(200);

        TestData.update("UPDATE users SET role = 'viewer' WHERE id = ?", owner);
        bus.publish("user", String.valueOf(owner)).block(Duration.ofSeconds(5));

        Reply after = gateway.get("/api/assets/1", secret);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.upstreamHeader("X-S4E-Scopes")).isEqualTo("read:assets");
        assertThat(after.upstreamHeader("X-S4E-User-Role")).isEqualTo("viewer");
        Reply adminTools = gateway.get("/api/admin-tools/x", secret);
        assertThat(adminTools.status()).isEqualTo(403);
        assertThat(adminTools.errorCode()).isEqualTo("forbidden");
        assertThat(gateway.post("/api/assets/1", secret, "{}").status()).isEqualTo(403);
        assertThat(gateway.get("/api/keys", secret).status()).isEqualTo(403);
    }

    @Test
    void verifyWhenKeyScopesExceedOwnerRoleThenOnlyRoleScopesEffective() {
        String secret = TestData.key(TestData.user("viewer"), List.of("read:assets", "write:assets", "admin"));

        Reply echo = gateway.get("/api/assets/1", secret);

        assertThat(echo.upstreamHeader("X-S4E-Scopes")).isEqualTo("read:assets");
        assertThat(gateway.post("/api/assets/1", secret, "{}").status()).isEqualTo(403);
        assertThat(gateway.get("/api/admin-tools/x", secret).status()).isEqualTo(403);
    }

    @Test
    void verifyWhenWellFormedKeyUnknownThenRefusedWithOneLookupForManyRequests() {
        String unknown = TestData.unknownKey();
        double lookups = lookups();

        for (int i = 0; i < 20; i++) {
            Reply reply = gateway.get("/private/x", unknown);
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.errorMessage()).isEqualTo(REFUSED);
        }

        assertThat(lookups() - lookups).isEqualTo(1);
    }

    @Test
    void verifyWhenChecksumWrongThenRefusedWithoutAnyLookup() {
        String real = TestData.key(TestData.user("member"), List.of("read:assets"));
        String tampered = real.substring(0, real.length() - 1) + (real.endsWith("A") ? "B" : "A");
        String mistyped = real.substring(0, 20) + (real.charAt(20) == 'x' ? 'y' : 'x') + real.substring(21);
        double lookups = lookups();
        double malformed = meters.get("s4e.apikey.malformed").counter().count();

        for (int i = 0; i < 10; i++) {
            assertThat(gateway.get("/private/x", tampered).errorMessage()).isEqualTo(REFUSED);
            assertThat(gateway.get("/private/x", mistyped).status()).isEqualTo(401);
        }

        assertThat(lookups() - lookups).isZero();
        assertThat(meters.get("s4e.apikey.malformed").counter().count() - malformed).isEqualTo(20);
    }

    @Test
    void verifyWhenManyConcurrentRequestsCarryAnUncachedKeyThenOneLookup() {
        String secret = TestData.key(TestData.user("member"), List.of("read:assets"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        double lookups = lookups();

        List<CompletableFuture<HttpResponse<Void>>> replies = IntStream.range(0, 20)
                .mapToObj(i -> http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/api/assets/" + i)).timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + secret).build(),
                        HttpResponse.BodyHandlers.discarding()))
                .toList();

        assertThat(replies).allSatisfy(r -> assertThat(r.get(40, TimeUnit.SECONDS).statusCode()).isEqualTo(200));
        assertThat(lookups() - lookups).isEqualTo(1);
    }

    private double lookups() {
        return meters.get("s4e.apikey.db.lookups").counter().count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
