package io.s4e.gateway.principal;

import java.util.Optional;

import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

/**
 * The authentication of one exchange: the credential read off the request and its principal, resolved lazily and
 * at most once, so a public route never pays for a lookup.
 */
public final class Authentication {

    private static final Authentication ANONYMOUS = new Authentication(null, Mono.empty());

    private final Credential credential;
    private final Mono<Principal> principal;

    private Authentication(Credential credential, Mono<Principal> principal) {
        this.credential = credential;
        this.principal = principal;
    }

    /** An exchange without any credential. */
    public static Authentication anonymous() {
        return ANONYMOUS;
    }

    /** An exchange with {@code credential}, resolved by {@code resolver} on first subscription only. */
    public static Authentication of(Credential credential, PrincipalResolver resolver) {
        return new Authentication(credential, Mono.defer(() -> resolver.resolve(credential)).cache());
    }

    /** The credential, when one was presented. */
    public Optional<Credential> credential() {
        return Optional.ofNullable(credential);
    }

    /**
     * The principal.
     *
     * @return the principal; empty when no credential was presented; an error (401/403/503) when the credential is
     *         refused or cannot be checked
     */
    public Mono<Principal> principal() {
        return principal;
    }

    /**
     * The principal, required.
     *
     * @return the principal; a 401 error when no credential was presented
     */
    public Mono<Principal> requirePrincipal() {
        return principal.switchIfEmpty(Mono.error(() -> Errors.unauthorized("Authentication is required.")));
    }
}
