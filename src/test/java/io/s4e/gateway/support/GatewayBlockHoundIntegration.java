package io.s4e.gateway.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Narrow BlockHound exceptions for third-party code:
 * <ul>
 *   <li>Netty's DNS resolver reads {@code /dev/urandom} once on an event loop, to seed its query-id space from
 *       {@code SecureRandom} the first time it sends a query. The read never waits for entropy (urandom).</li>
 *   <li>Lettuce guards each connection's write path with a lock held for the few instructions that count writers
 *       ({@code SharedLock}); a command dispatched from another thread (a password check's continuation, say) can
 *       make an event loop wait for it that long. Throwing inside that lock would wedge the connection for good
 *       (a known Lettuce issue), so the wait is allowed there and nowhere else.</li>
 *   <li>resilience4j's lock-free rate limiter ({@code AtomicRateLimiter}, behind the per-IP login limit) backs off
 *       a lost compare-and-set with {@code LockSupport.parkNanos(1)} before it retries: logins from one client IP
 *       arriving together on several event loops (passkey answers sent to a replica at once) lose such races.
 *       A one-nanosecond pause in a CAS loop is not I/O, so it is allowed there and nowhere else.</li>
 *   <li>Netty's adaptive buffer allocator guards each magazine with a {@code StampedLock} held while a buffer is
 *       carved out or a magazine is added or freed; a thread allocating while another does the same may wait for
 *       it that long. Throwing from inside {@code StampedLock.acquireWrite} can leave the lock's wait queue broken,
 *       after which every allocation from that magazine waits for good (the event loops and Reactor's timers
 *       included), so the wait is allowed there and nowhere else.</li>
 * </ul>
 * Everything else stays forbidden.
 */
public class GatewayBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        String idSpace = "io.netty.resolver.dns.DnsQueryIdSpace";
        for (String method : new String[] {"newBucket", "nextId", "pushId"}) {
            builder.allowBlockingCallsInside(idSpace, method);
            builder.allowBlockingCallsInside(idSpace + "$DnsQueryIdRange", method);
        }
        for (String method : new String[] {"incrementWriters", "decrementWriters", "doExclusive"}) {
            builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", method);
        }
        builder.allowBlockingCallsInside("io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter",
                "compareAndSet");
        String allocator = "io.netty.buffer.AdaptivePoolingAllocator";
        for (String method : new String[] {"tryAllocate", "free"}) {
            builder.allowBlockingCallsInside(allocator + "$Magazine", method);
        }
        for (String method : new String[] {"tryExpandMagazines", "free"}) {
            builder.allowBlockingCallsInside(allocator + "$MagazineGroup", method);
        }
    }
}
