package io.s4e.gateway.relay;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the upstream receives besides the identity headers.
 *
 * @param credentials keep the client's credential (Authorization bearer, X-API-Key, token cookie and query
 *                    parameter) on forwarded requests; default false: they are removed
 */
@ConfigurationProperties("s4e.forward")
public record ForwardProperties(boolean credentials) {
}
