package io.s4e.gateway.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.principal.Authentication;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.PathNormalizer;
import io.s4e.gateway.web.RefusalListener;
import io.s4e.gateway.web.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The one place that records audit events: it completes an {@link AuditEntry} with the request's facts (request id,
 * client IP, method, normalised path, truncated user agent), writes it as one JSON line on the logger
 * {@code s4e.audit}, and hands it to the {@link AuditWriter}'s queue. It never blocks, never throws into the
 * request, and takes no secret: an API key appears only as its display hint, and the query string never.
 */
@Component
public class AuditLog implements SmartLifecycle, RefusalListener {

    /** The logger of the structured event lines, for a log shipper to forward to a SIEM. */
    public static final String LOGGER = "s4e.audit";

    private static final Logger events = LoggerFactory.getLogger(LOGGER);
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final int MAX_PATH = 1024;

    private final AuditWriter writer;
    private final ClientIps clientIps;
    private final Clock clock;
    private final boolean enabled;
    private final int userAgentMaxLength;
    private final RefusalAggregates refusals;
    private volatile boolean running;

    @Autowired
    public AuditLog(AuditWriter writer, ClientIps clientIps, AuditProperties properties, Clock clock,
                    MeterRegistry meters) {
        this.writer = writer;
        this.clientIps = clientIps;
        this.clock = clock;
        this.enabled = properties.enabled();
        this.userAgentMaxLength = properties.userAgentMaxLength();
        this.refusals = new RefusalAggregates(properties.refusalWindow(), properties.refusalMaxOpen(), clock, meters,
                this::aggregateClosed);
    }

    /** An audit log on {@code writer}, with its meters in a registry of its own. */
    public AuditLog(AuditWriter writer, ClientIps clientIps, AuditProperties properties, Clock clock) {
        this(writer, clientIps, properties, clock, new SimpleMeterRegistry());
    }

    private AuditLog() {
        this.writer = null;
        this.clientIps = null;
        this.clock = null;
        this.enabled = false;
        this.userAgentMaxLength = 0;
        this.refusals = null;
    }

    /** An audit log that records nothing (as with {@code s4e.audit.enabled: false}). */
    public static AuditLog disabled() {
        return new AuditLog();
    }

    /** True when events are recorded. */
    public boolean enabled() {
        return enabled;
    }

    /** Records {@code entry} for {@code exchange} (null outside a request). Never throws. */
    public void record(ServerWebExchange exchange, AuditEntry entry) {
        if (!enabled) {
            return;
        }
        try {
            write(complete(exchange, entry));
        }
        catch (RuntimeException bug) {
            log.error("Could not record the audit event {}", entry.event(), bug);
        }
    }

    private void write(AuditEvent event) {
        if (events.isInfoEnabled()) {
            events.info(event.toJson());
        }
        writer.offer(event);
    }

    /** A refusal aggregate closed with more than one refusal: its final line, and the update of its row. */
    private void aggregateClosed(AuditEvent event) {
        try {
            write(event);
        }
        catch (RuntimeException bug) {
            log.error("Could not record the audit event {}", event.event(), bug);
        }
    }

    /**
     * Records {@code request.refused} for a request answered {@code status} with envelope code {@code code}, naming
     * the principal when one was resolved, or else the display hint of a presented API key. Refusals are aggregated
     * per source and {@code s4e.audit.refusal-window} ({@link RefusalAggregates}): only the first of a window makes
     * an event, a log line and a row; the others are counted in it.
     */
    @Override
    public void refused(ServerWebExchange exchange, int status, String code) {
        if (!enabled) {
            return;
        }
        try {
            refusal(exchange, status, code);
        }
        catch (RuntimeException bug) {
            log.error("Could not record the audit event {}", AuditEvents.REQUEST_REFUSED, bug);
        }
    }

    private void refusal(ServerWebExchange exchange, int status, String code) {
        Principal principal = exchange.getAttribute(GatewayAttributes.PRINCIPAL);
        if (principal == null && status == 403) {
            principal = resolvedPrincipal(exchange);
        }
        Long userId = null;
        String keyId = null;
        if (principal != null) {
            userId = principal.userId();
            keyId = principal.keyId();
        }
        String keyHint = presentedKeyHint(exchange);
        String path = normalisedPath(exchange.getRequest().getPath().value());
        RefusalAggregates.Source source = new RefusalAggregates.Source(clientIps.of(exchange), status, code, userId,
                keyId, keyHint, path);
        if (refusals.add(source)) {
            return;
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("status", status);
        detail.put("code", code);
        AuditEvent event = complete(exchange, new AuditEntry(AuditEvents.REQUEST_REFUSED, AuditEvents.REFUSED, userId,
                keyId, keyHint, detail));
        if (refusals.open(source, event)) {
            write(event);
        }
    }

    @Override
    public void start() {
        running = true;
        if (enabled) {
            refusals.start();
        }
    }

    /** Closes every open refusal aggregate, so that the writer, which stops next, writes their counts. */
    @Override
    public void stop() {
        if (enabled) {
            refusals.stop();
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // after the web server has finished its requests, just before the writer drains its queue
        return AuditWriter.PHASE + 1;
    }

    /** The display hint ({@code s4e_live_abcd…wxyz}) of {@code prefix} and {@code last4}. */
    public static String keyHint(String prefix, String last4) {
        return prefix + "…" + last4;
    }

    /** The display hint of a well-formed API key; null for anything else. */
    public static String keyHintOf(String apiKey) {
        return ApiKeyFormat.isWellFormed(apiKey) ? keyHint(ApiKeyFormat.displayPrefix(apiKey), ApiKeyFormat.last4(apiKey))
                : null;
    }

    /**
     * The principal of a 403's credential, which is always resolved by then (its cached result is read at once);
     * never starts a resolution.
     */
    private static Principal resolvedPrincipal(ServerWebExchange exchange) {
        Authentication authentication = exchange.getAttribute(GatewayAttributes.AUTHENTICATION);
        if (authentication == null || authentication.credential().isEmpty()) {
            return null;
        }
        CompletableFuture<Principal> resolved = authentication.principal().toFuture();
        if (!resolved.isDone()) {
            resolved.cancel(true);
            return null;
        }
        return resolved.isCompletedExceptionally() ? null : resolved.getNow(null);
    }

    private static String presentedKeyHint(ServerWebExchange exchange) {
        Authentication authentication = exchange.getAttribute(GatewayAttributes.AUTHENTICATION);
        if (authentication == null) {
            return null;
        }
        Credential credential = authentication.credential().orElse(null);
        if (credential == null || credential.kind() != Credential.Kind.API_KEY) {
            return null;
        }
        return keyHintOf(credential.value());
    }

    private AuditEvent complete(ServerWebExchange exchange, AuditEntry entry) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String requestId = null;
        String clientIp = null;
        String userAgent = null;
        String method = null;
        String path = null;
        if (exchange != null) {
            requestId = RequestIds.of(exchange);
            clientIp = clientIps.of(exchange);
            userAgent = truncate(exchange.getRequest().getHeaders().getFirst(HttpHeaders.USER_AGENT),
                    userAgentMaxLength);
            method = exchange.getRequest().getMethod().name();
            path = normalisedPath(exchange.getRequest().getPath().value());
        }
        return new AuditEvent(uuidV7(now), now, entry.event(), entry.outcome(), entry.userId(), entry.keyId(),
                entry.keyHint(), clientIp, userAgent, requestId, method, path, entry.detail());
    }

    private static String normalisedPath(String rawPath) {
        String path;
        try {
            path = PathNormalizer.normalize(rawPath);
        }
        catch (IllegalArgumentException refused) {
            path = rawPath;
        }
        return truncate(path, MAX_PATH);
    }

    private static String truncate(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        return value.substring(0, max);
    }

    /** A version 7 UUID: 48 bits of Unix milliseconds, then random bits; ids of one table stay index-friendly. */
    static UUID uuidV7(Instant time) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long most = (time.toEpochMilli() << 16) | 0x7000L | (random.nextLong() & 0x0fffL);
        long least = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(most, least);
    }
}
