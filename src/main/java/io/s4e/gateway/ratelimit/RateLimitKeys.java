package io.s4e.gateway.ratelimit;

import io.s4e.gateway.cluster.RedisKeyProperties;

import org.springframework.stereotype.Component;

/**
 * Names of the rate-limit keys in Redis, under the configured prefix. The subject (account or client IP) is a hash
 * tag, so one decision's keys share a Redis Cluster slot.
 */
@Component
public class RateLimitKeys {

    private final String prefix;

    public RateLimitKeys(RedisKeyProperties properties) {
        this.prefix = properties.keyPrefix() + "rl:";
    }

    /** The subject of an account. */
    public static String account(long userId) {
        return "u:" + userId;
    }

    /** The subject of a client IP. */
    public static String clientIp(String ip) {
        return "ip:" + ip;
    }

    /** The tier bucket of an account. */
    public String tier(long userId) {
        return prefix + "{" + account(userId) + "}:tier";
    }

    /** The bucket of per-endpoint limit {@code limitId} for {@code subject}. */
    public String endpoint(String subject, String limitId) {
        return prefix + "{" + subject + "}:ep:" + limitId;
    }

    /** The lease set of concurrency limit {@code limitId} for {@code subject}. */
    public String leases(String subject, String limitId) {
        return prefix + "{" + subject + "}:conc:" + limitId;
    }

    /** The failure counter of {@code what} (e.g. {@code login:<email hash>}). */
    public String failures(String what) {
        return prefix + "{" + what + "}:failures";
    }

    /** The attempts of {@code what} (failed and pending) reserved before each check. */
    public String attempts(String what) {
        return prefix + "{" + what + "}:attempts";
    }

    /** The lock of {@code what}. */
    public String lock(String what) {
        return prefix + "{" + what + "}:lock";
    }
}
