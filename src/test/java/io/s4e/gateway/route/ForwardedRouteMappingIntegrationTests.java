package io.s4e.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.s4e.gateway.support.CountingUpstream;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;

import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ForwardedRouteMapping} asks the configured routes first only where none of the gateway's own endpoints
 * can answer, so a route that claims every path ({@code Path=/**}) still leaves the gateway's endpoints and the
 * console to the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardedRouteMappingIntegrationTests {

    private CountingUpstream upstream;
    private SecondGateway gateway;
    private RawHttp http;

    @BeforeAll
    void start() {
        upstream = CountingUpstream.start();
        String route = "spring.cloud.gateway.server.webflux.routes[0].";
        gateway = SecondGateway.start(Map.of(route + "id", "everything",
                route + "uri", upstream.url(),
                route + "predicates[0]", "Path=/**",
                route + "metadata.s4e-auth", "none"));
        http = new RawHttp(gateway.port());
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void everyEndpointOfTheGatewayLiesWhereTheConfiguredRoutesAreNotAskedFirst() {
        List<String> paths = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int[] resources = {0};
        gateway.context().getBeansOfType(RouterFunction.class).forEach((name, function) ->
                function.accept(new Endpoints(name, paths, problems, resources)));

        assertThat(problems).isEmpty();
        assertThat(paths).as("the endpoints seen").contains("/api/user/auth/login", "/api/keys", "/console");
        assertThat(paths).allSatisfy(pattern -> assertThat(GatewayNamespaces.mayBeServedByTheGateway(literalHead(pattern)))
                .as(pattern).isTrue());
        assertThat(resources[0]).as("static resources: the console's files only").isEqualTo(1);
    }

    @Test
    void theMappingComesBeforeEveryOther() {
        List<HandlerMapping> mappings = gateway.context().getBean(DispatcherHandler.class).getHandlerMappings();
        assertThat(mappings).isNotEmpty();
        assertThat(mappings.get(0)).isInstanceOf(ForwardedRouteMapping.class);
    }

    @Test
    void pathWhenARouteClaimsEverythingThenGatewayEndpointsAndConsoleStayWithTheGateway() {
        RawHttp.Response me = http.get("/api/user/me");
        assertThat(me.status()).isEqualTo(401);
        assertThat(me.json().path("error").path("code").asString()).isEqualTo("unauthorized");

        RawHttp.Response console = http.get("/console/");
        assertThat(console.status()).isEqualTo(200);
        assertThat(console.header("Content-Type")).startsWith("text/html");

        RawHttp.Response elsewhere = http.get("/scans/1");
        assertThat(elsewhere.status()).isEqualTo(200);
        assertThat(elsewhere.body()).isEqualTo("{\"ok\":true}");

        assertThat(upstream.heads("/api/user/me")).isZero();
        assertThat(upstream.heads("/console/")).isZero();
        assertThat(upstream.heads("/scans/1")).isEqualTo(1);
    }

    @Test
    void pathWhenNoRouteMatchesThenTheGatewaysOwnAnswer() {
        // the gateway's namespaces in another letter case: not an endpoint and refused to the routes (RouteClaims)
        RawHttp.Response upper = http.get("/API/USER/me");
        assertThat(upper.status()).isEqualTo(404);
        assertThat(upstream.heads("/API/USER/me")).isZero();
    }

    /** The part of a path pattern before its first variable or wildcard. */
    private static String literalHead(String pattern) {
        int cut = pattern.length();
        for (char c : new char[] {'{', '*', '?'}) {
            int at = pattern.indexOf(c);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        String head = pattern.substring(0, cut);
        return head.length() > 1 && head.endsWith("/") ? head.substring(0, head.length() - 1) : head;
    }

    /** Collects every endpoint's path patterns; a route or predicate it cannot read is a problem. */
    private static final class Endpoints implements RouterFunctions.Visitor, RequestPredicates.Visitor {

        private final String bean;
        private final List<String> paths;
        private final List<String> problems;
        private final int[] resources;
        private int pathsInRoute;

        Endpoints(String bean, List<String> paths, List<String> problems, int[] resources) {
            this.bean = bean;
            this.paths = paths;
            this.problems = problems;
            this.resources = resources;
        }

        @Override
        public void startNested(RequestPredicate predicate) {
            problems.add(bean + ": a nested route (its paths are relative)");
        }

        @Override
        public void endNested(RequestPredicate predicate) {
        }

        @Override
        public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
            pathsInRoute = 0;
            predicate.accept(this);
            if (pathsInRoute == 0) {
                problems.add(bean + ": a route without a path: " + predicate);
            }
        }

        @Override
        public void resources(Function<ServerRequest, Mono<Resource>> lookup) {
            resources[0]++;
        }

        @Override
        public void attributes(Map<String, Object> attributes) {
        }

        @Override
        public void unknown(RouterFunction<?> function) {
            if (!bean.equals("consoleEndpoints")) { // the console's when it is off: it never answers
                problems.add(bean + ": a router function that cannot be read: " + function);
            }
        }

        @Override
        public void method(Set<HttpMethod> methods) {
        }

        @Override
        public void path(String pattern) {
            pathsInRoute++;
            paths.add(pattern);
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
        public void startOr() {
        }

        @Override
        public void or() {
        }

        @Override
        public void endOr() {
        }

        @Override
        public void startNegate() {
            problems.add(bean + ": a negated predicate");
        }

        @Override
        public void endNegate() {
        }

        @Override
        public void unknown(RequestPredicate predicate) {
            problems.add(bean + ": a predicate that cannot be read: " + predicate);
        }
    }
}
