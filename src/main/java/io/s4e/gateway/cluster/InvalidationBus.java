package io.s4e.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Tells every replica that cached authentication state changed (a key revoked or rotated, a user changed), over one
 * Redis pub/sub channel. Messages are {@code topic:value}. Each replica also applies its own messages at once. When
 * the subscription is lost, every cache is cleared on resubscription, since messages may have been missed; the
 * caches' short time-to-live is the backstop while Redis is away.
 */
@Component
public class InvalidationBus implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InvalidationBus.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(1);

    /** The topic every listener receives when all cached state must be dropped. */
    public static final String ALL = "all";

    private final ReactiveRedisConnectionFactory connectionFactory;
    private final ReactiveStringRedisTemplate redis;
    private final String channel;
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private final Counter publishFailures;
    private volatile ReactiveRedisMessageListenerContainer container;
    private volatile Disposable subscription;

    public InvalidationBus(ReactiveRedisConnectionFactory connectionFactory, ReactiveStringRedisTemplate redis,
                           RedisKeyProperties keys, MeterRegistry meters) {
        this.connectionFactory = connectionFactory;
        this.redis = redis;
        this.channel = keys.keyPrefix() + "invalidate";
        this.publishFailures = meters.counter("s4e.invalidation.publish.failures");
    }

    /** Calls {@code listener} with the value of every message of {@code topic}, and with null on {@link #ALL}. */
    public void listen(String topic, Consumer<String> listener) {
        listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /**
     * Applies {@code topic:value} here and publishes it to the other replicas.
     *
     * @return completes when published; never fails: a publication that fails is logged and counted, and the
     *         other replicas fall back to their caches' time-to-live
     */
    public Mono<Void> publish(String topic, String value) {
        return Mono.defer(() -> {
            dispatch(topic + ":" + value);
            return redis.convertAndSend(channel, topic + ":" + value)
                    .timeout(PUBLISH_TIMEOUT)
                    .doOnError(e -> {
                        publishFailures.increment();
                        log.warn("Could not publish a cache invalidation ({}); other replicas expire it by TTL: {}",
                                topic, e.toString());
                    })
                    .onErrorComplete()
                    .then();
        });
    }

    private void dispatch(String message) {
        int colon = message.indexOf(':');
        String topic = colon < 0 ? message : message.substring(0, colon);
        String value = colon < 0 ? null : message.substring(colon + 1);
        if (topic.equals(ALL)) {
            listeners.values().forEach(list -> list.forEach(l -> l.accept(null)));
            return;
        }
        List<Consumer<String>> forTopic = listeners.get(topic);
        if (forTopic != null) {
            forTopic.forEach(l -> l.accept(value));
        }
    }

    @Override
    public void start() {
        container = new ReactiveRedisMessageListenerContainer(connectionFactory);
        subscription = container.receive(ChannelTopic.of(channel))
                .doOnSubscribe(s -> dispatch(ALL))
                .doOnNext(message -> dispatch(message.getMessage()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                        .maxBackoff(Duration.ofSeconds(5))
                        .doBeforeRetry(signal -> log.warn("Invalidation subscription lost, resubscribing: {}",
                                signal.failure().toString())))
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable current = subscription;
        if (current != null) {
            current.dispose();
        }
        ReactiveRedisMessageListenerContainer c = container;
        if (c != null) {
            c.destroyLater().subscribe();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable current = subscription;
        return current != null && !current.isDisposed();
    }
}
