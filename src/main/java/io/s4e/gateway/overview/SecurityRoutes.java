package io.s4e.gateway.overview;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.s4e.gateway.audit.Audit;
import io.s4e.gateway.audit.AuditEntry;
import io.s4e.gateway.audit.AuditEvents;
import io.s4e.gateway.principal.AuthenticationFilter;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.ratelimit.Lockouts;
import io.s4e.gateway.web.Envelope;
import io.s4e.gateway.web.Errors;
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
 * The security overview of admins (CONTRACT §12): {@code GET /api/admin/security?window=1h|24h|7d} answers the
 * refusals over time by reason (minute buckets for 1h, hours otherwise, zero-filled), the client IPs and key hints
 * refused most, and the lockouts in force; {@code DELETE /api/admin/security/lockouts/{id}} lifts one (audit event
 * {@code lockout.lifted}). {@code GET /api/audit-log/events} lists the event names the audit log filters on.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityRoutes {

    static final String PATH = "/api/admin/security";
    static final String LOCKOUT_PATH = PATH + "/lockouts/{id}";
    static final String EVENTS_PATH = "/api/audit-log/events";

    private final SecurityRepository repository;
    private final Lockouts lockouts;
    private final Clock clock;

    public SecurityRoutes(SecurityRepository repository, Lockouts lockouts, Clock clock) {
        this.repository = repository;
        this.lockouts = lockouts;
        this.clock = clock;
    }

    /** {@code /api/admin/security}, its lockouts, and the audit log's event names. */
    @Bean
    public RouterFunction<ServerResponse> securityEndpoints() {
        return RouterFunctions.route()
                .GET(PATH, this::overview)
                .DELETE(LOCKOUT_PATH, this::lift)
                .GET(EVENTS_PATH, this::events)
                .route(RequestPredicates.path(PATH), MethodNotAllowed.allowing(HttpMethod.GET))
                .route(RequestPredicates.path(LOCKOUT_PATH), MethodNotAllowed.allowing(HttpMethod.DELETE))
                .route(RequestPredicates.path(EVENTS_PATH), MethodNotAllowed.allowing(HttpMethod.GET))
                .build();
    }

    private Mono<ServerResponse> overview(ServerRequest request) {
        return admin(request)
                .map(admin -> UsageWindow.parse(request.queryParams().get("window")))
                .flatMap(this::overview)
                .flatMap(view -> ServerResponse.ok().bodyValue(Envelope.success(view)));
    }

    private Mono<Overview> overview(UsageWindow window) {
        Instant end = window.end(clock.instant());
        Instant start = window.start(end);
        Mono<List<SecurityRepository.ReasonCount>> reasons = repository.byReason(start, end, window.hourly())
                .collectList();
        Mono<List<SecurityRepository.SourceCount>> ips = repository.topClientIps(start, end).collectList();
        Mono<List<SecurityRepository.SourceCount>> hints = repository.topKeyHints(start, end).collectList();
        Mono<List<LockoutView>> locks = lockouts.current().map(SecurityRoutes::view).collectList()
                .onErrorMap(failure -> Errors.unavailable("Lockouts cannot be read right now. Try again shortly."));
        return Mono.zip(reasons, ips, hints, locks)
                .map(all -> overview(window, start, all.getT1(), all.getT2(), all.getT3(), all.getT4()));
    }

    static Overview overview(UsageWindow window, Instant start, List<SecurityRepository.ReasonCount> rows,
                             List<SecurityRepository.SourceCount> ips, List<SecurityRepository.SourceCount> hints,
                             List<LockoutView> locks) {
        TreeSet<String> reasons = new TreeSet<>();
        Map<Instant, Map<String, Long>> byStart = new LinkedHashMap<>();
        Map<String, Long> totals = new LinkedHashMap<>();
        for (SecurityRepository.ReasonCount row : rows) {
            reasons.add(row.reason());
            byStart.computeIfAbsent(row.start(), s -> new LinkedHashMap<>()).merge(row.reason(), row.count(), Long::sum);
        }
        for (String reason : reasons) {
            totals.put(reason, 0L);
        }
        List<RefusalBucket> buckets = new ArrayList<>(window.buckets());
        for (int i = 0; i < window.buckets(); i++) {
            Instant at = start.plus(window.bucket().multipliedBy(i));
            Map<String, Long> counts = new LinkedHashMap<>();
            Map<String, Long> stored = byStart.getOrDefault(at, Map.of());
            long total = 0;
            for (String reason : reasons) {
                long n = stored.getOrDefault(reason, 0L);
                counts.put(reason, n);
                totals.merge(reason, n, Long::sum);
                total += n;
            }
            buckets.add(new RefusalBucket(at, total, counts));
        }
        return new Overview(window.wire(), window.hourly() ? "hour" : "minute", List.copyOf(reasons), totals, buckets,
                ips.stream().map(s -> new IpCount(s.source(), s.count())).toList(),
                hints.stream().map(s -> new HintCount(s.source(), s.count())).toList(), locks);
    }

    private Mono<ServerResponse> lift(ServerRequest request) {
        String id = request.pathVariable("id");
        return admin(request)
                .flatMap(admin -> lockouts.lift(id)
                        .onErrorMap(failure -> !(failure instanceof io.s4e.gateway.web.GatewayException),
                                failure -> Errors.unavailable("The lockout cannot be lifted right now. Try again "
                                        + "shortly."))
                        .switchIfEmpty(Mono.error(() -> Errors.notFound("No lockout with this id is in force.")))
                        .flatMap(lifted -> Audit.record(AuditEntry.of(AuditEvents.LOCKOUT_LIFTED,
                                        AuditEvents.SUCCESS, userOf(lifted), detail(admin, lifted)))
                                .thenReturn(lifted)))
                .flatMap(lifted -> ServerResponse.ok().bodyValue(Envelope.success(Map.of("lifted", view(lifted)))));
    }

    private Mono<ServerResponse> events(ServerRequest request) {
        return admin(request)
                .flatMap(admin -> ServerResponse.ok().bodyValue(Envelope.success(Map.of("events", AuditEvents.ALL))));
    }

    private static Mono<Principal> admin(ServerRequest request) {
        return AuthenticationFilter.authenticationOf(request.exchange()).requirePrincipal()
                .doOnNext(caller -> caller.requireAdmin("The security overview"));
    }

    /** The user an MFA lock names; null for other kinds. */
    private static Long userOf(Lockouts.Lockout lockout) {
        if (lockout.kind() != Lockouts.Kind.MFA || lockout.label() == null || !lockout.label().startsWith("user ")) {
            return null;
        }
        try {
            return Long.parseLong(lockout.label().substring(5));
        }
        catch (NumberFormatException notAUser) {
            return null;
        }
    }

    private static Map<String, Object> detail(Principal admin, Lockouts.Lockout lockout) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("actor_user_id", admin.userId());
        detail.put("actor_method", admin.method().wire());
        if (admin.keyId() != null) {
            detail.put("actor_key_id", admin.keyId());
        }
        detail.put("kind", lockout.kind().wire());
        if (lockout.label() != null) {
            detail.put("subject", lockout.label());
        }
        return detail;
    }

    private static LockoutView view(Lockouts.Lockout lockout) {
        return new LockoutView(lockout.id(), lockout.kind().wire(), lockout.label(), lockout.until());
    }

    /** The overview. */
    record Overview(String window, String bucket, List<String> reasons, Map<String, Long> totals,
                    List<RefusalBucket> refusals,
                    @JsonProperty("top_client_ips") List<IpCount> topClientIps,
                    @JsonProperty("top_key_hints") List<HintCount> topKeyHints,
                    List<LockoutView> lockouts) {
    }

    /** Refusals in one bucket: in all, and per reason (every reason of the window, zero included). */
    record RefusalBucket(Instant start, long total, Map<String, Long> reasons) {
    }

    /** Refusals of one client IP. */
    record IpCount(@JsonProperty("client_ip") String clientIp, long count) {
    }

    /** Refusals of one key hint. */
    record HintCount(@JsonProperty("key_hint") String keyHint, long count) {
    }

    /** A lockout in force: its id (for lifting), kind, what it names, and when it ends. */
    record LockoutView(String id, String kind, String subject, Instant until) {
    }
}
