package io.s4e.gateway.web;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which peers may tell the gateway the client's address.
 *
 * @param trustedProxies CIDRs of proxies in front of the gateway whose {@code X-Forwarded-For} is believed; default
 *                       none: the client IP is always the socket peer
 */
@ConfigurationProperties("s4e")
public record NetworkProperties(List<String> trustedProxies) {

    public NetworkProperties {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        for (String cidr : trustedProxies) {
            try {
                Cidr.parse(cidr);
            }
            catch (IllegalArgumentException invalid) {
                throw new IllegalArgumentException("s4e.trusted-proxies: " + invalid.getMessage(), invalid);
            }
        }
    }
}
