package io.s4e.gateway.web;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.s4e.gateway.config.FilterOrder;
import io.s4e.gateway.relay.UpstreamConnectionFilter;
import io.s4e.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.OrderUtils;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's steps run as one web filter and one global filter, and nothing of Spring's own falls between the
 * steps: every other web filter orders after the last web step, and every other global filter orders before the
 * first route step or from the response writer on. A library or a new filter that orders inside a runner's range
 * would run somewhere else than its order says, and fails here.
 */
@GatewayIntegrationTest
class FilterStepsIntegrationTests {

    @Autowired
    ApplicationContext context;

    @Test
    void theWebStepsAreTheGatewaysAndNothingOrdersBetweenThem() {
        GatewayWebFilters runner = context.getBean(GatewayWebFilters.class);
        List<GatewayWebFilter> steps = runner.steps();
        assertThat(steps).extracting(step -> step.getClass().getSimpleName()).containsExactly(
                "PathNormalizationFilter", "AuditContextFilter", "Filter", "AfterResponse", "ConsoleHeaders",
                "AuthenticationFilter", "SameOriginFilter", "RefusedKeyGuard", "LoginOutcomeMetrics");
        assertThat(steps).extracting(GatewayWebFilter::getOrder).isSorted();
        int last = steps.get(steps.size() - 1).getOrder();
        assertThat(last).isEqualTo(FilterOrder.LOGIN_OUTCOME_METRICS);

        Map<String, WebFilter> others = context.getBeansOfType(WebFilter.class);
        others.values().remove(runner);
        assertThat(others).allSatisfy((name, filter) -> assertThat(orderOf(filter))
                .as(name + " orders after the last web step").isGreaterThan(last));
    }

    @Test
    void theRouteStepsRunTogetherBeforeTheResponseWriterAndNoOtherGlobalFilterFallsBetweenThem() {
        GatewayRouteFilters runner = context.getBean(GatewayRouteFilters.class);
        List<GatewayRouteFilter> steps = runner.steps();
        assertThat(steps).extracting(step -> step.getClass().getSimpleName()).containsExactly(
                "RouteClaims", "PrincipalFilter", "RateLimitFilter", "AuthorizationFilter", "IdentityRelayFilter",
                "RequestBodyBuffering", "UpstreamBulkheadFilter");
        int first = steps.get(0).getOrder();
        int last = steps.get(steps.size() - 1).getOrder();
        assertThat(runner.getOrder()).isEqualTo(first);
        assertThat(last).isLessThan(NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER);

        List<GlobalFilter> globals = context.getBeansOfType(GlobalFilter.class).values().stream()
                .sorted(Comparator.comparingInt(FilterStepsIntegrationTests::orderOf)).toList();
        assertThat(globals).contains(runner, context.getBean(UpstreamConnectionFilter.class));
        assertThat(globals).filteredOn(filter -> filter != runner).allSatisfy(filter -> assertThat(orderOf(filter))
                .as(filter.getClass().getName() + " orders outside the route steps")
                .satisfiesAnyOf(order -> assertThat(order).isLessThan(first),
                        order -> assertThat(order).isGreaterThan(last)));
        assertThat(orderOf(context.getBean(UpstreamConnectionFilter.class)))
                .isGreaterThan(NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER);
    }

    private static int orderOf(Object filter) {
        if (filter instanceof Ordered ordered) {
            return ordered.getOrder();
        }
        Integer order = OrderUtils.getOrder(filter.getClass());
        return order == null ? Ordered.LOWEST_PRECEDENCE : order;
    }
}
