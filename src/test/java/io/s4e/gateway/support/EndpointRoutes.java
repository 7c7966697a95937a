package io.s4e.gateway.support;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;

/** What the gateway's endpoints (its {@link RouterFunction} beans) say of themselves, read with Spring's visitors. */
public final class EndpointRoutes {

    /**
     * One route of a router function bean.
     *
     * @param unreadable a predicate the visitor could not read (a custom one)
     */
    public record Route(String bean, Set<HttpMethod> methods, List<String> paths, boolean or, boolean negated,
                        boolean unreadable) {
    }

    /**
     * Every route, and what is not a plain route: nested routes (bean names), router functions that cannot be read
     * (bean names) and static resource lookups.
     */
    public record Walk(List<Route> routes, List<String> nested, List<String> unreadable, int resources) {
    }

    private EndpointRoutes() {
    }

    public static Walk of(ApplicationContext context) {
        List<Route> routes = new ArrayList<>();
        List<String> nested = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        int[] resources = {0};
        context.getBeansOfType(RouterFunction.class).forEach((bean, function) ->
                function.accept(new RouterFunctions.Visitor() {
                    @Override
                    public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
                        Predicate read = new Predicate();
                        predicate.accept(read);
                        routes.add(new Route(bean, read.methods, read.paths, read.or, read.negated, read.unknown));
                    }

                    @Override
                    public void startNested(RequestPredicate predicate) {
                        nested.add(bean);
                    }

                    @Override
                    public void endNested(RequestPredicate predicate) {
                    }

                    @Override
                    public void resources(Function<ServerRequest, Mono<Resource>> lookup) {
                        resources[0]++;
                    }

                    @Override
                    public void attributes(Map<String, Object> attributes) {
                    }

                    @Override
                    public void unknown(RouterFunction<?> routerFunction) {
                        unreadable.add(bean);
                    }
                }));
        return new Walk(routes, nested, unreadable, resources[0]);
    }

    private static final class Predicate implements RequestPredicates.Visitor {
        final Set<HttpMethod> methods = new LinkedHashSet<>();
        final List<String> paths = new ArrayList<>();
        boolean or;
        boolean negated;
        boolean unknown;

        @Override
        public void method(Set<HttpMethod> m) {
            methods.addAll(m);
        }

        @Override
        public void path(String pattern) {
            paths.add(pattern);
        }

        @Override
        public void startOr() {
            or = true;
        }

        @Override
        public void startNegate() {
            negated = true;
        }

        @Override
        public void unknown(RequestPredicate predicate) {
            unknown = true;
        }

        @Override
        public void pathExtension(String extension) {
        }

        @Override
        public void header(String name, String value) {
        }

        @Override
        public void queryParam(String name, String value) {
        }

        @Override
        public void version(String version) {
        }

        @Override
        public void startAnd() {
        }

        @Override
        public void and() {
        }

        @Override
        public void endAnd() {
        }

        @Override
        public void or() {
        }

        @Override
        public void endOr() {
        }

        @Override
        public void endNegate() {
        }
    }
}
