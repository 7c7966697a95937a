package io.s4e.gateway.principal;

import io.s4e.gateway.credential.Credential;
import reactor.core.publisher.Mono;

/** Verifies one kind of credential. */
public interface CredentialAuthenticator {

    /** The kind of credential this authenticator verifies. */
    Credential.Kind kind();

    /**
     * Verifies {@code credential}.
     *
     * @return the principal; never empty; an error of 401/403 when refused, 503 when a store cannot be reached
     */
    Mono<Principal> authenticate(Credential credential);
}
