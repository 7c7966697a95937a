package io.s4e.gateway.route;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;

/**
 * Reloads the routes when the configuration file they came from changes (a mounted ConfigMap), without a restart.
 * <p>
 * The file's content hash is compared every second on a bounded-elastic thread (a ConfigMap update swaps a
 * {@code ..data} symlink, which a content hash sees and a directory watch on the file would not). A changed file is
 * read whole and every route checked; if any is invalid, nothing changes: the old routes stay, the error is logged
 * and {@code s4e.routes.reload{result="refused"}} counted. Valid routes replace the old ones in one step: Spring Cloud
 * Gateway's route cache swaps its whole list on the {@link RefreshRoutesEvent}, and each route's policy and limits
 * are parsed from the route object a request matched, so no request sees half of a change. Should the gateway still
 * fail to build a route, the cache keeps the old list and the previous definitions are put back.
 */
@Component
public class RoutesReloader implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RoutesReloader.class);

    /** How often the file is compared. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final RoutesFile file;
    private final GatewayProperties gateway;
    private final ApplicationEventPublisher events;
    private final Set<String> predicates;
    private final Set<String> filters;
    private final List<RouteMetadataCheck> checks;
    private final Counter applied;
    private final Counter refused;
    private final AtomicReference<Pending> pending = new AtomicReference<>();

    private volatile String appliedHash;
    private volatile String refusedHash;
    private volatile Disposable polling;

    /** A change handed to the route cache, waiting for its result. */
    private record Pending(String hash, List<RouteDefinition> previous, int routes, long since) {
    }

    /** How long a change may wait for the route cache's answer before it is given up (and compared again). */
    private static final long PENDING_NANOS = Duration.ofSeconds(30).toNanos();

    public RoutesReloader(ConfigurableEnvironment environment, GatewayProperties gateway, ApplicationEventPublisher events,
            List<RoutePredicateFactory<?>> predicates, List<GatewayFilterFactory<?>> filters,
            List<RouteMetadataCheck> checks, MeterRegistry meters) {
        this.file = RoutesFile.of(environment);
        this.gateway = gateway;
        this.events = events;
        this.predicates = predicates.stream().map(RoutePredicateFactory::name).collect(Collectors.toUnmodifiableSet());
        this.filters = filters.stream().map(GatewayFilterFactory::name).collect(Collectors.toUnmodifiableSet());
        this.checks = List.copyOf(checks);
        this.applied = Counter.builder("s4e.routes.reload").description("Changes of the routes file, applied or refused")
                .tag("result", "applied").register(meters);
        this.refused = Counter.builder("s4e.routes.reload").description("Changes of the routes file, applied or refused")
                .tag("result", "refused").register(meters);
    }

    @Override
    public void start() {
        if (file.files().isEmpty()) {
            return;
        }
        try {
            appliedHash = file.read().hash();
        }
        catch (IOException unreadable) {
            log.warn("Routes file {} cannot be read; it is compared again every {} s", file.files(), INTERVAL.toSeconds());
        }
        log.info("Routes are reloaded when {} changes", file.files());
        polling = Flux.interval(INTERVAL, INTERVAL, Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(tick -> Mono.fromRunnable(this::check), 1)
                .subscribe();
    }

    /** Compares the file once and applies a change; never throws (the next tick compares again). */
    void check() {
        RoutesFile.Snapshot snapshot;
        try {
            snapshot = file.read();
        }
        catch (IOException | RuntimeException unreadable) {
            log.warn("Routes file {} cannot be read: {}", file.files(), unreadable.getMessage());
            return;
        }
        Pending waiting = pending.get();
        if (waiting != null && System.nanoTime() - waiting.since() > PENDING_NANOS && pending.compareAndSet(waiting, null)) {
            log.warn("Routes reload: no answer from the route cache; the file is compared again");
        }
        if (snapshot.hash().equals(appliedHash) || snapshot.hash().equals(refusedHash) || pending.get() != null) {
            return;
        }
        List<RouteDefinition> routes;
        try {
            routes = file.routes(snapshot, predicates, filters, checks);
        }
        catch (IllegalArgumentException invalid) {
            refuse(snapshot.hash(), invalid.getMessage());
            return;
        }
        apply(snapshot.hash(), routes);
    }

    private void apply(String hash, List<RouteDefinition> routes) {
        pending.set(new Pending(hash, List.copyOf(gateway.getRoutes()), routes.size(), System.nanoTime()));
        gateway.setRoutes(routes);
        events.publishEvent(new RefreshRoutesEvent(this));
    }

    /** The route cache's answer to a refresh this class asked for. */
    @EventListener
    public void onRoutesRefreshed(RefreshRoutesResultEvent result) {
        Pending change = pending.getAndSet(null);
        if (change == null) {
            return;
        }
        if (result.isSuccess()) {
            appliedHash = change.hash();
            refusedHash = null;
            applied.increment();
            log.info("Routes reloaded: {} routes now apply", change.routes());
        }
        else {
            gateway.setRoutes(change.previous());
            Throwable error = result.getThrowable();
            refuse(change.hash(), error == null ? "the routes could not be built" : String.valueOf(error.getMessage()));
        }
    }

    private void refuse(String hash, String reason) {
        refusedHash = hash;
        refused.increment();
        log.error("Routes file {} changed but was refused, the previous routes still apply: {}", file.files(), reason);
    }

    @Override
    public void stop() {
        Disposable running = polling;
        if (running != null) {
            running.dispose();
            polling = null;
        }
    }

    @Override
    public boolean isRunning() {
        return polling != null && !polling.isDisposed();
    }
}
