package io.s4e.gateway.cluster;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the gateway names what it keeps in Redis.
 *
 * @param keyPrefix prefix of every key and channel the gateway uses, so several gateways (or test runs) can share
 *                  one Redis; default {@code s4e:}
 */
@ConfigurationProperties("s4e.redis")
public record RedisKeyProperties(String keyPrefix) {

    public RedisKeyProperties {
        if (keyPrefix == null || keyPrefix.isBlank()) {
            keyPrefix = "s4e:";
        }
    }
}
