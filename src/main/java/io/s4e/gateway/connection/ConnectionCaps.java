package io.s4e.gateway.connection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.s4e.gateway.web.Cidr;
import io.s4e.gateway.web.NetworkProperties;

import org.springframework.stereotype.Component;

/**
 * Counts the open client connections, in total and per peer address, and admits a new one only within
 * {@code s4e.server.max-connections} and {@code s4e.server.max-connections-per-ip}. Peers inside
 * {@code s4e.trusted-proxies} carry many clients and count toward the total only. The peer is the socket's: the
 * address a proxy reports in {@code X-Forwarded-For} is not known before a request head arrives.
 */
@Component
public class ConnectionCaps {

    private final int maxTotal;
    private final int maxPerIp;
    private final Cidr[] exempt;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentMap<InetAddress, Integer> perIp = new ConcurrentHashMap<>();

    public ConnectionCaps(ConnectionProperties properties, NetworkProperties network) {
        this.maxTotal = properties.maxConnections();
        this.maxPerIp = properties.maxConnectionsPerIp();
        List<String> trusted = network.trustedProxies();
        this.exempt = trusted.stream().map(Cidr::parse).toArray(Cidr[]::new);
    }

    /** The answer of {@link #admit}: refused by a cap, or admitted until {@link #release()}. */
    public interface Admission {

        /** The cap that refused the connection; null when it was admitted. */
        ConnectionMetrics.Cap refusedBy();

        /** Gives an admitted connection's places back; only the first call counts. */
        void release();
    }

    private record Refused(ConnectionMetrics.Cap refusedBy) implements Admission {

        @Override
        public void release() {
        }
    }

    private static final Admission REFUSED_TOTAL = new Refused(ConnectionMetrics.Cap.TOTAL);
    private static final Admission REFUSED_PER_IP = new Refused(ConnectionMetrics.Cap.PER_IP);

    /**
     * Admits a new connection from {@code remote}, counting it.
     *
     * @return the admission to release when the connection closes, or one naming the cap that is full (then nothing
     *         was counted)
     */
    public Admission admit(SocketAddress remote) {
        if (open.incrementAndGet() > maxTotal) {
            open.decrementAndGet();
            return REFUSED_TOTAL;
        }
        InetAddress address = remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (address == null || isExempt(address)) {
            return once(null);
        }
        boolean[] admitted = new boolean[1];
        perIp.compute(address, (a, count) -> {
            int current = count == null ? 0 : count;
            admitted[0] = current < maxPerIp;
            return admitted[0] ? current + 1 : count;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
            return REFUSED_PER_IP;
        }
        return once(address);
    }

    private Admission once(InetAddress address) {
        AtomicInteger released = new AtomicInteger();
        return new Admission() {
            @Override
            public ConnectionMetrics.Cap refusedBy() {
                return null;
            }

            @Override
            public void release() {
                if (released.getAndIncrement() != 0) {
                    return;
                }
                open.decrementAndGet();
                if (address != null) {
                    perIp.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
                }
            }
        };
    }

    private boolean isExempt(InetAddress address) {
        for (Cidr cidr : exempt) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The open connections, for the gauge. */
    AtomicInteger open() {
        return open;
    }

    /** The open connections of {@code address} (0 when none, or when it is exempt). */
    public int openFrom(InetAddress address) {
        Integer count = perIp.get(address);
        return count == null ? 0 : count;
    }
}
