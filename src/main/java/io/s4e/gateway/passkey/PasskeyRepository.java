package io.s4e.gateway.passkey;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * Passkeys and WebAuthn user handles in PostgreSQL, over R2DBC. Errors of the database are passed on as they are;
 * callers turn them into 503.
 */
@Repository
public class PasskeyRepository {

    /** Bytes of a new user handle (WebAuthn allows up to 64; at least 16 keep it unguessable). */
    static final int USER_HANDLE_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String COLUMNS = "id, user_id, credential_id, attested_credential_data, sign_count, "
            + "uv_initialized, backup_eligible, backed_up, transports, attestation_format, name, created_at, "
            + "last_used_at";

    private final DatabaseClient db;

    public PasskeyRepository(DatabaseClient db) {
        this.db = db;
    }

    /**
     * The WebAuthn user handle of {@code userId}, made (random, {@value #USER_HANDLE_BYTES} bytes) on first use.
     *
     * @return the handle; empty when there is no such user
     */
    public Mono<byte[]> userHandle(long userId) {
        return existingHandle(userId)
                .switchIfEmpty(Mono.defer(() -> newHandle()
                        .flatMap(handle -> db.sql("INSERT INTO webauthn_user_handles (user_id, user_handle) "
                                        + "SELECT id, :handle FROM users WHERE id = :id ON CONFLICT (user_id) DO NOTHING")
                                .bind("id", userId)
                                .bind("handle", handle)
                                .then())
                        .then(existingHandle(userId))));
    }

    private Mono<byte[]> existingHandle(long userId) {
        return db.sql("SELECT user_handle FROM webauthn_user_handles WHERE user_id = :id")
                .bind("id", userId)
                .map(row -> row.get("user_handle", byte[].class))
                .one();
    }

    /** The user whose handle is {@code handle}; empty when none. */
    public Mono<Long> userOfHandle(byte[] handle) {
        return db.sql("SELECT user_id FROM webauthn_user_handles WHERE user_handle = :handle")
                .bind("handle", handle)
                .map(row -> row.get("user_id", Long.class))
                .one();
    }

    /** The passkeys of {@code userId}, oldest first. */
    public Flux<PasskeyRecord> listOf(long userId) {
        return db.sql("SELECT " + COLUMNS + " FROM passkeys WHERE user_id = :user ORDER BY created_at, id")
                .bind("user", userId)
                .map(PasskeyRepository::row)
                .all();
    }

    /** How many passkeys {@code userId} has (for the account summary). */
    public Mono<Long> countOf(long userId) {
        return db.sql("SELECT count(*) AS n FROM passkeys WHERE user_id = :user")
                .bind("user", userId)
                .map(row -> row.get("n", Long.class))
                .one()
                .defaultIfEmpty(0L);
    }

    /** The passkey whose credential id is {@code credentialId}; empty when none. */
    public Mono<PasskeyRecord> findByCredentialId(byte[] credentialId) {
        return db.sql("SELECT " + COLUMNS + " FROM passkeys WHERE credential_id = :credential")
                .bind("credential", credentialId)
                .map(PasskeyRepository::row)
                .one();
    }

    /**
     * Stores a new passkey of {@code userId}, unless the user already has {@code max} of them.
     *
     * @return the stored passkey; empty when the user has {@code max} passkeys; an error
     *         ({@code DuplicateKeyException}) when the credential id is registered already
     */
    public Mono<PasskeyRecord> insert(long userId, byte[] credentialId, byte[] attestedCredentialData, long signCount,
                                      boolean uvInitialized, boolean backupEligible, boolean backedUp,
                                      List<String> transports, String attestationFormat, String name, int max) {
        return db.sql("INSERT INTO passkeys (user_id, credential_id, attested_credential_data, sign_count, "
                        + "uv_initialized, backup_eligible, backed_up, transports, attestation_format, name) "
                        + "SELECT :user, :credential, :data, :count, :uv, :be, :bs, :transports, :format, :name "
                        + "WHERE (SELECT count(*) FROM passkeys WHERE user_id = :user) < :max "
                        + "RETURNING " + COLUMNS)
                .bind("user", userId)
                .bind("credential", credentialId)
                .bind("data", attestedCredentialData)
                .bind("count", signCount)
                .bind("uv", uvInitialized)
                .bind("be", backupEligible)
                .bind("bs", backedUp)
                .bind("transports", transports.toArray(String[]::new))
                .bind("format", attestationFormat)
                .bind("name", name)
                .bind("max", max)
                .map(PasskeyRepository::row)
                .one();
    }

    /**
     * Records a sign-in with passkey {@code id} whose signature counter was {@code signCount}, in one
     * compare-and-set: the counter must be greater than the stored one, or both must be zero (an authenticator
     * without a counter).
     *
     * @return true when recorded; false when the counter did not increase (a cloned authenticator or a replay)
     */
    public Mono<Boolean> recordUse(long id, long signCount, boolean uvSeen, boolean backedUp) {
        return db.sql("UPDATE passkeys SET sign_count = :count, last_used_at = now(), backed_up = :bs, "
                        + "uv_initialized = uv_initialized OR :uv "
                        + "WHERE id = :id AND (sign_count < :count OR (sign_count = 0 AND :count = 0)) RETURNING id")
                .bind("id", id)
                .bind("count", signCount)
                .bind("uv", uvSeen)
                .bind("bs", backedUp)
                .map(row -> row.get("id", Long.class))
                .one()
                .hasElement();
    }

    /**
     * Renames passkey {@code id} of {@code userId}.
     *
     * @return the renamed passkey; empty when the user has no such passkey
     */
    public Mono<PasskeyRecord> rename(long userId, long id, String name) {
        return db.sql("UPDATE passkeys SET name = :name WHERE id = :id AND user_id = :user RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("user", userId)
                .bind("name", name)
                .map(PasskeyRepository::row)
                .one();
    }

    /**
     * Deletes passkey {@code id} of {@code userId}.
     *
     * @return the deleted passkey; empty when the user has no such passkey
     */
    public Mono<PasskeyRecord> delete(long userId, long id) {
        return db.sql("DELETE FROM passkeys WHERE id = :id AND user_id = :user RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("user", userId)
                .map(PasskeyRepository::row)
                .one();
    }

    /**
     * Deletes every passkey of {@code userId} (the admin MFA reset); the user handle stays, so a passkey added
     * later is still found by the same handle.
     *
     * @return how many were deleted
     */
    public Mono<Long> deleteAllOf(long userId) {
        return db.sql("DELETE FROM passkeys WHERE user_id = :user")
                .bind("user", userId)
                .fetch()
                .rowsUpdated();
    }

    private static Mono<byte[]> newHandle() {
        return Mono.fromCallable(() -> {
            byte[] handle = new byte[USER_HANDLE_BYTES];
            RANDOM.nextBytes(handle);
            return handle;
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private static PasskeyRecord row(Readable row) {
        String[] transports = row.get("transports", String[].class);
        return new PasskeyRecord(
                row.get("id", Long.class),
                row.get("user_id", Long.class),
                row.get("credential_id", byte[].class),
                row.get("attested_credential_data", byte[].class),
                row.get("sign_count", Long.class),
                Boolean.TRUE.equals(row.get("uv_initialized", Boolean.class)),
                Boolean.TRUE.equals(row.get("backup_eligible", Boolean.class)),
                Boolean.TRUE.equals(row.get("backed_up", Boolean.class)),
                transports == null ? List.of() : List.of(transports),
                row.get("attestation_format", String.class),
                row.get("name", String.class),
                row.get("created_at", Instant.class),
                row.get("last_used_at", Instant.class));
    }
}
