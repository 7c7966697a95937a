package io.s4e.gateway.bootstrap;

import java.time.Duration;
import java.util.List;

import io.s4e.gateway.apikey.BootstrapKeys;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.principal.Scopes;
import io.s4e.gateway.user.PasswordHasher;
import io.s4e.gateway.user.UserRecord;
import io.s4e.gateway.user.UserRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Creates the configured admin user and admin API key on start, when they do not exist yet. Runs once on the main
 * thread before the gateway reports ready; a failure stops the start with a message.
 */
@Component
public class Bootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);
    private static final String SERVICE_USER = "bootstrap-admin@s4e.invalid";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MIN_PASSWORD = 12;

    private final BootstrapProperties properties;
    private final UserRepository users;
    private final PasswordHasher passwords;
    private final BootstrapKeys keys;

    public Bootstrap(BootstrapProperties properties, UserRepository users, PasswordHasher passwords,
                     BootstrapKeys keys) {
        this.properties = properties;
        this.users = users;
        this.passwords = passwords;
        this.keys = keys;
    }

    @Override
    public void run(ApplicationArguments args) {
        validate();
        // The main thread, not an event loop: waiting here keeps the gateway unready until bootstrap is done.
        bootstrap().block(TIMEOUT);
    }

    private void validate() {
        String email = properties.adminEmail();
        if (hasText(email) && !hasText(properties.adminPassword())) {
            throw new IllegalStateException("s4e.bootstrap.admin-email is set but s4e.bootstrap.admin-password is not");
        }
        if (hasText(email) && properties.adminPassword().length() < MIN_PASSWORD) {
            throw new IllegalStateException("s4e.bootstrap.admin-password must have at least " + MIN_PASSWORD
                    + " characters");
        }
        if (hasText(email) && (email.indexOf('@') < 1 || email.length() > 254)) {
            throw new IllegalStateException("s4e.bootstrap.admin-email is not an email address");
        }
        String key = properties.adminApiKey();
        if (hasText(key) && !ApiKeyFormat.isWellFormed(key)) {
            throw new IllegalStateException("s4e.bootstrap.admin-api-key is not a well-formed S4E API key "
                    + "(s4e_live_ + 26 characters + 6-character CRC-32 checksum)");
        }
    }

    /** Ensures the admin user, then the admin key. */
    Mono<Void> bootstrap() {
        Mono<UserRecord> admin = hasText(properties.adminEmail())
                ? ensureUser(properties.adminEmail(), properties.adminPassword())
                : Mono.empty();
        if (!hasText(properties.adminApiKey())) {
            return admin.then();
        }
        return admin
                .switchIfEmpty(Mono.defer(() -> ensureUser(SERVICE_USER, null)))
                .flatMap(owner -> keys.ensureKey(owner.id(), "bootstrap admin key", List.of(Scopes.ADMIN),
                        properties.adminApiKey()))
                .doOnNext(created -> log.info(created ? "Bootstrap admin API key created ({}…)"
                        : "Bootstrap admin API key already present ({}…)",
                        ApiKeyFormat.displayPrefix(properties.adminApiKey())))
                .then();
    }

    private Mono<UserRecord> ensureUser(String email, String password) {
        Mono<String> hash = password == null ? Mono.just("") : passwords.hash(password);
        return users.findByEmail(email)
                .switchIfEmpty(Mono.defer(() -> hash
                        .flatMap(h -> users.insertIfAbsent(email, h.isEmpty() ? null : h, "admin", "enterprise"))
                        .doOnNext(u -> log.info("Bootstrap admin user created (id {})", u.id()))
                        .switchIfEmpty(Mono.defer(() -> users.findByEmail(email)))));
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
