package io.s4e.gateway.support;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Narrow BlockHound exceptions for third-party code that reads {@code /dev/urandom} once on an event loop: Netty's DNS
 * resolver seeds its query-id space from {@code SecureRandom} the first time it sends a query. The read never waits
 * for entropy (urandom), so it is not blocking in practice. Everything else stays forbidden.
 */
public class GatewayBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        String idSpace = "io.netty.resolver.dns.DnsQueryIdSpace";
        for (String method : new String[] {"newBucket", "nextId", "pushId"}) {
            builder.allowBlockingCallsInside(idSpace, method);
            builder.allowBlockingCallsInside(idSpace + "$DnsQueryIdRange", method);
        }
    }
}
