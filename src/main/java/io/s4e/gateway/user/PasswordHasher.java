package io.s4e.gateway.user;

import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.TextRules;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Argon2id password hashing (Spring Security's 5.8 parameters: 16 MiB, 2 iterations) on a scheduler of its own, so
 * the deliberately slow work never runs on an event loop.
 */
@Component
public class PasswordHasher implements DisposableBean {

    private final Argon2PasswordEncoder encoder = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    private final Scheduler scheduler = Schedulers.newBoundedElastic(
            Math.max(2, Runtime.getRuntime().availableProcessors()), 1000, "s4e-password");

    /**
     * The Argon2id hash of {@code password}, computed off the event loop.
     *
     * @return the hash; a 400 error for a password with a lone UTF-16 surrogate, which has no UTF-8 form to hash
     */
    public Mono<String> hash(CharSequence password) {
        if (TextRules.hasLoneSurrogate(password.toString())) {
            return Mono.error(Errors.invalidRequest("Field 'password' must be text without lone UTF-16 surrogates."));
        }
        return Mono.fromCallable(() -> encoder.encode(password))
                .subscribeOn(scheduler);
    }

    /**
     * True when {@code password} matches {@code hash}, computed off the event loop. A password with a lone UTF-16
     * surrogate matches nothing (no stored password can hold one) instead of failing in the encoder.
     */
    public Mono<Boolean> matches(CharSequence password, String hash) {
        if (TextRules.hasLoneSurrogate(password.toString())) {
            return Mono.just(false);
        }
        return Mono.fromCallable(() -> encoder.matches(password, hash))
                .subscribeOn(scheduler);
    }

    @Override
    public void destroy() {
        scheduler.dispose();
    }
}
