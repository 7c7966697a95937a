package io.s4e.gateway.user;

import java.time.Instant;

import io.r2dbc.spi.Readable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/** Users in PostgreSQL, over R2DBC. */
@Repository
public class UserRepository {

    private static final String COLUMNS = "id, email, password_hash, role, tier, disabled, created_at";

    private final DatabaseClient db;

    public UserRepository(DatabaseClient db) {
        this.db = db;
    }

    /** The user with {@code email} (case-insensitive); empty when there is none. */
    public Mono<UserRecord> findByEmail(String email) {
        return db.sql("SELECT " + COLUMNS + " FROM users WHERE lower(email) = lower(:email)")
                .bind("email", email)
                .map(UserRepository::user)
                .one();
    }

    /**
     * Inserts a user, or does nothing when the email exists.
     *
     * @return the new user; empty when the email was taken
     */
    public Mono<UserRecord> insertIfAbsent(String email, String passwordHash, String role, String tier) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("INSERT INTO users (email, password_hash, role, tier) "
                        + "VALUES (:email, :hash, :role, :tier) ON CONFLICT DO NOTHING RETURNING " + COLUMNS)
                .bind("email", email)
                .bind("role", role)
                .bind("tier", tier);
        spec = passwordHash == null ? spec.bindNull("hash", String.class) : spec.bind("hash", passwordHash);
        return spec.map(UserRepository::user).one();
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
