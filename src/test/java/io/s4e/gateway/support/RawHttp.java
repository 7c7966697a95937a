package io.s4e.gateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP/1.1 over a plain socket, for requests an HTTP client library would tidy up: a request target sent byte for
 * byte (dot-segments, double slashes, escapes), repeated headers, header values of any bytes. Header lines are
 * written as ISO-8859-1, so each char is one byte on the wire.
 */
public final class RawHttp {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int TIMEOUT_MILLIS = 30_000;

    private final int port;

    public RawHttp(int port) {
        this.port = port;
    }

    /** A GET of {@code target} (exactly as given) with the given header lines ({@code "Name: value"}). */
    public Response get(String target, String... headerLines) {
        return send("GET", target, null, headerLines);
    }

    /** A request with a body (may be null); {@code Content-Length} is added when there is a body. */
    public Response send(String method, String target, byte[] body, String... headerLines) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return Response.parse(readAll(socket.getInputStream()));
        }
        catch (IOException e) {
            throw new IllegalStateException("Request " + method + " " + target + " failed: " + e, e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
        }
        catch (java.net.SocketException reset) {
            if (all.size() == 0) {
                throw reset;
            }
            // the server may reset after answering a request whose body it did not read
        }
        return all.toByteArray();
    }

    /** A parsed response; header names are lower-case. */
    public record Response(int status, Map<String, List<String>> headers, String body) {

        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** Every value of header {@code name} (empty when absent). */
        public List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        /** The body as JSON. */
        public JsonNode json() {
            return JSON.readTree(body);
        }

        static Response parse(byte[] raw) {
            int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (headEnd < 0) {
                throw new IllegalStateException("Incomplete response: " + new String(raw, StandardCharsets.ISO_8859_1));
            }
            String[] lines = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
            byte[] body = Arrays.copyOfRange(raw, headEnd + 4, raw.length);
            List<String> encoding = headers.get("transfer-encoding");
            if (encoding != null && encoding.get(0).equalsIgnoreCase("chunked")) {
                body = dechunk(body);
            }
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        private static byte[] dechunk(byte[] chunked) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = 0;
            while (at < chunked.length) {
                int lineEnd = indexOf(Arrays.copyOfRange(chunked, at, chunked.length),
                        "\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String sizeLine = new String(chunked, at, lineEnd, StandardCharsets.ISO_8859_1);
                int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                at += lineEnd + 2;
                out.write(chunked, at, size);
                at += size + 2;
            }
            return out.toByteArray();
        }

        private static int indexOf(byte[] data, byte[] pattern) {
            outer:
            for (int i = 0; i + pattern.length <= data.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
