package io.s4e.gateway.cluster;

import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.s4e.gateway.web.Errors;
import io.s4e.gateway.web.GatewayException;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * The read pool: with {@code s4e.datasource.read-url} set (PostgreSQL replicas, e.g.
 * {@code r2dbc:postgresql:failover://replica1,replica2/db?targetServerType=preferSecondary}), uncached API key
 * lookups, account tier lookups and audit-log queries read from it, and the primary carries the writes. Without it,
 * every read goes to the primary ({@link #reads()} is the primary's client).
 * <p>
 * A replica lags. So that a revoked key, a rotated-out secret or a disabled user is never let through by a replica
 * that has not applied the change yet, every such change moves a <em>fence</em> in Redis to the primary's WAL
 * position after its commit ({@code <prefix>read-fence}, one key). A key found on a replica counts only when the
 * replica has replayed WAL up to the fence, which the lookup checks in the same statement; otherwise, or when the
 * replica or Redis cannot answer, or when the key is not found there (it may be too new), the primary is asked.
 * A change whose fence cannot be written (Redis unreachable) is answered 503; repeating it writes the fence.
 */
@Component
public class ReadDatabase implements DisposableBean {

    private static final Duration FENCE_TIMEOUT = Duration.ofMillis(500);

    /**
     * Raises the fence to ARGV[1] unless it is higher already. Redis Cluster: one key only, so always one slot.
     */
    private static final RedisScript<Long> RAISE = RedisScript.of("""
            local current = tonumber(redis.call('GET', KEYS[1]) or '0')
            local wanted = tonumber(ARGV[1])
            if wanted > current then redis.call('SET', KEYS[1], ARGV[1]) return wanted end
            return current
            """, Long.class);

    /**
     * The condition a row read from the pool must meet: the server is a primary (a promoted replica, or the primary
     * that {@code preferSecondary} falls back to), or a standby that has replayed WAL up to {@code :fence}.
     */
    public static final String REPLAYED_TO_FENCE = "(NOT pg_is_in_recovery() "
            + "OR (pg_last_wal_replay_lsn() - '0/0'::pg_lsn) >= :fence)";

    private final DatabaseClient primary;
    private final DatabaseClient reads;
    private final ConnectionPool pool;
    private final ReactiveStringRedisTemplate redis;
    private final String fenceKey;
    private final Counter replicaReads;
    private final Counter primaryReads;

    public ReadDatabase(DatabaseClient primary, ReactiveStringRedisTemplate redis, RedisKeyProperties keys,
                        MeterRegistry meters,
                        @Value("${s4e.datasource.read-url:}") String url,
                        @Value("${s4e.datasource.read-username:${spring.r2dbc.username:}}") String username,
                        @Value("${s4e.datasource.read-password:${spring.r2dbc.password:}}") String password,
                        @Value("${s4e.datasource.read-pool-size:10}") int poolSize) {
        this.primary = primary;
        this.redis = redis;
        this.fenceKey = keys.keyPrefix() + "read-fence";
        this.replicaReads = meters.counter("s4e.db.reads", "pool", "read");
        this.primaryReads = meters.counter("s4e.db.reads", "pool", "primary");
        if (url == null || url.isBlank()) {
            this.pool = null;
            this.reads = primary;
        } else {
            ConnectionFactoryOptions.Builder options = ConnectionFactoryOptions.parse(url).mutate();
            if (!username.isBlank()) {
                options.option(ConnectionFactoryOptions.USER, username);
            }
            if (!password.isBlank()) {
                options.option(ConnectionFactoryOptions.PASSWORD, password);
            }
            this.pool = new ConnectionPool(ConnectionPoolConfiguration
                    .builder(ConnectionFactories.get(options.build()))
                    .name("s4e-read")
                    .maxSize(poolSize)
                    .initialSize(0)
                    .maxAcquireTime(Duration.ofSeconds(2))
                    .maxIdleTime(Duration.ofMinutes(5))
                    .validationQuery("SELECT 1")
                    .build());
            this.reads = DatabaseClient.create(pool);
        }
    }

    /** Whether reads have a pool of their own (a read URL is set). */
    public boolean separate() {
        return pool != null;
    }

    /** The client for reads: the read pool, or the primary's when there is none. */
    public DatabaseClient reads() {
        return reads;
    }

    /**
     * Moves the fence to the primary's current WAL position: to be called after a change that takes access away
     * has committed, before it is announced. Nothing to do without a read pool.
     *
     * @return completes when the fence holds the position; an error when the primary or Redis cannot answer
     */
    public Mono<Void> advance() {
        if (!separate()) {
            return Mono.empty();
        }
        return primary.sql("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS lsn")
                .map(row -> row.get("lsn", Long.class))
                .one()
                .flatMap(lsn -> redis.execute(RAISE, List.of(fenceKey), List.of(Long.toString(lsn))).next())
                .timeout(FENCE_TIMEOUT.multipliedBy(4))
                .onErrorMap(e -> !(e instanceof GatewayException), e -> Errors.unavailable("The change is stored, "
                        + "but the read replicas cannot be fenced right now. Repeat the request shortly."))
                .then();
    }

    /**
     * The fence: the WAL position a replica must have replayed for its rows to count.
     *
     * @return the position (0 when nothing was fenced yet); an error when Redis cannot answer in time
     */
    public Mono<Long> fence() {
        return redis.opsForValue().get(fenceKey)
                .map(Long::parseLong)
                .defaultIfEmpty(0L)
                .timeout(FENCE_TIMEOUT);
    }

    /** Counts one lookup answered by the read pool. */
    public void servedByReplica() {
        replicaReads.increment();
    }

    /** Counts one lookup that had to ask the primary although a read pool exists. */
    public void servedByPrimary() {
        primaryReads.increment();
    }

    @Override
    public void destroy() {
        if (pool != null) {
            pool.dispose();
        }
    }
}
