package io.s4e.gateway.audit;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import io.s4e.gateway.principal.AuthenticationFilter;
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
 * {@code GET /api/audit-log} (CONTRACT §8): admins page through events newest first, filtered by {@code event},
 * {@code user_id}, {@code since} (inclusive) and {@code until} (exclusive), {@code limit} per page (default 50, at
 * most 500), continuing from an opaque {@code cursor} that the gateway signed ({@link AuditCursors}). Any other principal gets 403, no credential 401.
 */
@Configuration(proxyBeanMethods = false)
public class AuditRoutes {

    static final String PATH = "/api/audit-log";

    private final AuditRepository repository;
    private final AuditCursors cursors;

    public AuditRoutes(AuditRepository repository, AuditCursors cursors) {
        this.repository = repository;
        this.cursors = cursors;
    }

    /** {@code /api/audit-log}. */
    @Bean
    public RouterFunction<ServerResponse> auditEndpoints() {
        return RouterFunctions.route()
                .GET(PATH, this::page)
                .route(RequestPredicates.path(PATH), MethodNotAllowed.allowing(HttpMethod.GET))
                .build();
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        return AuthenticationFilter.authenticationOf(request.exchange()).requirePrincipal()
                .doOnNext(caller -> caller.requireAdmin("Reading the audit log"))
                .map(admin -> AuditQuery.parse(request.queryParams(), cursors))
                .flatMap(query -> repository.page(query, query.limit() + 1).collectList()
                        .map(rows -> page(rows, query.limit())))
                .flatMap(page -> ServerResponse.ok().bodyValue(Envelope.success(page)));
    }

    private Page page(List<AuditRepository.StoredEvent> rows, int limit) {
        boolean more = rows.size() > limit;
        List<AuditRepository.StoredEvent> shown = more ? rows.subList(0, limit) : rows;
        String next = null;
        if (more) {
            AuditRepository.StoredEvent last = shown.get(shown.size() - 1);
            next = cursors.encode(new AuditQuery.Cursor(last.time(), last.id()));
        }
        return new Page(shown.stream().map(AuditRoutes::view).toList(), next);
    }

    private static EventView view(AuditRepository.StoredEvent e) {
        return new EventView(e.id().toString(), e.time(), e.event(), e.outcome(), e.userId(), e.keyId(), e.keyHint(),
                e.clientIp(), e.userAgent(), e.requestId(), e.method(), e.path(), e.detail(),
                e.count() == null ? 1 : e.count(), e.firstAt(), e.lastAt());
    }

    /** One page. */
    record Page(List<EventView> events, @JsonProperty("next_cursor") String nextCursor) {
    }

    /**
     * One event as answered; {@code count} is how many refusals a {@code request.refused} aggregate stands for
     * (1 for every other event), between {@code first_at} and {@code last_at}.
     */
    record EventView(String id, Instant time, String event, String outcome,
                     @JsonProperty("user_id") Long userId,
                     @JsonProperty("key_id") String keyId,
                     @JsonProperty("key_hint") String keyHint,
                     @JsonProperty("client_ip") String clientIp,
                     @JsonProperty("user_agent") String userAgent,
                     @JsonProperty("request_id") String requestId,
                     String method, String path,
                     @JsonRawValue String detail,
                     long count,
                     @JsonProperty("first_at") Instant firstAt,
                     @JsonProperty("last_at") Instant lastAt) {
    }
}
