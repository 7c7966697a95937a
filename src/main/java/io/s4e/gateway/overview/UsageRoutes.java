package io.s4e.gateway.overview;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.s4e.gateway.apikey.ApiKeyService;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.usage.UsageRepository;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.MethodNotAllowed;
import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /api/keys/{id}/usage?window=1h|24h|7d} (CONTRACT §12): the key's requests allowed, refused and limited
 * per minute (1h) or hour (24h, 7d), oldest first, aligned to whole minutes or hours and zero-filled; the last
 * bucket is the current, unfinished one. Who may see a key (the owner, or an admin) is decided as by
 * {@code GET /api/keys/{id}}: anyone else's key is 404.
 */
@Configuration(proxyBeanMethods = false)
public class UsageRoutes {

    static final String PATH = "/api/keys/{id}/usage";

    private final ApiKeyService keys;
    private final UsageRepository repository;
    private final Clock clock;

    public UsageRoutes(ApiKeyService keys, UsageRepository repository, Clock clock) {
        this.keys = keys;
        this.repository = repository;
        this.clock = clock;
    }

    /** {@code /api/keys/{id}/usage}. */
    @Bean
    public RouterFunction<ServerResponse> usageEndpoints() {
        return RouterFunctions.route()
                .GET(PATH, this::usage)
                .route(RequestPredicates.path(PATH), MethodNotAllowed.allowing(HttpMethod.GET))
                .build();
    }

    private Mono<ServerResponse> usage(ServerRequest request) {
        String id = request.pathVariable("id");
        return AuthenticationFilter.authenticationOf(request.exchange()).requirePrincipal()
                .flatMap(caller -> keys.get(caller, id))
                .map(key -> UsageWindow.parse(request.queryParams().get("window")))
                .flatMap(window -> usage(id, window))
                .flatMap(view -> ServerResponse.ok().bodyValue(Envelope.success(view)));
    }

    private Mono<Usage> usage(String keyId, UsageWindow window) {
        Instant end = window.end(clock.instant());
        Instant start = window.start(end);
        return repository.buckets(keyId, window.hourly(), start, end)
                .collectMap(UsageRepository.Counts::start)
                .map(stored -> new Usage(window.wire(), window.hourly() ? "hour" : "minute",
                        zeroFilled(stored, window, start)));
    }

    static List<Bucket> zeroFilled(Map<Instant, UsageRepository.Counts> stored, UsageWindow window, Instant start) {
        List<Bucket> buckets = new ArrayList<>(window.buckets());
        Map<Instant, UsageRepository.Counts> byStart = new HashMap<>(stored);
        for (int i = 0; i < window.buckets(); i++) {
            Instant at = start.plus(window.bucket().multipliedBy(i));
            UsageRepository.Counts counts = byStart.get(at);
            buckets.add(counts == null ? new Bucket(at, 0, 0, 0)
                    : new Bucket(at, counts.allowed(), counts.refused(), counts.limited()));
        }
        return buckets;
    }

    /** The answer: the window, the size of its buckets ({@code minute} or {@code hour}), the buckets. */
    record Usage(String window, @JsonProperty("bucket") String bucket, List<Bucket> buckets) {
    }

    /** One bucket: its start and the requests of the key in it. */
    record Bucket(Instant start, long allowed, long refused, long limited) {
    }
}
