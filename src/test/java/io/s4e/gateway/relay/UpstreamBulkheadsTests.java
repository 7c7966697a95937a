package io.s4e.gateway.relay;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.s4e.gateway.connection.ConnectionProperties;
import io.s4e.gateway.route.EndpointLimit;
import io.s4e.gateway.route.RoutePolicy;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.gateway.route.Route;

import static org.assertj.core.api.Assertions.assertThat;

class UpstreamBulkheadsTests {

    @Test
    void limitOfWhenNoMetadataThenDefault() {
        assertThat(UpstreamBulkheads.limitOf(RoutePolicy.parse("r", Map.of()), 512)).isEqualTo(512);
        assertThat(UpstreamBulkheads.limitOf(RoutePolicy.parse("r", null), 512)).isEqualTo(512);
        assertThat(UpstreamBulkheads.limitOf(RoutePolicy.parse("r", Map.of("s4e-auth", "none")), 512))
                .isEqualTo(512);
    }

    @Test
    void limitOfWhenNumberOrTextThenThatLimit() {
        assertThat(UpstreamBulkheads.limitOf(RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", 3)), 512))
                .isEqualTo(3);
        assertThat(UpstreamBulkheads.limitOf(
                RoutePolicy.parse("r", Map.of("s4e-max-upstream-concurrent", " 40 ")), 512)).isEqualTo(40);
    }

    @Test
    void ofWhenTheRouteSetsALimitThenItsBulkheadHoldsThatManyAndNoMore() {
        UpstreamBulkheads bulkheads = bulkheads();
        UpstreamBulkheads.Limited limited = bulkheads.of(route("r"), policy(2));

        assertThat(limited.limit()).isEqualTo(2);
        assertThat(limited.bulkhead().tryAcquirePermission()).isTrue();
        assertThat(limited.bulkhead().tryAcquirePermission()).isTrue();
        assertThat(limited.bulkhead().tryAcquirePermission()).isFalse();
    }

    @Test
    void ofWhenTheRouteSetsNoLimitThenTheServerDefault() {
        assertThat(bulkheads().of(route("r"), RoutePolicy.DEFAULT).limit()).isEqualTo(7);
    }

    @Test
    void ofWhenARefreshedRouteKeepsItsLimitThenItKeepsItsBulkheadAndOtherwiseGetsANewOne() {
        UpstreamBulkheads bulkheads = bulkheads();
        UpstreamBulkheads.Limited first = bulkheads.of(route("r"), policy(2));

        UpstreamBulkheads.Limited sameLimit = bulkheads.of(route("r"), policy(2));
        UpstreamBulkheads.Limited newLimit = bulkheads.of(route("r"), policy(3));

        assertThat(sameLimit.bulkhead()).isSameAs(first.bulkhead());
        assertThat(newLimit.bulkhead()).isNotSameAs(first.bulkhead());
        assertThat(newLimit.limit()).isEqualTo(3);
    }

    private static UpstreamBulkheads bulkheads() {
        ConnectionProperties properties = new ConnectionProperties(null, null, null, null, null, 7, null, null);
        return new UpstreamBulkheads(new SimpleMeterRegistry(), properties);
    }

    private static RoutePolicy policy(int maxUpstreamConcurrent) {
        return new RoutePolicy(RoutePolicy.AuthMode.REQUIRED, List.of(), false, EndpointLimit.NONE,
                maxUpstreamConcurrent);
    }

    private static Route route(String id) {
        return Route.async().id(id).uri(URI.create("http://upstream.test")).predicate(exchange -> true).build();
    }
}
