package io.s4e.gateway.user;

import java.time.Instant;

import java.util.Collection;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.s4e.gateway.cluster.ReadDatabase;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** Users in PostgreSQL, over R2DBC. */
@Repository
public class UserRepository {

    private static final String COLUMNS = "id, email, password_hash, role, tier, disabled, created_at";

    private final DatabaseClient db;

    private final ReadDatabase reads;

    public UserRepository(DatabaseClient db) {
        this(db, null);
    }

    @Autowired
    public UserRepository(DatabaseClient db, ReadDatabase reads) {
        this.db = db;
        this.reads = reads;
        EmailAddress.warmUp();
    }

    /**
     * The user {@code id} as the read pool sees it (the primary without one): for what may lag a moment behind, such
     * as the account tier of rate limits. Never for a login or a session, which must see a disabled user at once.
     */
    public Mono<UserRecord> findByIdForReads(long id) {
        DatabaseClient client = reads == null ? db : reads.reads();
        return client.sql("SELECT " + COLUMNS + " FROM users WHERE id = :id")
                .bind("id", id)
                .map(UserRepository::user)
                .one();
    }

    /**
     * The user whose e-mail has the canonical form of {@code email} ({@link EmailAddress#canonical(String)}, the same
     * key the login lock uses); empty when there is none.
     */
    public Mono<UserRecord> findByEmail(String email) {
        return db.sql("SELECT " + COLUMNS + " FROM users WHERE email_canonical = :canonical")
                .bind("canonical", EmailAddress.canonical(email))
                .map(UserRepository::user)
                .one();
    }

    /**
     * Inserts a user, or does nothing when a user has the same canonical e-mail.
     *
     * @return the new user; empty when the email was taken
     */
    public Mono<UserRecord> insertIfAbsent(String email, String passwordHash, String role, String tier) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("INSERT INTO users (email, email_canonical, password_hash, "
                        + "role, tier) VALUES (:email, :canonical, :hash, :role, :tier) ON CONFLICT DO NOTHING "
                        + "RETURNING " + COLUMNS)
                .bind("email", email)
                .bind("canonical", EmailAddress.canonical(email))
                .bind("role", role)
                .bind("tier", tier);
        spec = passwordHash == null ? spec.bindNull("hash", String.class) : spec.bind("hash", passwordHash);
        return spec.map(UserRepository::user).one();
    }

    /** The user {@code id}; empty when there is none. */
    public Mono<UserRecord> findById(long id) {
        return db.sql("SELECT " + COLUMNS + " FROM users WHERE id = :id")
                .bind("id", id)
                .map(UserRepository::user)
                .one();
    }

    /** At most {@code limit} users, newest first. */
    public Flux<UserRecord> list(int limit) {
        return db.sql("SELECT " + COLUMNS + " FROM users ORDER BY created_at DESC, id DESC LIMIT :limit")
                .bind("limit", limit)
                .map(UserRepository::user)
                .all();
    }

    /**
     * Changes the given fields (null: unchanged) of user {@code id}, unless that would leave no active admin: an
     * enabled user whose role is one of {@code adminRoles}. The active admins are locked for the statement, so two
     * admins demoting each other at once cannot both succeed.
     *
     * @return the changed user; empty when there is no such user or the change would remove the last active admin
     */
    public Mono<UserRecord> updateKeepingAnAdmin(long id, String role, String tier, Boolean disabled,
                                                 Collection<String> adminRoles) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("""
                        WITH active_admins AS (
                            SELECT id FROM users WHERE role = ANY(:adminRoles) AND NOT disabled ORDER BY id FOR UPDATE)
                        UPDATE users SET role = COALESCE(:role, role), tier = COALESCE(:tier, tier),
                                         disabled = COALESCE(:disabled, disabled), updated_at = now()
                        WHERE id = :id
                          AND ((COALESCE(:role, role) = ANY(:adminRoles) AND NOT COALESCE(:disabled, disabled))
                               OR id NOT IN (SELECT id FROM active_admins)
                               OR (SELECT count(*) FROM active_admins) > 1)
                        RETURNING\s""" + COLUMNS)
                .bind("id", id)
                .bind("adminRoles", adminRoles.toArray(String[]::new));
        spec = role == null ? spec.bindNull("role", String.class) : spec.bind("role", role);
        spec = tier == null ? spec.bindNull("tier", String.class) : spec.bind("tier", tier);
        spec = disabled == null ? spec.bindNull("disabled", Boolean.class) : spec.bind("disabled", disabled);
        return spec.map(UserRepository::user).one()
                .flatMap(user -> reads == null ? Mono.just(user) : reads.advance().thenReturn(user));
    }

    /**
     * Replaces the password hash of user {@code id} when it is still {@code expectedHash} (a compare-and-set, so a
     * change or reset made meanwhile is never overwritten unseen).
     *
     * @return true when changed; false when the hash changed meanwhile or there is no such user
     */
    public Mono<Boolean> replacePasswordHash(long id, String expectedHash, String newHash) {
        return db.sql("UPDATE users SET password_hash = :hash, updated_at = now() "
                        + "WHERE id = :id AND password_hash = :expected RETURNING id")
                .bind("id", id)
                .bind("expected", expectedHash)
                .bind("hash", newHash)
                .map(row -> row.get("id", Long.class))
                .one()
                .hasElement();
    }

    private static UserRecord user(Readable row) {
        return new UserRecord(
                row.get("id", Long.class),
                row.get("email", String.class),
                row.get("password_hash", String.class),
                row.get("role", String.class),
                row.get("tier", String.class),
                Boolean.TRUE.equals(row.get("disabled", Boolean.class)),
                row.get("created_at", Instant.class));
    }
}
