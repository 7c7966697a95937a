package io.s4e.gateway.relay;

import java.util.List;
import java.util.Map;

import io.s4e.gateway.config.FilterOrder;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;
import org.springframework.web.server.ServerWebExchange;

/**
 * The headers of a forwarded request and of the upstream's answer, in one copy: hop-by-hop headers (RFC 9110 §7.6.1,
 * and every header the {@code Connection} header names) are dropped both ways, and so are a client's
 * {@code Forwarded} and {@code X-Forwarded-*} on the way to the upstream (the gateway decides the client address
 * itself, from {@code s4e.trusted-proxies}).
 * <p>
 * This replaces three Spring Cloud Gateway header filters that did the same work with a full copy of the headers
 * each ({@code RemoveHopByHopHeadersFilter}, {@code RemoveForwardedHeadersFilter},
 * {@code RemoveXForwardedHeadersFilter}; {@link Replacement} removes their beans). It runs where the hop-by-hop
 * filter ran, after {@code TransferEncodingNormalizationHeadersFilter} has dropped a {@code Content-Length} sent
 * with {@code Transfer-Encoding: chunked}. When {@code spring.cloud.gateway.server.webflux.trusted-proxies} is set,
 * Spring Cloud Gateway's own forwarding filters are left in place and this filter drops only hop-by-hop headers.
 */
public class RelayHeadersFilter implements HttpHeadersFilter, Ordered {

    /** Hop-by-hop headers dropped in both directions, as Spring Cloud Gateway's default list. */
    static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "transfer-encoding", "te",
            "trailer", "proxy-authorization", "proxy-authenticate", "x-application-context", "upgrade");

    private static final String X_FORWARDED = "x-forwarded-";

    private final Type direction;
    private final boolean dropForwarded;

    /**
     * @param direction     the headers it filters: the forwarded request's or the upstream answer's
     * @param dropForwarded whether client-sent {@code Forwarded} and {@code X-Forwarded-*} are dropped too
     */
    public RelayHeadersFilter(Type direction, boolean dropForwarded) {
        this.direction = direction;
        this.dropForwarded = dropForwarded;
    }

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        return filter(input, dropForwarded);
    }

    private static HttpHeaders filter(HttpHeaders input, boolean dropForwarded) {
        List<String> connection = input.get(HttpHeaders.CONNECTION);
        // the headers as they are held (no case-insensitive copy of them to look at their names)
        MultiValueMap<String, String> all = input.asMultiValueMap();
        boolean dropsAny = false;
        for (String name : all.keySet()) {
            if (dropped(name, connection, dropForwarded)) {
                dropsAny = true;
                break;
            }
        }
        if (!dropsAny) {
            // most requests carry nothing to drop: handed on as they are, without a copy
            return input;
        }
        HttpHeaders kept = new HttpHeaders();
        for (Map.Entry<String, List<String>> header : all.entrySet()) {
            if (!dropped(header.getKey(), connection, dropForwarded)) {
                kept.put(header.getKey(), header.getValue());
            }
        }
        return kept;
    }

    private static boolean dropped(String name, List<String> connection, boolean dropForwarded) {
        return isHopByHop(name, connection) || (dropForwarded && isForwarding(name));
    }

    private static boolean isHopByHop(String name, List<String> connection) {
        for (int i = 0; i < HOP_BY_HOP.size(); i++) {
            if (HOP_BY_HOP.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return connection != null && namedIn(name, connection);
    }

    /** Whether a {@code Connection} header value lists {@code name} (comma-separated, any case, any spacing). */
    private static boolean namedIn(String name, List<String> connection) {
        for (String value : connection) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                if (value.substring(start, end).trim().equalsIgnoreCase(name)) {
                    return true;
                }
                start = end + 1;
            }
        }
        return false;
    }

    private static boolean isForwarding(String name) {
        return name.equalsIgnoreCase("forwarded") || name.regionMatches(true, 0, X_FORWARDED, 0, X_FORWARDED.length());
    }

    @Override
    public boolean supports(Type type) {
        return type == direction;
    }

    @Override
    public int getOrder() {
        return FilterOrder.RELAY_HEADERS;
    }

    /** Puts {@link RelayHeadersFilter} in place of the three Spring Cloud Gateway filters whose work it does. */
    @Configuration(proxyBeanMethods = false)
    public static class Replacement {

        /** Bean names of the filters replaced (Spring Cloud Gateway's {@code GatewayAutoConfiguration}). */
        static final List<String> REPLACED = List.of("removeHopByHopHeadersFilter", "removeForwardedHeadersFilter",
                "removeXForwardedHeadersFilter");

        @Bean
        static BeanDefinitionRegistryPostProcessor replaceGatewayHeaderFilters() {
            return (BeanDefinitionRegistry registry) -> REPLACED.stream()
                    .filter(registry::containsBeanDefinition)
                    .forEach(registry::removeBeanDefinition);
        }

        @Bean
        RelayHeadersFilter relayRequestHeadersFilter(Environment environment) {
            return new RelayHeadersFilter(Type.REQUEST,
                    !environment.containsProperty("spring.cloud.gateway.server.webflux.trusted-proxies"));
        }

        @Bean
        RelayHeadersFilter relayResponseHeadersFilter() {
            return new RelayHeadersFilter(Type.RESPONSE, false);
        }
    }
}
