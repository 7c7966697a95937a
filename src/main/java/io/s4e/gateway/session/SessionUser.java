package io.s4e.gateway.session;

import io.s4e.gateway.principal.Principal;

/**
 * The signed-in user of a request and the session it signed in with: what endpoints acting on the caller's own
 * account need ({@link SessionAuthenticator#requireSessionUser}).
 */
public record SessionUser(Principal principal, Session session) {
}
