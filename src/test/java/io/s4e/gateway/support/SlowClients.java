package io.s4e.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Clients that trickle a request: many connections, one thread. Each connection sends an opening, then one more
 * piece every period for as long as the server keeps it open, and notes when the server closed it (end of stream or
 * reset) and what it answered before. A write the server no longer reads counts as closed too.
 */
public final class SlowClients implements AutoCloseable {

    /** One trickling connection. */
    public static final class Connection {
        private final SocketChannel channel;
        private final long openedAt;
        private final ByteArrayOutputStream answer = new ByteArrayOutputStream();
        private volatile long closedAfterNanos = -1;
        private volatile long lastSentAt;

        private Connection(SocketChannel channel, long openedAt) {
            this.channel = channel;
            this.openedAt = openedAt;
            this.lastSentAt = openedAt;
        }

        /** Milliseconds from the last piece sent until the server closed it; -1 while open. */
        public long closedAfterLastSendMillis() {
            return closedAfterNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(openedAt + closedAfterNanos - lastSentAt);
        }

        /** Milliseconds from opening until the server closed it; -1 while open. */
        public long closedAfterMillis() {
            return closedAfterNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(closedAfterNanos);
        }

        /** What the server wrote before closing, as ISO-8859-1. */
        public synchronized String answer() {
            return answer.toString(StandardCharsets.ISO_8859_1);
        }

        private synchronized void received(ByteBuffer buffer) {
            answer.write(buffer.array(), 0, buffer.position());
        }
    }

    private final List<Connection> connections = new ArrayList<>();
    private final Selector selector;
    private final byte[] piece;
    private final long periodNanos;
    private final Thread loop;
    private final CountDownLatch allClosed;
    private volatile boolean stopped;

    private SlowClients(int port, InetAddress local, int count, String opening, String piece, Duration period)
            throws IOException {
        this.selector = Selector.open();
        this.piece = piece.getBytes(StandardCharsets.ISO_8859_1);
        this.periodNanos = period.toNanos();
        this.allClosed = new CountDownLatch(count);
        byte[] first = opening.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < count; i++) {
            SocketChannel channel = SocketChannel.open();
            if (local != null) {
                channel.bind(new InetSocketAddress(local, 0));
            }
            channel.connect(new InetSocketAddress("127.0.0.1", port));
            Connection connection = new Connection(channel, System.nanoTime());
            channel.write(ByteBuffer.wrap(first));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, connection);
            connections.add(connection);
        }
        this.loop = new Thread(this::run, "slow-clients");
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * Opens {@code count} connections to {@code 127.0.0.1:port} from {@code local} (null: any), each sending
     * {@code opening} at once and then {@code piece} every {@code period}.
     */
    public static SlowClients open(int port, InetAddress local, int count, String opening, String piece,
                                   Duration period) {
        try {
            return new SlowClients(port, local, count, opening, piece, period);
        }
        catch (IOException e) {
            throw new IllegalStateException("Could not open the slow clients: " + e, e);
        }
    }

    public List<Connection> connections() {
        return connections;
    }

    /** Waits until the server closed every connection; false when {@code most} passed first. */
    public boolean awaitAllClosed(Duration most) throws InterruptedException {
        return allClosed.await(most.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(16384);
        long nextPiece = System.nanoTime() + periodNanos;
        while (!stopped && allClosed.getCount() > 0) {
            try {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextPiece - System.nanoTime())));
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection connection = (Connection) key.attachment();
                    buffer.clear();
                    int n;
                    try {
                        n = connection.channel.read(buffer);
                    }
                    catch (IOException reset) {
                        n = -1;
                    }
                    if (n > 0) {
                        connection.received(buffer);
                    } else if (n < 0) {
                        closed(connection, key);
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() - nextPiece >= 0) {
                    nextPiece += periodNanos;
                    for (SelectionKey key : selector.keys()) {
                        if (key.isValid()) {
                            sendPiece((Connection) key.attachment(), key);
                        }
                    }
                }
            }
            catch (IOException e) {
                return;
            }
        }
    }

    private void sendPiece(Connection connection, SelectionKey key) {
        try {
            if (piece.length == 0) {
                return;
            }
            connection.channel.write(ByteBuffer.wrap(piece));
            connection.lastSentAt = System.nanoTime();
        }
        catch (IOException gone) {
            closed(connection, key);
        }
    }

    private void closed(Connection connection, SelectionKey key) {
        if (connection.closedAfterNanos >= 0) {
            return;
        }
        connection.closedAfterNanos = System.nanoTime() - connection.openedAt;
        key.cancel();
        try {
            connection.channel.close();
        }
        catch (IOException ignored) {
            // closed already
        }
        allClosed.countDown();
    }

    @Override
    public void close() {
        stopped = true;
        try {
            loop.join(2000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection connection : connections) {
            try {
                connection.channel.close();
            }
            catch (IOException ignored) {
                // closed already
            }
        }
        try {
            selector.close();
        }
        catch (IOException ignored) {
            // closed already
        }
    }
}
