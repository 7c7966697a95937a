package io.s4e.gateway.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link InvalidatedCache} with a bus that has no Redis behind it: a replica applies its own messages at once, which
 * is all these tests need.
 */
class InvalidatedCacheTests {

    private static final Duration LONG = Duration.ofMinutes(5);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final InvalidationBus bus = new InvalidationBus(null, null, new RedisKeyProperties(null), meters);
    private final AtomicInteger loads = new AtomicInteger();
    private final InvalidatedCache<Entry> cache = new InvalidatedCache<Entry>("test.entries", 100, Entry::ttl, meters)
            .forgetKeyOn(bus, "entry")
            .forgetMatchingOn(bus, "owner", owner -> entry -> entry.owner().equals(owner));

    @Test
    void loadWhenTwoCallersAskForOneUncachedKeyThenOneLoadAndBothGetItsValue() {
        Sinks.One<Entry> answer = Sinks.one();
        AtomicInteger answered = new AtomicInteger();
        cache.load("a", key -> countedLoad(answer.asMono())).subscribe(e -> answered.incrementAndGet());
        cache.load("a", key -> countedLoad(answer.asMono())).subscribe(e -> answered.incrementAndGet());

        answer.tryEmitValue(new Entry("alice", LONG));

        assertThat(loads).hasValue(1);
        assertThat(answered).hasValue(2);
        assertThat(cache.cached("a")).isEqualTo(new Entry("alice", LONG));
    }

    @Test
    void cachedCountsAHitOnlyForAUsableValueAndPeekCountsNothing() {
        load("a", new Entry("alice", LONG));

        assertThat(cache.peek("a")).isNotNull();
        assertThat(cache.peek("b")).isNull();
        assertThat(hits()).isZero();
        assertThat(cache.cached("a", entry -> entry.owner().equals("bob"))).isNull();
        assertThat(hits()).isZero();
        assertThat(cache.cached("a")).isNotNull();
        assertThat(hits()).isEqualTo(1);
    }

    @Test
    void loadWhenItFailsThenTheNextCallerLoadsAgain() {
        assertThatIllegalStateException().isThrownBy(() -> cache.load("a",
                key -> countedLoad(Mono.<Entry>error(new IllegalStateException("store down")))).block());

        assertThat(cache.peek("a")).isNull();
        assertThat(load("a", new Entry("alice", LONG))).isNotNull();
        assertThat(loads).hasValue(2);
    }

    @Test
    void loadWhenTheStoreHasNothingThenNothingIsCached() {
        assertThat(cache.load("a", key -> countedLoad(Mono.empty())).block()).isNull();

        assertThat(cache.peek("a")).isNull();
    }

    @Test
    void anEntryLivesNoLongerThanItsValueSays() {
        load("a", new Entry("alice", Duration.ZERO));
        load("b", new Entry("alice", Duration.ofSeconds(-1)));

        assertThat(cache.peek("a")).isNull();
        assertThat(cache.peek("b")).isNull();
    }

    @Test
    void aKeyMessageForgetsThatKeyOnly() {
        load("a", new Entry("alice", LONG));
        load("b", new Entry("alice", LONG));

        tell("entry", "a");

        assertThat(cache.peek("a")).isNull();
        assertThat(cache.peek("b")).isNotNull();
    }

    @Test
    void aMatchingMessageForgetsTheEntriesItMatches() {
        load("a", new Entry("alice", LONG));
        load("b", new Entry("bob", LONG));

        tell("owner", "alice");

        assertThat(cache.peek("a")).isNull();
        assertThat(cache.peek("b")).isNotNull();
    }

    @Test
    void theAllMessageForgetsEverything() {
        load("a", new Entry("alice", LONG));
        load("b", new Entry("bob", LONG));

        tell(InvalidationBus.ALL, "");

        assertThat(cache.peek("a")).isNull();
        assertThat(cache.peek("b")).isNull();
    }

    @Test
    void itsStatisticsArePublishedUnderItsName() {
        load("a", new Entry("alice", LONG));
        cache.cached("a");

        assertThat(meters.find("cache.gets").tag("cache", "test.entries").tag("result", "miss")
                .functionCounter()).isNotNull();
        assertThat(hits()).isEqualTo(1);
    }

    /** Applies a message on this replica; its publication to other replicas fails, there being no Redis. */
    private void tell(String topic, String value) {
        bus.publish(topic, value).onErrorComplete().block();
    }

    private Entry load(String key, Entry value) {
        return cache.load(key, k -> countedLoad(Mono.just(value))).block();
    }

    private Mono<Entry> countedLoad(Mono<Entry> answer) {
        loads.incrementAndGet();
        return answer;
    }

    private double hits() {
        FunctionCounter counter = meters.find("cache.gets").tag("cache", "test.entries").tag("result", "hit")
                .functionCounter();
        return counter == null ? 0 : counter.count();
    }

    private record Entry(String owner, Duration ttl) {
    }

    @Test
    void aKeyMessageDuringALoadKeepsWhatTheLoadBringsOutOfTheCache() {
        Sinks.One<Entry> answer = Sinks.one();
        AtomicInteger answered = new AtomicInteger();
        cache.load("a", key -> countedLoad(answer.asMono())).subscribe(e -> answered.incrementAndGet());

        tell("entry", "a");
        answer.tryEmitValue(new Entry("alice", LONG));

        assertThat(answered).hasValue(1);
        assertThat(cache.peek("a")).isNull();
    }

    @Test
    void aMatchingMessageDuringALoadKeepsWhatTheLoadBringsOutOfTheCache() {
        load("b", new Entry("bob", LONG));
        Sinks.One<Entry> answer = Sinks.one();
        AtomicInteger answered = new AtomicInteger();
        cache.load("a", key -> countedLoad(answer.asMono())).subscribe(e -> answered.incrementAndGet());

        tell("owner", "alice");
        answer.tryEmitValue(new Entry("alice", LONG));

        assertThat(answered).hasValue(1);
        assertThat(cache.peek("a")).isNull();
        assertThat(cache.peek("b")).isNotNull();
        assertThat(load("a", new Entry("alice", LONG))).isNotNull();
        assertThat(loads).hasValue(3);
    }
}
