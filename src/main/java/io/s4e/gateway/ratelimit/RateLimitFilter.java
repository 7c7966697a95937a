package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.reactive.Ready;
import io.s4e.gateway.route.EndpointLimit;
import io.s4e.gateway.route.Rate;
import io.s4e.gateway.route.RoutePolicy;
import io.s4e.gateway.web.ClientIps;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayAttributes;
import io.s4e.gateway.web.GatewayRouteFilter;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Rate limits of forwarded requests (CONTRACT §7), after the principal step and before scopes and MFA. An authenticated
 * request takes a token from its account's tier bucket (shared by all the account's keys and sessions) and, where
 * the endpoint has one, from the endpoint's bucket of the account, both at once (from this replica's reservation of
 * the two, or in one Redis round trip); a request without
 * a principal (public routes, optional routes without credential) is limited per client IP by the endpoint's limit
 * only. Then a concurrency lease is taken where the endpoint has {@code s4e-max-concurrent}, held until the response
 * ends. A refusal is 429 {@code rate_limited}; limited responses carry the {@code X-RateLimit-*} headers.
 * Gateway-owned endpoints are not forwarded and do not count (login has its own protection).
 */
@Component
public class RateLimitFilter extends GatewayRouteFilter {

    private final RateLimitProperties properties;
    private final EndpointLimits endpointLimits;
    private final AccountTiers tiers;
    private final TokenBuckets buckets;
    private final ConcurrencyLeases leases;
    private final RateLimitKeys keys;
    private final ClientIps clientIps;
    private final Clock clock;

    public RateLimitFilter(RateLimitProperties properties, EndpointLimits endpointLimits, AccountTiers tiers,
                           TokenBuckets buckets, ConcurrencyLeases leases, RateLimitKeys keys, ClientIps clientIps,
                           Clock clock) {
        this.properties = properties;
        this.endpointLimits = endpointLimits;
        this.tiers = tiers;
        this.buckets = buckets;
        this.leases = leases;
        this.keys = keys;
        this.clientIps = clientIps;
        this.clock = clock;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (!properties.enabled()) {
            return chain.filter(exchange);
        }
        RoutePolicy policy = exchange.getAttribute(GatewayAttributes.ROUTE_POLICY);
        if (policy == null) {
            return chain.filter(exchange); // the principal step refused it already (404 or 500)
        }
        EndpointLimit limit = endpointLimits.of(policy, exchange.getRequest());
        // the principal step resolved the caller: present when the route needs or accepts one and it was given
        Principal principal = exchange.getAttribute(GatewayAttributes.PRINCIPAL);
        if (principal == null) {
            return limit.isNone() ? chain.filter(exchange) : limited(exchange, chain, null, limit);
        }
        Mono<Void> decided = decidedNow(exchange, chain, principal, limit);
        return decided != null ? decided : limited(exchange, chain, principal, limit);
    }

    /**
     * The decision for a principal already known (a cached credential) when it needs no round trip: the account's
     * tier is cached and its token comes from this replica's reservation. Null when Redis must be asked.
     */
    private Mono<Void> decidedNow(ServerWebExchange exchange, GatewayFilterChain chain, Principal principal,
                                  EndpointLimit limit) {
        String tier = tiers.cachedTierOf(principal.userId());
        if (tier == null) {
            return null;
        }
        String subject = RateLimitKeys.account(principal.userId());
        List<Bucket> list = new ArrayList<>(2);
        list.add(Bucket.ofTier(keys.tier(principal.userId()), properties.tier(tier)));
        list.addAll(endpointBuckets(subject, limit));
        Mono<Decision> taken = buckets.take(list);
        if (!Ready.isReady(taken)) {
            return taken.flatMap(decision -> proceed(exchange, chain, subject, limit, Optional.of(decision)));
        }
        try {
            return proceed(exchange, chain, subject, limit, Optional.of(Ready.outcome(taken)));
        }
        catch (RuntimeException failure) {
            return Mono.error(failure);
        }
    }

    private Mono<Void> limited(ServerWebExchange exchange, GatewayFilterChain chain, Principal principal,
                               EndpointLimit limit) {
        String subject = principal != null ? RateLimitKeys.account(principal.userId())
                : RateLimitKeys.clientIp(clientIps.of(exchange));
        Mono<List<Bucket>> wanted = principal == null
                ? Mono.just(endpointBuckets(subject, limit))
                : tiers.tierOf(principal.userId()).map(tier -> {
                    List<Bucket> list = new ArrayList<>(2);
                    list.add(Bucket.ofTier(keys.tier(principal.userId()), properties.tier(tier)));
                    list.addAll(endpointBuckets(subject, limit));
                    return list;
                });
        return wanted
                .flatMap(list -> list.isEmpty() ? Mono.just(Optional.<Decision>empty())
                        : buckets.take(list).map(Optional::of))
                .flatMap(decision -> proceed(exchange, chain, subject, limit, decision));
    }

    private Mono<Void> proceed(ServerWebExchange exchange, GatewayFilterChain chain, String subject,
                               EndpointLimit limit, Optional<Decision> decision) {
        decision.ifPresent(d -> RateLimitHeaders.set(exchange, d));
        if (decision.isPresent() && !decision.get().allowed()) {
            return Mono.error(refusal(decision.get().retryAfterSeconds()));
        }
        if (limit.maxConcurrent() == null) {
            return chain.filter(exchange);
        }
        return withLease(exchange, chain, subject, limit, decision.isEmpty());
    }

    private List<Bucket> endpointBuckets(String subject, EndpointLimit limit) {
        return limit.rate() == null ? List.of()
                : List.of(Bucket.of(keys.endpoint(subject, limit.id()), limit.rate(), LimitKind.ENDPOINT));
    }

    private Mono<Void> withLease(ServerWebExchange exchange, GatewayFilterChain chain, String subject,
                                 EndpointLimit limit, boolean headersFromLease) {
        return leases.acquire(keys.leases(subject, limit.id()), limit.maxConcurrent())
                .flatMap(lease -> {
                    long now = clock.millis() / 1000;
                    if (!lease.granted()) {
                        RateLimitHeaders.set(exchange, lease.limit(), 0, now + lease.retryAfterSeconds());
                        return Mono.error(Errors.rateLimited("Too many concurrent requests to this endpoint. "
                                + "Close one and try again.", lease.retryAfterSeconds()));
                    }
                    if (headersFromLease) {
                        RateLimitHeaders.set(exchange, lease.limit(), lease.remaining(), now);
                    }
                    return chain.filter(exchange).doFinally(signal -> lease.release());
                });
    }

    private static Throwable refusal(int retryAfter) {
        return Errors.rateLimited("Rate limit exceeded. Try again in " + retryAfter + " seconds.", retryAfter);
    }

    @Override
    public int getOrder() {
        return FilterOrder.RATE_LIMIT;
    }
}
