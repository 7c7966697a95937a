package io.s4e.gateway.user;

import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.TextRules;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Argon2id password hashing (Spring Security's 5.8 parameters: 16 MiB, 2 iterations) on threads of its own, so the
 * deliberately slow work never runs on an event loop. It is a bulkhead: at most
 * {@code s4e.password-checks.concurrency} computations run and {@code queue} more wait, gateway-wide; past that a
 * computation is refused at once (503 with {@code Retry-After}) and counted in
 * {@code s4e_password_checks_rejected_total}, so a flood of wrong passwords cannot make every login wait behind it.
 */
@Component
public class PasswordHasher implements DisposableBean {

    /** How long a refused computation asks the client to wait. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final Argon2PasswordEncoder encoder = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    private final Scheduler scheduler;
    private final Semaphore permits;
    private final Counter rejected;

    public PasswordHasher(PasswordCheckProperties properties, MeterRegistry meters) {
        int threads = properties.concurrency();
        int admitted = threads + properties.queue();
        this.scheduler = Schedulers.newBoundedElastic(threads, admitted, "s4e-password");
        this.permits = new Semaphore(admitted);
        this.rejected = Counter.builder("s4e.password.checks.rejected")
                .description("Password computations refused because the password-check bulkhead was full")
                .register(meters);
        Gauge.builder("s4e.password.checks.in.flight", permits, p -> admitted - p.availablePermits())
                .description("Password computations running or waiting")
                .register(meters);
    }

    /**
     * The Argon2id hash of {@code password}, computed off the event loop.
     *
     * @return the hash; a 400 error for a password with a lone UTF-16 surrogate, which has no UTF-8 form to hash; a
     *         503 error when the bulkhead is full
     */
    public Mono<String> hash(CharSequence password) {
        if (TextRules.hasLoneSurrogate(password.toString())) {
            return Mono.error(Errors.invalidRequest("Field 'password' must be text without lone UTF-16 surrogates."));
        }
        return admitted(() -> encoder.encode(password));
    }

    /**
     * True when {@code password} matches {@code hash}, computed off the event loop. A password with a lone UTF-16
     * surrogate matches nothing (no stored password can hold one) instead of failing in the encoder.
     *
     * @return whether it matches; a 503 error when the bulkhead is full
     */
    public Mono<Boolean> matches(CharSequence password, String hash) {
        if (TextRules.hasLoneSurrogate(password.toString())) {
            return Mono.just(false);
        }
        return admitted(() -> encoder.matches(password, hash));
    }

    private <T> Mono<T> admitted(Callable<T> computation) {
        return Mono.defer(() -> {
            if (!permits.tryAcquire()) {
                rejected.increment();
                return Mono.error(Errors.unavailable("Too many sign-ins are being checked right now. Try again in "
                        + RETRY_AFTER_SECONDS + " second.", RETRY_AFTER_SECONDS));
            }
            return Mono.fromCallable(computation)
                    .subscribeOn(scheduler)
                    .doFinally(signal -> permits.release());
        });
    }

    @Override
    public void destroy() {
        scheduler.dispose();
    }
}
