package io.s4e.gateway.ratelimit;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batching rule of {@link RefusedKeyCounts}: several replicas' tallies in front of one shared count, refusals
 * arriving in random order (seeded, the seed printed), the block found exactly at the {@code max}-th refusal.
 */
class RefusedKeyCountsTests {

    private static final long WINDOW = 60_000;

    @ParameterizedTest(name = "{0} replicas, max {1}")
    @CsvSource({"1, 20", "2, 20", "8, 20", "1, 1000", "2, 1000", "4, 1000", "8, 1000", "8, 100000", "2, 257"})
    void blockWhenRefusalsInterleaveOverReplicasThenAtExactlyTheMaxthRefusal(int replicas, int max) {
        for (int run = 0; run < 50; run++) {
            long seed = new Random().nextLong();
            assertThat(blockedAt(replicas, max, new Random(seed))).as("seed " + seed).isEqualTo(max);
        }
    }

    @Test
    void refusalsWhenFarFromTheBlockThenOneStepForTheFirstAndThenOnePerSecond() {
        RefusedKeyCounts.Tally tally = new RefusedKeyCounts.Tally();
        assertThat(tally.add(0, WINDOW, 1_000_000_000)).as("the first of a window goes at once").isEqualTo(1);
        tally.counted(1, 1);
        int sent = 0;
        for (int ms = 1; ms < 1000; ms++) {
            sent += tally.add(ms, WINDOW, 1_000_000_000);
        }
        assertThat(sent).as("held for up to a second").isZero();
        assertThat(tally.add(1001, WINDOW, 1_000_000_000)).as("all that waited, in one step, once the oldest "
                + "waited a second").isEqualTo(1000);
    }

    @Test
    void sweepWhenRefusalsWaitedASecondThenTheyAreSentAndNotTwice() {
        RefusedKeyCounts.Tally tally = new RefusedKeyCounts.Tally();
        tally.add(0, WINDOW, 1_000_000);
        tally.counted(1, 1);
        tally.add(10, WINDOW, 1_000_000);
        tally.add(20, WINDOW, 1_000_000);
        assertThat(tally.drainOverdue(500)).isZero();
        assertThat(tally.drainOverdue(1010)).isEqualTo(2);
        assertThat(tally.drainOverdue(5000)).isZero();
    }

    @Test
    void refusalsWhenNearTheBlockThenEachGoesAlone() {
        RefusedKeyCounts.Tally tally = new RefusedKeyCounts.Tally();
        int max = 20;
        for (int i = 0; i < max; i++) {
            int sent = tally.add(i, WINDOW, max);
            assertThat(sent).as("refusal " + (i + 1)).isEqualTo(1);
            tally.counted(i + 1, 1);
        }
    }

    /** Plays refusals on random replicas against one shared count; returns the refusal at which it reached max. */
    private static long blockedAt(int replicas, int max, Random random) {
        RefusedKeyCounts.Tally[] tallies = new RefusedKeyCounts.Tally[replicas];
        for (int i = 0; i < replicas; i++) {
            tallies[i] = new RefusedKeyCounts.Tally();
        }
        long shared = 0;
        for (long refusal = 1; refusal <= 3L * max; refusal++) {
            RefusedKeyCounts.Tally tally = tallies[random.nextInt(replicas)];
            int sent = tally.add(refusal / 100, WINDOW, max);
            if (sent > 0) {
                shared += sent;
                if (shared >= max) {
                    return refusal;
                }
                tally.counted(shared, sent);
            }
        }
        return -1;
    }
}
