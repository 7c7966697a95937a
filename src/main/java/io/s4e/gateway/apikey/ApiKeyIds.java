package io.s4e.gateway.apikey;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.dao.DuplicateKeyException;

/** The ids of API keys: {@code key-} and 8 lowercase hex digits, drawn at random. */
final class ApiKeyIds {

    private ApiKeyIds() {
    }

    /** Whether {@code id} has the shape of a key id; anything else names no key. */
    static boolean isWellFormed(String id) {
        if (id == null || id.length() != 12 || !id.startsWith("key-")) {
            return false;
        }
        for (int i = 4; i < 12; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** Runs {@code insert} with a fresh id, again with another on the rare id collision (at most 3 more times). */
    static <T> Mono<T> insertingWithNewId(Function<String, Mono<T>> insert) {
        return Mono.defer(() -> insert.apply(next()))
                .retryWhen(Retry.max(3).filter(e -> e instanceof DuplicateKeyException && isIdCollision(e)));
    }

    private static String next() {
        return "key-%08x".formatted(ThreadLocalRandom.current().nextInt());
    }

    private static boolean isIdCollision(Throwable e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("api_keys_pkey");
    }
}
