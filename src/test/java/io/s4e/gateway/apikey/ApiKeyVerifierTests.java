package io.s4e.gateway.apikey;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.s4e.gateway.cluster.InvalidationBus;
import io.s4e.gateway.cluster.RedisKeyProperties;
import io.s4e.gateway.credential.ApiKeyFormat;
import io.s4e.gateway.principal.Principal;
import io.s4e.gateway.principal.RoleProperties;
import io.s4e.gateway.principal.RoleScopes;
import io.s4e.gateway.web.ErrorCode;
import io.s4e.gateway.web.GatewayException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.dao.DataAccessResourceFailureException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verdict cache of {@link ApiKeyVerifier} with a store whose answers the test releases one by one, so the order
 * of callbacks is deterministic.
 */
class ApiKeyVerifierTests {

    private static final String KEY = ApiKeyFormat.generate(new SecureRandom());

    private final ScriptedStore store = new ScriptedStore();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ApiKeyVerifier verifier = verifier();

    @Test
    void verifyWhenLookupFailsThenARequestRightAfterTheFailureAsksTheStoreAgain() {
        Sinks.One<KeyOwnerRow> failing = store.next();
        Sinks.One<KeyOwnerRow> answering = store.next();
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Principal> second = new AtomicReference<>();
        verifier.verify(KEY)
                .doOnError(first::set)
                .onErrorResume(failure -> verifier.verify(KEY))
                .subscribe(second::set);

        failing.tryEmitError(new DataAccessResourceFailureException("PostgreSQL is down"));
        answering.tryEmitValue(row());

        assertThat(first.get()).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE));
        assertThat(store.calls.get()).isEqualTo(2);
        assertThat(second.get()).isNotNull();
        assertThat(second.get().keyId()).isEqualTo("key-0000abcd");
    }

    @Test
    void verifyWhenTwoRequestsWaitOnOneUncachedKeyThenOneLookup() {
        Sinks.One<KeyOwnerRow> answer = store.next();
        AtomicInteger verified = new AtomicInteger();
        verifier.verify(KEY).subscribe(p -> verified.incrementAndGet());
        verifier.verify(KEY).subscribe(p -> verified.incrementAndGet());

        answer.tryEmitValue(row());

        assertThat(verified).hasValue(2);
        assertThat(store.calls).hasValue(1);
        assertThat(verifier.verify(KEY).block(Duration.ofSeconds(1))).isNotNull();
        assertThat(store.calls).hasValue(1);
    }

    private ApiKeyVerifier verifier() {
        ApiKeyProperties properties = new ApiKeyProperties(null, null, null, null, null, null, null, null, null);
        InvalidationBus bus = new InvalidationBus(null, null, new RedisKeyProperties(null), meters);
        LastUsedRecorder lastUsed = new LastUsedRecorder(store, properties, Clock.systemUTC(), meters);
        return new ApiKeyVerifier(store, new RoleScopes(new RoleProperties(null)), lastUsed, properties, bus, meters,
                Clock.systemUTC());
    }

    private static KeyOwnerRow row() {
        return new KeyOwnerRow("key-0000abcd", 7L, List.of("read:assets"), null, false, null, "m@example.test",
                "member", false);
    }

    /** A store whose lookups answer only when the test releases them, in order. */
    private static final class ScriptedStore extends ApiKeyRepository {

        private final Deque<Sinks.One<KeyOwnerRow>> answers = new ArrayDeque<>();
        private final AtomicInteger calls = new AtomicInteger();

        ScriptedStore() {
            super(null);
        }

        Sinks.One<KeyOwnerRow> next() {
            Sinks.One<KeyOwnerRow> answer = Sinks.one();
            answers.add(answer);
            return answer;
        }

        @Override
        Mono<KeyOwnerRow> findForVerification(String hash) {
            calls.incrementAndGet();
            return answers.remove().asMono();
        }
    }
}
