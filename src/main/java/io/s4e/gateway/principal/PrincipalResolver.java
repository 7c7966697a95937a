package io.s4e.gateway.principal;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.s4e.gateway.reactive.Ready;
import io.s4e.gateway.credential.Credential;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Dispatches a credential to the authenticator of its kind and counts the outcome
 * ({@code s4e.auth.outcomes{method,outcome}}, one counter per method and outcome, built once). An authenticator
 * that already knows the answer (a cached key or session) returns it ready, and it is passed on without operators.
 */
@Component
public class PrincipalResolver {

    private final Map<Credential.Kind, CredentialAuthenticator> authenticators = new EnumMap<>(Credential.Kind.class);
    private final MeterRegistry meters;
    private final Map<String, Counter> apiKeyOutcomes = new ConcurrentHashMap<>();
    private final Map<String, Counter> sessionOutcomes = new ConcurrentHashMap<>();

    public PrincipalResolver(List<CredentialAuthenticator> authenticators, MeterRegistry meters) {
        authenticators.forEach(a -> this.authenticators.put(a.kind(), a));
        this.meters = meters;
    }

    /**
     * The principal of {@code credential}.
     *
     * @return the principal; an error when refused (401, 403 for an {@code mfa_temp_} token) or undecidable (503)
     */
    public Mono<Principal> resolve(Credential credential) {
        if (credential.kind() == Credential.Kind.MFA_TEMP_TOKEN) {
            count(credential, "mfa_required");
            return Mono.error(Errors.of(ErrorCode.MFA_REQUIRED,
                    "Complete multi-factor verification before using this token."));
        }
        CredentialAuthenticator authenticator = authenticators.get(credential.kind());
        if (authenticator == null) {
            count(credential, ErrorCode.UNAUTHORIZED.code());
            return Mono.error(Errors.unauthorized("This kind of credential is not accepted."));
        }
        Mono<Principal> answer = authenticator.authenticate(credential);
        if (Ready.isReady(answer)) {
            // a cached credential: the answer is already known, so count it now and hand it on as it is
            try {
                if (Ready.outcome(answer) != null) {
                    count(credential, "success");
                }
            }
            catch (GatewayException refused) {
                count(credential, refused.code().code());
            }
            catch (RuntimeException other) {
                // not a refusal: nothing to count, the caller gets the error
            }
            return answer;
        }
        return answer
                .doOnNext(principal -> count(credential, "success"))
                .doOnError(GatewayException.class, e -> count(credential, e.code().code()));
    }

    private void count(Credential credential, String outcome) {
        Map<String, Counter> byOutcome = credential.kind() == Credential.Kind.API_KEY ? apiKeyOutcomes
                : sessionOutcomes;
        byOutcome.computeIfAbsent(outcome, o -> meters.counter("s4e.auth.outcomes", "method",
                credential.kind() == Credential.Kind.API_KEY ? "api_key" : "session", "outcome", o)).increment();
    }
}
