package io.s4e.gateway.mfa;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Checks on every start, before the gateway reports ready, that the configured keys can read what is stored:
 * every key id under which a TOTP secret or a recovery code is stored must be in {@code s4e.mfa.encryption-keys},
 * otherwise the start stops with a message naming the missing ids and how many rows need each. A TOTP secret found
 * in plaintext (written by a replica of an older version during a rolling upgrade) is encrypted here; without a key
 * that too stops the start. With no key and nothing stored, the gateway starts and says loudly that TOTP enrolment
 * and recovery codes are refused until a key is set.
 */
@Component
public class StoredSecretsCheck implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(StoredSecretsCheck.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String KEY_IDS = """
            SELECT key_id, count(*) AS n FROM (
                SELECT split_part(totp_secret, ':', 2) AS key_id FROM users WHERE totp_secret LIKE 'v1:%'
                UNION ALL
                SELECT key_id FROM mfa_recovery_codes
            ) stored GROUP BY key_id""";
    private static final String PLAINTEXT = "SELECT id, totp_secret FROM users "
            + "WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1:%'";

    private final DatabaseClient db;
    private final MfaKeys keys;
    private final TotpSecretCipher cipher;

    public StoredSecretsCheck(DatabaseClient db, MfaKeys keys, TotpSecretCipher cipher) {
        this.db = db;
        this.keys = keys;
        this.cipher = cipher;
    }

    @Override
    public void run(ApplicationArguments args) {
        // The main thread, not an event loop: the gateway is not ready until the check is done.
        Map<String, Long> stored = db.sql(KEY_IDS)
                .map(row -> Map.entry(row.get("key_id", String.class), row.get("n", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, TreeMap::new)
                .block(TIMEOUT);
        requireKeys(stored == null ? Map.of() : stored);
        Integer sealed = sealPlaintext().block(TIMEOUT);
        if (sealed != null && sealed > 0) {
            log.warn("Encrypted {} TOTP secrets found in plaintext (written by an older version?)", sealed);
        }
        if (!keys.configured()) {
            log.warn("{} is not set: TOTP enrolment and recovery codes answer 503 until it is. Set it in production "
                    + "(k1:$(openssl rand -base64 32)); see docs/factors.md", MfaKeys.PROPERTY);
        }
    }

    /** Refuses to go on when a stored row needs a key id that is not configured. */
    void requireKeys(Map<String, Long> stored) {
        Map<String, Long> missing = new TreeMap<>(stored);
        missing.keySet().removeAll(keys.ids());
        if (missing.isEmpty()) {
            return;
        }
        if (!keys.configured()) {
            throw new IllegalStateException(MfaKeys.PROPERTY + " is not set, but the database holds "
                    + missing.values().stream().mapToLong(Long::longValue).sum() + " TOTP secrets or recovery codes "
                    + "encrypted under key ids " + missing.keySet() + ": set it, with those keys, to start");
        }
        throw new IllegalStateException(MfaKeys.PROPERTY + " lacks key ids " + missing.keySet() + " under which the "
                + "database holds " + missing + " TOTP secrets or recovery codes: keep old keys after the first "
                + "until nothing is stored under them (docs/factors.md)");
    }

    private Mono<Integer> sealPlaintext() {
        return db.sql(PLAINTEXT)
                .map(row -> new Plain(row.get("id", Long.class), row.get("totp_secret", String.class)))
                .all()
                .collectList()
                .flatMap(rows -> rows.isEmpty() ? Mono.just(0) : seal(rows));
    }

    private Mono<Integer> seal(List<Plain> rows) {
        if (!keys.configured()) {
            return Mono.error(new IllegalStateException("The database holds " + rows.size() + " TOTP secrets in "
                    + "plaintext and " + MfaKeys.PROPERTY + " is not set: set it to start"));
        }
        return Flux.fromIterable(rows)
                .concatMap(row -> cipher.seal(row.id(), row.secret())
                        .flatMap(sealed -> db.sql("UPDATE users SET totp_secret = :sealed "
                                        + "WHERE id = :id AND totp_secret = :plain")
                                .bind("sealed", sealed)
                                .bind("id", row.id())
                                .bind("plain", row.secret())
                                .fetch().rowsUpdated()))
                .reduce(0L, Long::sum)
                .map(Long::intValue);
    }

    private record Plain(long id, String secret) {

        @Override
        public String toString() {
            return "Plain[id=" + id + "]";
        }
    }
}
