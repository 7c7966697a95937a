package io.s4e.gateway.web;

import org.springframework.core.Ordered;
import org.springframework.web.server.WebFilter;

/**
 * A web filter of the gateway, named by a string made once: WebFlux's filter chain checkpoints every filter with its
 * {@code toString()} on every request, and Object's built a new string from the class name and identity hash each
 * time.
 */
public abstract class GatewayWebFilter implements WebFilter, Ordered {

    private final String name = getClass().getName();

    @Override
    public String toString() {
        return name;
    }
}
