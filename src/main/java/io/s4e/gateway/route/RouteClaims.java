package io.s4e.gateway.route;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayRouteFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.context.event.EventListener;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * What a forwarded request may reach, decided on its canonical path before anything else of the route runs
 * (docs/request-paths.md):
 * <ul>
 * <li>a path in a {@linkplain GatewayNamespaces gateway-owned namespace} is never forwarded: a route that matched it
 * (a catch-all, say) is answered with the 404 envelope;</li>
 * <li>a path that matches a route's {@code Path} pattern only when letter case is ignored ({@code /api/ASSETS/1}
 * for {@code /api/assets/**}) is answered 404 too, instead of falling through to a later, less protected route.</li>
 * </ul>
 * Route paths are read when routes load. At start, a route whose {@code Path} lies inside a gateway-owned namespace
 * stops the gateway with a message naming it; a route whose pattern merely covers one ({@code /**}) is logged once.
 * Both checks cost nothing per request beyond a few character comparisons unless the path has upper-case letters
 * (or a route pattern does).
 */
@Component
public class RouteClaims extends GatewayRouteFilter implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(RouteClaims.class);

    private static final String NOT_FOUND = "No route matches this path.";
    private static final PathPatternParser EXACT = new PathPatternParser();
    private static final PathPatternParser IGNORING_CASE = new PathPatternParser();
    private static final List<PathContainer> PROBES = new ArrayList<>();

    static {
        IGNORING_CASE.setCaseSensitive(false);
        for (String root : GatewayNamespaces.ROOTS) {
            PROBES.add(PathContainer.parsePath(root));
            PROBES.add(PathContainer.parsePath(root + "/x"));
        }
    }

    private final RouteDefinitionLocator definitions;
    private final Set<String> reported = new HashSet<>();
    private volatile Patterns patterns = new Patterns(new Pattern[0], false);

    /** One route path pattern, parsed as Spring Cloud Gateway matches it and ignoring case. */
    private record Pattern(PathPattern exact, PathPattern ignoringCase) {
    }

    /**
     * @param all           every route path pattern
     * @param anyNotLower   true when a pattern has an upper-case or non-ASCII character: then every path is checked
     */
    private record Patterns(Pattern[] all, boolean anyNotLower) {
    }

    public RouteClaims(RouteDefinitionLocator definitions) {
        this.definitions = definitions;
    }

    @Override
    public void afterSingletonsInstantiated() {
        install(definitions.getRouteDefinitions().toStream().toList(), true);
    }

    /** Reads the route paths again after routes were reloaded. */
    @EventListener
    public void onRoutesRefreshed(RefreshRoutesResultEvent event) {
        definitions.getRouteDefinitions().collectList().subscribe(loaded -> install(loaded, false),
                failure -> log.error("Route paths could not be read after a refresh: {}", failure.toString()));
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (GatewayNamespaces.owns(path)) {
            return Mono.error(Errors.notFound(NOT_FOUND));
        }
        Patterns current = patterns;
        if (current.anyNotLower() || hasUpperCase(path)) {
            PathContainer container = exchange.getRequest().getPath().pathWithinApplication();
            for (Pattern pattern : current.all()) {
                if (pattern.ignoringCase().matches(container) && !pattern.exact().matches(container)) {
                    return Mono.error(Errors.notFound(NOT_FOUND));
                }
            }
        }
        return chain.filter(exchange);
    }

    /** Upper-case ASCII letters outside percent-escapes (whose hex digits are upper case in a canonical path). */
    private static boolean hasUpperCase(String path) {
        int length = path.length();
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c == '%') {
                i += 2;
            }
            else if (c >= 'A' && c <= 'Z') {
                return true;
            }
        }
        return false;
    }

    private synchronized void install(List<RouteDefinition> loaded, boolean starting) {
        List<Pattern> all = new ArrayList<>();
        boolean anyNotLower = false;
        for (RouteDefinition definition : loaded) {
            for (String text : pathPatterns(definition)) {
                PathPattern ignoringCase;
                PathPattern exact;
                try {
                    ignoringCase = IGNORING_CASE.parse(text);
                    exact = EXACT.parse(text);
                }
                catch (PatternParseException invalid) {
                    continue; // Spring Cloud Gateway refuses the route itself
                }
                checkNamespaces(definition.getId(), text, ignoringCase, starting);
                all.add(new Pattern(exact, ignoringCase));
                anyNotLower |= !isLowerAscii(text);
            }
        }
        patterns = new Patterns(all.toArray(new Pattern[0]), anyNotLower);
    }

    private void checkNamespaces(String routeId, String pattern, PathPattern ignoringCase, boolean starting) {
        if (GatewayNamespaces.owns(literalHead(pattern))) {
            String message = "Route '" + routeId + "' has Path " + pattern + " inside a gateway-owned namespace "
                    + GatewayNamespaces.ROOTS + "; the gateway answers these paths itself and never forwards them";
            if (starting) {
                throw new IllegalStateException(message);
            }
            if (reported.add(routeId + " " + pattern)) {
                log.error("{}: requests there are answered 404", message);
            }
            return;
        }
        for (PathContainer probe : PROBES) {
            if (ignoringCase.matches(probe)) {
                if (reported.add(routeId + " " + pattern)) {
                    log.warn("Route '{}' has Path {}, which covers gateway-owned namespaces {}: requests there are "
                            + "answered by the gateway (404 when unknown), never forwarded", routeId, pattern,
                            GatewayNamespaces.ROOTS);
                }
                return;
            }
        }
    }

    /** The pattern up to its first segment with a wildcard or variable: {@code /api/user} of {@code /api/user/**}. */
    static String literalHead(String pattern) {
        StringBuilder head = new StringBuilder();
        for (String segment : pattern.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.indexOf('*') >= 0 || segment.indexOf('{') >= 0 || segment.indexOf('?') >= 0) {
                break;
            }
            head.append('/').append(segment);
        }
        return head.isEmpty() ? "/" : head.toString();
    }

    /** The patterns of a route's {@code Path} predicates ({@code Path=/a/**,/b} or {@code args: {patterns: …}}). */
    static List<String> pathPatterns(RouteDefinition definition) {
        List<String> patterns = new ArrayList<>();
        for (PredicateDefinition predicate : definition.getPredicates()) {
            if (!"Path".equalsIgnoreCase(predicate.getName())) {
                continue;
            }
            for (Map.Entry<String, String> arg : predicate.getArgs().entrySet()) {
                if (arg.getKey().toLowerCase(Locale.ROOT).contains("trailingslash") || arg.getValue() == null) {
                    continue;
                }
                for (String pattern : arg.getValue().split(",")) {
                    if (!pattern.isBlank()) {
                        patterns.add(pattern.trim());
                    }
                }
            }
        }
        return patterns;
    }

    private static boolean isLowerAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 'A' && c <= 'Z') || c > 0x7F) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int getOrder() {
        return FilterOrder.ROUTE_CLAIMS;
    }
}
