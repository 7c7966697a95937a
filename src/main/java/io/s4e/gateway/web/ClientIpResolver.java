package io.s4e.gateway.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Determines the client IP address of a request from its socket peer and, when the peer is a
 * trusted proxy, from the {@code X-Forwarded-For} header.
 *
 * <p>The header is walked from right to left, skipping hops that are trusted proxies; the first
 * untrusted hop is the client. A hop that is not an IP literal ends the walk, and the nearest
 * trusted address is used instead. With no trusted proxies configured the header is ignored.
 * Resolution never performs DNS lookups.
 */
public final class ClientIpResolver {

    /** Value returned when no client address is known. */
    public static final String UNKNOWN = "unknown";

    private final Cidr[] trustedProxies;

    /** Creates a resolver trusting the given CIDRs as proxies; throws IllegalArgumentException if any entry is not a valid CIDR. */
    public ClientIpResolver(List<String> trustedProxyCidrs) {
        if (trustedProxyCidrs == null) {
            this.trustedProxies = new Cidr[0];
            return;
        }
        Cidr[] parsed = new Cidr[trustedProxyCidrs.size()];
        for (int i = 0; i < parsed.length; i++) {
            parsed[i] = Cidr.parse(trustedProxyCidrs.get(i));
        }
        this.trustedProxies = parsed;
    }

    /** Returns the client IP address as text, or {@code "unknown"} if the peer is null or unresolved. */
    public String resolve(InetSocketAddress peer, List<String> xForwardedForHeaderValues) {
        if (peer == null || peer.getAddress() == null) {
            return UNKNOWN;
        }
        InetAddress nearestTrusted = peer.getAddress();
        if (trustedProxies.length == 0 || !isTrusted(nearestTrusted) || xForwardedForHeaderValues == null) {
            return nearestTrusted.getHostAddress();
        }
        for (int v = xForwardedForHeaderValues.size() - 1; v >= 0; v--) {
            String value = xForwardedForHeaderValues.get(v);
            if (value == null) {
                continue;
            }
            int end = value.length();
            for (int i = end - 1; i >= -1; i--) {
                if (i >= 0 && value.charAt(i) != ',') {
                    continue;
                }
                int hopStart = i + 1;
                int hopEnd = end;
                end = i;
                while (hopStart < hopEnd && isWhitespace(value.charAt(hopStart))) {
                    hopStart++;
                }
                while (hopEnd > hopStart && isWhitespace(value.charAt(hopEnd - 1))) {
                    hopEnd--;
                }
                if (hopStart == hopEnd) {
                    continue;
                }
                InetAddress hop = Cidr.parseAddress(value, hopStart, hopEnd);
                if (hop == null) {
                    return nearestTrusted.getHostAddress();
                }
                if (!isTrusted(hop)) {
                    return hop.getHostAddress();
                }
                nearestTrusted = hop;
            }
        }
        return nearestTrusted.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        for (Cidr cidr : trustedProxies) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }
}
