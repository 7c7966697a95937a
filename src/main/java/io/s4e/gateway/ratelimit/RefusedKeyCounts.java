package io.s4e.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import io.s4e.gateway.reactive.LocalCaches;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Counts the refused API keys of each client IP in Redis without a Redis round trip per refusal (CONTRACT §7,
 * docs/rate-limits.md, "Refused keys"). Each replica keeps the refusals Redis has not counted yet and sends them in
 * one step when
 * <ul>
 *   <li>it is the IP's first refusal on this replica in a window (so a block made elsewhere is learnt at once),</li>
 *   <li>they reach 1/32 of what the window has left before the block ({@code max} minus the count Redis last
 *       answered and minus what is on its way): far from the block many refusals go in one step; once that share
 *       is under 8 (fewer than 256 left, so always with the default of 20) every refusal goes alone, as before,</li>
 *   <li>or the oldest of them waited a second (on the next refusal, or by a sweep every second).</li>
 * </ul>
 * On one replica the block comes exactly at the {@code max}-th refusal, as with a round trip each: the replica holds
 * every refusal it has not sent and sends them long before they could reach the block. Across N replicas each holds
 * at most 1/32 of what it knows to be left, for at most a second: up to 8 replicas the block still comes at the
 * {@code max}-th refusal (RefusedKeyCountsTests plays random interleavings); beyond, it can come later by at most
 * (N − 1) × max / 32 refusals, within that second. No refusal is lost.
 */
@Component
public class RefusedKeyCounts implements SmartLifecycle {

    /** A replica holds at most this fraction (1/SPREAD) of what is left before the block. */
    static final int SPREAD = 32;
    /** Below this many refusals per step, every refusal is sent alone. */
    static final int MIN_BATCH = 8;
    /** Longest a refusal waits on this replica before it is sent. */
    static final Duration MAX_DELAY = Duration.ofSeconds(1);

    private final FailureLocks locks;
    private final RateLimitMetrics metrics;
    private final Clock clock;
    private final RateLimitProperties.RefusedKeys settings;
    private final Cache<String, Tally> tallies;
    private volatile Disposable sweep;

    public RefusedKeyCounts(FailureLocks locks, RateLimitMetrics metrics, Clock clock, RateLimitProperties properties) {
        this.locks = locks;
        this.metrics = metrics;
        this.clock = clock;
        this.settings = properties.refusedKeys();
        this.tallies = LocalCaches.builder()
                .maximumSize(properties.localCacheSize())
                .expireAfterAccess(settings.window().plus(MAX_DELAY))
                .build();
    }

    /**
     * Counts one refused key of client {@code subject} (the failure-lock subject of an IP).
     *
     * @return how long the subject is now locked; {@link Duration#ZERO} when it is not, or when this refusal is held
     *         on this replica (it cannot have reached the block); never an error
     */
    Mono<Duration> record(String subject) {
        Tally tally = tallies.get(subject, s -> new Tally());
        int send = tally.add(clock.millis(), settings.window().toMillis(), settings.maxFailures());
        if (send == 0) {
            metrics.servedFromReservation(LimitKind.REFUSED_KEYS);
            return Mono.just(Duration.ZERO);
        }
        return send(subject, tally, send);
    }

    private Mono<Duration> send(String subject, Tally tally, int failures) {
        return locks.fail(subject, failures, LimitKind.REFUSED_KEYS, settings.maxFailures(), settings.window(),
                        settings.blockDuration())
                .map(recorded -> {
                    if (recorded.locked().isZero()) {
                        tally.counted(recorded.counted(), failures);
                    } else {
                        tallies.invalidate(subject);
                    }
                    return recorded.locked();
                });
    }

    /** Sends what waited longer than {@link #MAX_DELAY}; returns when Redis answered for all of them. */
    Mono<Void> sendOverdue() {
        long now = clock.millis();
        return Flux.fromIterable(tallies.asMap().entrySet())
                .flatMap(entry -> {
                    int overdue = entry.getValue().drainOverdue(now);
                    return overdue == 0 ? Mono.empty() : send(entry.getKey(), entry.getValue(), overdue);
                }, 16)
                .then();
    }

    /** Forgets what this replica holds for {@code subject} (all subjects when null), after a lockout was lifted. */
    void forget(String subject) {
        if (subject == null) {
            tallies.invalidateAll();
        } else {
            tallies.invalidate(subject);
        }
    }

    @Override
    public void start() {
        sweep = Flux.interval(MAX_DELAY, MAX_DELAY)
                .onBackpressureDrop()
                .concatMap(tick -> sendOverdue().onErrorComplete())
                .subscribe();
    }

    @Override
    public void stop(Runnable callback) {
        Disposable current = sweep;
        if (current != null) {
            current.dispose();
        }
        Flux.fromIterable(tallies.asMap().entrySet())
                .flatMap(entry -> {
                    int held = entry.getValue().drainAll();
                    return held == 0 ? Mono.empty() : send(entry.getKey(), entry.getValue(), held);
                }, 16)
                .then()
                .timeout(Duration.ofSeconds(2))
                .onErrorComplete()
                .doFinally(signal -> callback.run())
                .subscribe();
    }

    @Override
    public void stop() {
        stop(() -> { });
    }

    @Override
    public boolean isRunning() {
        Disposable current = sweep;
        return current != null && !current.isDisposed();
    }

    @Override
    public int getPhase() {
        // stopped after the web server (which drains in-flight requests first)
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    /** The refusals of one subject on this replica that Redis has not counted yet. */
    static final class Tally {

        private long windowEnds;
        /** The window's count in Redis at its last answer. */
        private long known;
        private int pending;
        /** Sent and not answered yet. */
        private long inFlight;
        private long oldestPending;

        /**
         * Counts one refusal at {@code now}.
         *
         * @return how many refusals to send now (this one included); 0 to hold them
         */
        synchronized int add(long now, long windowMillis, int max) {
            boolean fresh = now >= windowEnds;
            if (fresh) {
                windowEnds = now + windowMillis;
                known = 0;
            }
            if (pending == 0) {
                oldestPending = now;
            }
            pending++;
            long share = (max - known - inFlight) / SPREAD;
            long threshold = share >= MIN_BATCH ? share : 1;
            if (fresh || pending >= threshold || now - oldestPending >= MAX_DELAY.toMillis()) {
                return drainAll();
            }
            return 0;
        }

        synchronized int drainOverdue(long now) {
            return pending > 0 && now - oldestPending >= MAX_DELAY.toMillis() ? drainAll() : 0;
        }

        synchronized int drainAll() {
            int held = pending;
            pending = 0;
            inFlight += held;
            return held;
        }

        synchronized void counted(long count, int sent) {
            inFlight = Math.max(0, inFlight - sent);
            known = Math.max(known, count);
        }
    }
}
