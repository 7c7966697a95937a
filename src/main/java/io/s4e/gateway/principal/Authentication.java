package io.s4e.gateway.principal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.reactive.Ready;
import io.s4e.gateway.web.Errors;
import reactor.core.publisher.Mono;

/**
 * The authentication of one exchange: the credential read off the request and its principal, resolved lazily and
 * at most once, so a public route never pays for a lookup.
 */
public final class Authentication {

    private static final Authentication ANONYMOUS = new Authentication(null, null);

    private final Credential credential;
    private final PrincipalResolver resolver;
    private final AtomicReference<Mono<Principal>> resolved = new AtomicReference<>();
    private final Mono<Principal> principal;

    private Authentication(Credential credential, PrincipalResolver resolver) {
        this.credential = credential;
        this.resolver = resolver;
        if (resolver == null) {
            resolved.set(Mono.empty());
        }
        this.principal = Mono.defer(this::resolveOnce);
    }

    /**
     * Resolves the credential on the first subscription only. A ready answer (a cached credential) is kept as it is;
     * one that is still to come is shared with {@code cache()}, so the credential is checked once per request.
     */
    private Mono<Principal> resolveOnce() {
        Mono<Principal> known = resolved.get();
        if (known != null) {
            return known;
        }
        Mono<Principal> answer = resolver.resolve(credential);
        Mono<Principal> shared = Ready.isReady(answer) ? answer : answer.cache();
        return resolved.compareAndSet(null, shared) ? shared : resolved.get();
    }

    /** An exchange without any credential. */
    public static Authentication anonymous() {
        return ANONYMOUS;
    }

    /** An exchange with {@code credential}, resolved by {@code resolver} on first subscription only. */
    public static Authentication of(Credential credential, PrincipalResolver resolver) {
        return new Authentication(credential, resolver);
    }

    /**
     * The principal of {@code exchange} when its credential resolves to one without waiting (a cached key or
     * session); null otherwise (no credential, a refusal, or a lookup still to come, which is left for the first
     * subscriber). Resolves the credential if nothing did yet: call it only where the route needs the principal.
     */
    public static Principal readyPrincipalOf(org.springframework.web.server.ServerWebExchange exchange) {
        Authentication authentication = AuthenticationFilter.authenticationOf(exchange);
        if (authentication.credential == null) {
            return null;
        }
        Mono<Principal> answer = authentication.resolveOnce();
        if (!Ready.isReady(answer)) {
            return null;
        }
        try {
            return Ready.outcome(answer);
        }
        catch (RuntimeException refused) {
            return null;
        }
    }

    /**
     * The principal when its resolution has already answered with one; null when it has not started, is still under
     * way, or refused the credential. Never starts a resolution (a refusal being written must not begin a lookup).
     */
    public Principal principalIfKnown() {
        Mono<Principal> known = resolved.get();
        if (known == null || credential == null) {
            return null;
        }
        if (Ready.isReady(known)) {
            try {
                return Ready.outcome(known);
            }
            catch (RuntimeException refused) {
                return null;
            }
        }
        // a shared answer (cache()) that is done is replayed at once; one still under way is left alone
        AtomicReference<Principal> answer = new AtomicReference<>();
        known.subscribe(answer::set, refused -> { }).dispose();
        return answer.get();
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
        Mono<Principal> known = resolved.get();
        return known != null ? known : principal;
    }

    /**
     * The principal, required.
     *
     * @return the principal; a 401 error when no credential was presented
     */
    public Mono<Principal> requirePrincipal() {
        return principal().switchIfEmpty(Mono.error(() -> Errors.unauthorized("Authentication is required.")));
    }
}
