package io.s4e.gateway.web;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Request ids as CONTRACT §3 defines them: kept when well-formed, made otherwise. */
public final class RequestIds {

    /** The header that carries the request id, both ways. */
    public static final String HEADER = "X-Request-ID";

    private static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    /** The request id of {@code exchange}, as assigned by {@link RequestIdHandlerDecorator}. */
    public static String of(org.springframework.web.server.ServerWebExchange exchange) {
        return exchange.getRequest().getHeaders().getFirst(HEADER);
    }

    /** The client's id when exactly one well-formed value was sent, else a new one. */
    public static String acceptOrCreate(List<String> clientValues) {
        if (clientValues != null && clientValues.size() == 1 && isWellFormed(clientValues.get(0))) {
            return clientValues.get(0);
        }
        return create();
    }

    /** True for 1 to 128 characters of {@code [A-Za-z0-9._:-]}. */
    public static boolean isWellFormed(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * A random (version 4) UUID. Request ids need uniqueness, not secrecy, so this draws from the thread-local
     * generator instead of {@link UUID#randomUUID()}, whose entropy source may block.
     */
    public static String create() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long most = (random.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long least = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }
}
