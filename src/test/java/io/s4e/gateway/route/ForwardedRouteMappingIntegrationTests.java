package io.s4e.gateway.route;

import java.util.List;
import java.util.Map;

import io.s4e.gateway.support.CountingUpstream;
import io.s4e.gateway.support.EndpointRoutes;
import io.s4e.gateway.support.RawHttp;
import io.s4e.gateway.support.SecondGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.HandlerMapping;

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
        EndpointRoutes.Walk walk = EndpointRoutes.of(gateway.context());

        assertThat(walk.nested()).as("nested routes (their paths are relative)").isEmpty();
        // the console's router function when the console is off cannot be read; it never answers
        assertThat(walk.unreadable()).as("router functions that cannot be read").allMatch("consoleEndpoints"::equals);
        assertThat(walk.resources()).as("static resources: the console's files only").isEqualTo(1);
        assertThat(walk.routes()).allSatisfy(route -> {
            assertThat(route.paths()).as(route.bean() + ": a route without a path matches any path").isNotEmpty();
            assertThat(route.negated() || route.unreadable()).as(route.bean() + ": a predicate that cannot be read")
                    .isFalse();
            assertThat(route.paths()).allSatisfy(pattern ->
                    assertThat(GatewayNamespaces.mayBeServedByTheGateway(literalHead(pattern))).as(pattern).isTrue());
        });
        assertThat(walk.routes()).flatMap(EndpointRoutes.Route::paths).as("the endpoints seen")
                .contains("/api/user/auth/login", "/api/keys", "/console");
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
    void namespaceInAnotherLetterCaseIsRefusedNotForwarded() {
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
}
