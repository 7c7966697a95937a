package io.s4e.gateway.user;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How many Argon2id computations (password checks and new hashes) run at once, gateway-wide, and how many may wait.
 * Past both, a login is answered at once with 503 and {@code Retry-After} instead of queueing behind a flood of
 * attempts: a real login then waits at most {@code queue / concurrency} computations.
 *
 * @param concurrency computations at once; default half the processors (at least one), so that a flood of sign-ins
 *                    leaves the other half to the event loops that serve every other request
 * @param queue       computations waiting for a thread; default four per thread
 */
@ConfigurationProperties("s4e.password-checks")
public record PasswordCheckProperties(Integer concurrency, Integer queue) {

    public PasswordCheckProperties {
        concurrency = concurrency == null ? Math.max(1, Runtime.getRuntime().availableProcessors() / 2) : concurrency;
        if (concurrency < 1) {
            throw new IllegalArgumentException("s4e.password-checks.concurrency must be at least 1, not "
                    + concurrency);
        }
        queue = queue == null ? 4 * concurrency : queue;
        if (queue < 0) {
            throw new IllegalArgumentException("s4e.password-checks.queue must not be negative, not " + queue);
        }
    }
}
