package io.s4e.gateway.web;

import org.springframework.web.server.ServerWebExchange;

/**
 * Told of every refusal the gateway answers (401, 403, 429) as the error envelope is written. The audit log
 * implements it; the web layer knows only this interface, so the envelope does not depend on who listens.
 */
public interface RefusalListener {

    /**
     * A refusal of {@code exchange} with {@code status} and the envelope's {@code code}. Called on the event loop:
     * must not block and must not fail.
     */
    void refused(ServerWebExchange exchange, int status, String code);
}
