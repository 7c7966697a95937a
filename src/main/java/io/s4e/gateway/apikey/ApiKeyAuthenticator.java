package io.s4e.gateway.apikey;

import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.principal.CredentialAuthenticator;
import io.s4e.gateway.principal.Principal;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/** Authenticates API key credentials, from any carrier. */
@Component
public class ApiKeyAuthenticator implements CredentialAuthenticator {

    private final ApiKeyVerifier verifier;

    public ApiKeyAuthenticator(ApiKeyVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Credential.Kind kind() {
        return Credential.Kind.API_KEY;
    }

    @Override
    public Mono<Principal> authenticate(Credential credential) {
        return verifier.verify(credential.value());
    }
}
