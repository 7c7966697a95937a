package io.s4e.gateway.apikey;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.s4e.gateway.cluster.ReadDatabase;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.reactive.TransactionalOperator;

/** API keys in PostgreSQL, over R2DBC. Secrets never pass through here: only their hashes. */
@Repository
public class ApiKeyRepository {

    private static final String COLUMNS = "id, user_id, name, prefix, last4, scopes, created_at, secret_created_at, "
            + "expires_at, last_used, revoked_at";

    private static final String VERIFICATION = """
            SELECT k.id, k.user_id, k.scopes, k.expires_at, (k.key_hash <> :hash) AS matched_previous,
                   k.previous_expires_at, u.email, u.role, u.disabled
            FROM api_keys k JOIN users u ON u.id = k.user_id
            WHERE (k.key_hash = :hash OR k.previous_hash = :hash) AND k.revoked_at IS NULL
            """;

    private final DatabaseClient db;
    private final TransactionalOperator transactions;
    private final ReadDatabase reads;

    public ApiKeyRepository(DatabaseClient db) {
        this(db, null);
    }

    @Autowired
    public ApiKeyRepository(DatabaseClient db, ReadDatabase reads) {
        this.db = db;
        this.transactions = db == null ? null
                : TransactionalOperator.create(new R2dbcTransactionManager(db.getConnectionFactory()));
        this.reads = reads;
    }

    /**
     * The active (not revoked) key whose current or previous secret has {@code hash}, with its owner. With a read
     * pool, a replica answers when it has replayed every change that took access away ({@link ReadDatabase}); the
     * primary answers otherwise, and when the replica does not know the key (it may be newer than the replica).
     *
     * @return the row; empty when no active key matches
     */
    Mono<KeyOwnerRow> findForVerification(String hash) {
        if (reads == null || !reads.separate()) {
            return verification(db.sql(VERIFICATION), hash);
        }
        return reads.fence()
                .flatMap(fence -> verification(reads.reads().sql(VERIFICATION + " AND "
                        + ReadDatabase.REPLAYED_TO_FENCE).bind("fence", fence), hash))
                .doOnNext(found -> reads.servedByReplica())
                .onErrorResume(unavailable -> Mono.empty())
                .switchIfEmpty(Mono.defer(() -> {
                    reads.servedByPrimary();
                    return verification(db.sql(VERIFICATION), hash);
                }));
    }

    private static Mono<KeyOwnerRow> verification(DatabaseClient.GenericExecuteSpec spec, String hash) {
        return spec
                .bind("hash", hash)
                .map(row -> new KeyOwnerRow(
                        row.get("id", String.class),
                        row.get("user_id", Long.class),
                        scopes(row),
                        row.get("expires_at", Instant.class),
                        Boolean.TRUE.equals(row.get("matched_previous", Boolean.class)),
                        row.get("previous_expires_at", Instant.class),
                        row.get("email", String.class),
                        row.get("role", String.class),
                        Boolean.TRUE.equals(row.get("disabled", Boolean.class))))
                .first();
    }

    /**
     * Inserts a key unless {@code userId} already has {@code maxActive} active keys (neither revoked nor expired at
     * {@code now}). The owner's row is locked first, in the same transaction as the count and the insert, so
     * concurrent creations for one user are counted one after another and never exceed the cap together.
     *
     * @return the stored key; empty when the user has {@code maxActive} active keys; an error
     *         ({@code DuplicateKeyException}) when the id is taken
     */
    Mono<ApiKeyRecord> insertWithinCap(String id, long userId, String name, String hash, String prefix, String last4,
                                       List<String> scopes, Instant expiresAt, int maxActive, Instant now) {
        Mono<ApiKeyRecord> capped = db.sql("SELECT id FROM users WHERE id = :userId FOR UPDATE")
                .bind("userId", userId)
                .map(row -> row.get("id", Long.class))
                .one()
                .then(db.sql("SELECT count(*) AS active FROM api_keys WHERE user_id = :userId AND revoked_at IS NULL "
                                + "AND (expires_at IS NULL OR expires_at > :now)")
                        .bind("userId", userId)
                        .bind("now", now)
                        .map(row -> row.get("active", Long.class))
                        .one())
                .filter(active -> active < maxActive)
                .flatMap(active -> insert(id, userId, name, hash, prefix, last4, scopes, expiresAt));
        return transactions.transactional(capped);
    }

    /**
     * Inserts a key.
     *
     * @return the stored key; an error ({@code DuplicateKeyException}) when the id is taken
     */
    private Mono<ApiKeyRecord> insert(String id, long userId, String name, String hash, String prefix, String last4,
                                      List<String> scopes, Instant expiresAt) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("INSERT INTO api_keys (id, user_id, name, key_hash, prefix, "
                        + "last4, scopes, expires_at) VALUES (:id, :userId, :name, :hash, :prefix, :last4, :scopes, "
                        + ":expiresAt) RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("userId", userId)
                .bind("name", name)
                .bind("hash", hash)
                .bind("prefix", prefix)
                .bind("last4", last4)
                .bind("scopes", scopes.toArray(String[]::new));
        spec = expiresAt == null ? spec.bindNull("expiresAt", Instant.class) : spec.bind("expiresAt", expiresAt);
        return spec.map(ApiKeyRepository::record).one();
    }

    /**
     * Inserts the bootstrap key, in one statement with its claim in {@code bootstrap_keys}, so a secret becomes a key
     * at most once, whatever happens to the key later and however many replicas start together.
     *
     * @return the stored key; empty when this secret was bootstrapped before
     */
    Mono<ApiKeyRecord> insertBootstrapKey(String id, long userId, String name, String hash, String prefix, String last4,
                                          List<String> scopes) {
        return db.sql("WITH claim AS (INSERT INTO bootstrap_keys (key_hash) VALUES (:hash) ON CONFLICT DO NOTHING "
                        + "RETURNING key_hash) INSERT INTO api_keys (id, user_id, name, key_hash, prefix, last4, scopes) "
                        + "SELECT :id, :userId, :name, claim.key_hash, :prefix, :last4, :scopes FROM claim RETURNING "
                        + COLUMNS)
                .bind("id", id)
                .bind("userId", userId)
                .bind("name", name)
                .bind("hash", hash)
                .bind("prefix", prefix)
                .bind("last4", last4)
                .bind("scopes", scopes.toArray(String[]::new))
                .map(ApiKeyRepository::record)
                .one();
    }

    /** The key {@code id}; empty when there is none. */
    Mono<ApiKeyRecord> findById(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
                .bind("id", id)
                .map(ApiKeyRepository::record)
                .one();
    }

    /** The keys of {@code userId} (every user's when null), newest first, at most {@code limit}. */
    Flux<ApiKeyRecord> list(Long userId, int limit) {
        String where = userId == null ? "" : " WHERE user_id = :userId";
        DatabaseClient.GenericExecuteSpec spec = db.sql("SELECT " + COLUMNS + " FROM api_keys" + where
                        + " ORDER BY created_at DESC, id LIMIT :limit")
                .bind("limit", limit);
        if (userId != null) {
            spec = spec.bind("userId", userId);
        }
        return spec.map(ApiKeyRepository::record).all();
    }

    /**
     * Revokes {@code id}.
     *
     * @return the hashes (current and previous) that stop working; empty when the key is unknown or already revoked
     */
    Flux<String> revoke(String id) {
        return db.sql("UPDATE api_keys SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL "
                        + "RETURNING key_hash, previous_hash")
                .bind("id", id)
                .map(row -> hashes(row.get("key_hash", String.class), row.get("previous_hash", String.class)))
                .one()
                .defaultIfEmpty(List.of()) // a revocation retried after a failed fence fences again
                .flatMap(this::fenced)
                .flatMapIterable(list -> list);
    }

    /** {@code value} once the read fence holds this change (see {@link ReadDatabase#advance()}). */
    private <T> Mono<T> fenced(T value) {
        return reads == null ? Mono.just(value) : reads.advance().thenReturn(value);
    }

    /** The result of a rotation: the stored key and the hashes whose cached verdicts are stale. */
    record Rotation(ApiKeyRecord key, List<String> staleHashes) {
    }

    /**
     * Replaces the secret of active key {@code id}; the old secret keeps working until {@code graceEnd}, and a secret
     * still in an earlier grace period stops working now.
     *
     * @return the rotation; empty when the key is unknown, revoked, or expired at {@code now}
     */
    Mono<Rotation> rotate(String id, String newHash, String prefix, String last4, Instant graceEnd, Instant now) {
        return db.sql("""
                        WITH old AS (SELECT id, key_hash AS old_hash, previous_hash AS older_hash
                                     FROM api_keys WHERE id = :id AND revoked_at IS NULL
                                       AND (expires_at IS NULL OR expires_at > :now) FOR UPDATE)
                        UPDATE api_keys k
                        SET previous_hash = old.old_hash, previous_expires_at = :graceEnd, key_hash = :hash,
                            prefix = :prefix, last4 = :last4, secret_created_at = now()
                        FROM old WHERE k.id = old.id
                        RETURNING k.id, k.user_id, k.name, k.prefix, k.last4, k.scopes, k.created_at,
                                  k.secret_created_at, k.expires_at, k.last_used, k.revoked_at,
                                  old.old_hash, old.older_hash
                        """)
                .bind("id", id)
                .bind("graceEnd", graceEnd)
                .bind("now", now)
                .bind("hash", newHash)
                .bind("prefix", prefix)
                .bind("last4", last4)
                .map(row -> new Rotation(record(row),
                        hashes(row.get("old_hash", String.class), row.get("older_hash", String.class))))
                .one()
                .flatMap(this::fenced);
    }

    /**
     * Writes {@code last_used} for many keys in one statement; a value never moves backwards.
     *
     * @return the number of keys updated
     */
    Mono<Long> touchLastUsed(Map<String, Instant> lastUsedById) {
        if (lastUsedById.isEmpty()) {
            return Mono.just(0L);
        }
        String[] ids = lastUsedById.keySet().toArray(String[]::new);
        Instant[] times = Arrays.stream(ids).map(lastUsedById::get).toArray(Instant[]::new);
        return db.sql("""
                        UPDATE api_keys k SET last_used = u.t
                        FROM unnest(CAST(:ids AS text[]), CAST(:times AS timestamptz[])) AS u(id, t)
                        WHERE k.id = u.id AND (k.last_used IS NULL OR k.last_used < u.t)
                        """)
                .bind("ids", ids)
                .bind("times", times)
                .fetch()
                .rowsUpdated();
    }

    private static List<String> hashes(String first, String second) {
        return second == null ? List.of(first.trim()) : List.of(first.trim(), second.trim());
    }

    private static List<String> scopes(Readable row) {
        String[] scopes = row.get("scopes", String[].class);
        return scopes == null ? List.of() : List.of(scopes);
    }

    private static ApiKeyRecord record(Readable row) {
        return new ApiKeyRecord(
                row.get("id", String.class),
                row.get("user_id", Long.class),
                row.get("name", String.class),
                row.get("prefix", String.class),
                row.get("last4", String.class),
                scopes(row),
                row.get("created_at", Instant.class),
                row.get("secret_created_at", Instant.class),
                row.get("expires_at", Instant.class),
                row.get("last_used", Instant.class),
                row.get("revoked_at", Instant.class));
    }
}
