package io.s4e.gateway.hardening;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.s4e.gateway.support.ErrorEnvelopes;
import io.s4e.gateway.support.GatewayIntegrationTest;
import io.s4e.gateway.support.RawHttp;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Account enumeration by timing: an unknown e-mail and a wrong password must take about as long. This compares the
 * latencies of two code paths of the same gateway under the same load, not absolute speed: the samples are
 * interleaved (ABBA) so that load changes hit both sides alike, and medians ignore the outliers of a busy machine.
 */
@GatewayIntegrationTest
class LoginTimingAttackTests {

    private static final int PAIRS = 30;

    @LocalServerPort
    int port;

    /**
     * Defence: an unknown e-mail is checked against a dummy Argon2id hash (PasswordLogin), so it costs one
     * verification like a wrong password. Without it, the unknown e-mail answers in a fraction of the time.
     */
    @Test
    void loginTimingWhenUnknownEmailVersusWrongPasswordThenMediansWithinTwentyPercent() {
        RawHttp http = new RawHttp(port);
        String email = HardeningCalls.userWithPassword("member");
        for (int i = 0; i < 4; i++) {
            wrongPassword(http, email, i);
            unknownEmail(http, i);
        }

        List<Long> wrong = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            if (i % 2 == 0) {
                wrong.add(wrongPassword(http, email, i));
                unknown.add(unknownEmail(http, i));
            }
            else {
                unknown.add(unknownEmail(http, i));
                wrong.add(wrongPassword(http, email, i));
            }
        }

        long wrongMedian = median(wrong);
        long unknownMedian = median(unknown);
        double difference = Math.abs(wrongMedian - unknownMedian) / (double) Math.max(wrongMedian, unknownMedian);
        assertThat(difference).as("median wrong password %d µs, unknown email %d µs", wrongMedian / 1000,
                unknownMedian / 1000).isLessThan(0.20);
    }

    private static long wrongPassword(RawHttp http, String email, int i) {
        return timedRefusal(http, HardeningCalls.loginBody(email, "wrong password number " + i));
    }

    private static long unknownEmail(RawHttp http, int i) {
        return timedRefusal(http, HardeningCalls.loginBody("nobody-" + i + "-" + System.nanoTime() + "@example.test",
                "wrong password number " + i));
    }

    private static long timedRefusal(RawHttp http, String body) {
        long start = System.nanoTime();
        RawHttp.Response reply = HardeningCalls.postJson(http, HardeningCalls.LOGIN, body);
        long nanos = System.nanoTime() - start;
        assertThat(reply.status()).as(reply.body()).isEqualTo(401);
        assertThat(ErrorEnvelopes.assertEnvelope(reply.body(), "unauthorized")).isEqualTo("Invalid email or password.");
        return nanos;
    }

    private static long median(List<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
