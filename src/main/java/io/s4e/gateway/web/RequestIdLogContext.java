package io.s4e.gateway.web;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import org.slf4j.MDC;

/**
 * Carries the request id from the Reactor context into the logging MDC on whatever thread runs a step of the
 * request, so every log line written while handling it names it ({@code %X{requestId}} in the pattern). Automatic
 * context propagation is switched on by {@code spring.reactor.context-propagation=auto}.
 */
public final class RequestIdLogContext implements ThreadLocalAccessor<String> {

    private static volatile boolean registered;

    /** Registers the accessor once per JVM; later calls do nothing. */
    public static synchronized void register() {
        if (!registered) {
            ContextRegistry.getInstance().registerThreadLocalAccessor(new RequestIdLogContext());
            registered = true;
        }
    }

    @Override
    public Object key() {
        return GatewayAttributes.REQUEST_ID_CONTEXT_KEY;
    }

    @Override
    public String getValue() {
        return MDC.get(GatewayAttributes.REQUEST_ID_CONTEXT_KEY);
    }

    @Override
    public void setValue(String value) {
        MDC.put(GatewayAttributes.REQUEST_ID_CONTEXT_KEY, value);
    }

    @Override
    public void setValue() {
        MDC.remove(GatewayAttributes.REQUEST_ID_CONTEXT_KEY);
    }
}
