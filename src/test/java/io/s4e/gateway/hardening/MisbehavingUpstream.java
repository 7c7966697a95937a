package io.s4e.gateway.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP upstream on a free port that misbehaves by path: {@code partial} announces 1000 bytes, sends 100 and
 * closes; {@code reset} resets the connection (RST) after reading the request; {@code stall} sends its headers and
 * a little of the body, then nothing; {@code silent} never answers; {@code garbage} answers something that is not
 * HTTP. Anything else gets a small 200.
 */
final class MisbehavingUpstream implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    MisbehavingUpstream() throws IOException {
        listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "misbehaving-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                Thread handler = new Thread(() -> handle(socket), "misbehaving-upstream-conn");
                handler.setDaemon(true);
                handler.start();
            }
            catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void handle(Socket socket) {
        try (socket) {
            String head = readHead(socket.getInputStream());
            String target = head.isEmpty() ? "" : head.split(" ")[1];
            OutputStream out = socket.getOutputStream();
            if (target.contains("partial")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                        + "{\"partial\":\"" + "x".repeat(85)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            else if (target.contains("reset")) {
                socket.setSoLinger(true, 0);
            }
            else if (target.contains("stall")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                        + "{\"stall\":").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(60_000);
            }
            else if (target.contains("silent")) {
                Thread.sleep(60_000);
            }
            else if (target.contains("garbage")) {
                out.write("NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            else {
                out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }
        catch (IOException | InterruptedException e) {
            // the gateway gave up on this connection, or the upstream is closing
        }
        finally {
            open.remove(socket);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        }
        catch (IOException ignored) {
            // already closed
        }
        for (Socket socket : open) {
            try {
                socket.close();
            }
            catch (IOException ignored) {
                // already closed
            }
        }
    }
}
