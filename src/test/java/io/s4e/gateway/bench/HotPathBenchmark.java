package io.s4e.gateway.bench;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.credential.CredentialExtractor;
import io.s4e.gateway.credential.SecretHashes;
import io.s4e.gateway.route.RoutePolicy;
import io.s4e.gateway.route.RoutePolicyRegistry;
import io.s4e.gateway.session.SessionClaims;
import io.s4e.gateway.session.SessionProperties;
import io.s4e.gateway.session.SessionTokenCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/**
 * The pieces every authenticated request runs, measured alone: API key parse + checksum + hash, session JWT
 * verification, credential carrier extraction and route policy lookup. Run with {@code bench/jmh.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {

    /** Which carrier the extraction benchmark reads. */
    @Param({"bearer", "x-api-key", "cookie", "query"})
    public String carrier;

    private String apiKey;
    private String sessionToken;
    private SessionTokenCodec codec;
    private MockServerHttpRequest request;
    private RoutePolicyRegistry registry;
    private Route route;

    @Setup
    public void setUp() {
        apiKey = ApiKeyFormat.generate(new SecureRandom());
        SessionProperties properties = new SessionProperties("bench-signing-secret-0123456789-abcdefghij-klmnop",
                "k1", Map.of(), Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofDays(1), true, null,
                null, null, null);
        codec = new SessionTokenCodec(properties, Clock.systemUTC());
        Instant now = Instant.now();
        sessionToken = codec.encode(new SessionClaims(42L, "0123456789abcdef0123456789abcdef", "member",
                List.of("pwd"), now, now.plus(Duration.ofHours(1))));
        request = switch (carrier) {
            case "bearer" -> MockServerHttpRequest.get("/api/assets")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + apiKey).build();
            case "x-api-key" -> MockServerHttpRequest.get("/api/assets")
                    .header(CredentialExtractor.API_KEY_HEADER, apiKey).build();
            case "cookie" -> MockServerHttpRequest.get("/api/assets")
                    .header(HttpHeaders.COOKIE, "theme=dark; token=" + sessionToken).build();
            case "query" -> MockServerHttpRequest.get("/api/assets?page=2&token=" + sessionToken).build();
            default -> throw new IllegalArgumentException(carrier);
        };
        registry = new RoutePolicyRegistry(Flux::empty);
        route = Route.async().id("assets").uri(URI.create("http://127.0.0.1:9090"))
                .predicate(exchange -> true)
                .metadata(Map.of(RoutePolicy.SCOPES, List.of("assets:read"), RoutePolicy.AUTH, "required"))
                .build();
    }

    @Benchmark
    public String apiKeyParseChecksumHash() {
        if (!ApiKeyFormat.isWellFormed(apiKey)) {
            throw new IllegalStateException("generated key refused");
        }
        return SecretHashes.sha256(apiKey);
    }

    @Benchmark
    public SessionClaims sessionJwtVerify() {
        return codec.decode(sessionToken);
    }

    @Benchmark
    public Optional<Credential> carrierExtraction() {
        return CredentialExtractor.extract(request);
    }

    @Benchmark
    public RoutePolicy routePolicyLookup() {
        return registry.policyFor(route);
    }
}
