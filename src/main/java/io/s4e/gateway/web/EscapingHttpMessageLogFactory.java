package io.s4e.gateway.web;

import reactor.netty.http.logging.HttpMessageArgProvider;
import reactor.netty.http.logging.ReactorNettyHttpMessageLogFactory;

/**
 * The text Reactor Netty logs about an HTTP message, notably its {@code Decoding failed} warning for a malformed
 * request line or header, which quotes bytes of the request: Reactor Netty's own rendering (header values filtered,
 * as before) with every control character escaped by {@link LogText}, so the warning stays one line whatever the
 * client sent. The request id reaches that line through {@link EarlyRejectionEnvelope}.
 */
public final class EscapingHttpMessageLogFactory extends ReactorNettyHttpMessageLogFactory {

    /** The one instance, shared by every connection. */
    public static final EscapingHttpMessageLogFactory INSTANCE = new EscapingHttpMessageLogFactory();

    private EscapingHttpMessageLogFactory() {
    }

    @Override
    public String common(HttpMessageArgProvider arg) {
        return LogText.escape(super.common(arg));
    }
}
