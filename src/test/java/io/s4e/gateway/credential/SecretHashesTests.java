package io.s4e.gateway.credential;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class SecretHashesTests {

    @ParameterizedTest
    @CsvSource({
            "'', e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "abc, ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ042FMf1, 085d33e34f7607b6809bebb7ecb9553b9a355c06078b2919f886c91ff3a2bb40"
    })
    void hashWhenKnownInputThenMatchesSha256Vector(String input, String expected) {
        assertThat(SecretHashes.sha256(input)).isEqualTo(expected);
    }

    @Test
    void hashWhenKeyThenLowerCaseHexOf64CharactersWithoutTheSecret() {
        String key = ApiKeyFormat.generate(new SecureRandom());

        String hash = SecretHashes.sha256(key);

        assertThat(hash).matches("[0-9a-f]{64}");
        assertThat(hash).doesNotContain(key.substring(ApiKeyFormat.PREFIX.length(), ApiKeyFormat.BODY_LENGTH));
    }

    @Test
    void hashWhenCalledRepeatedlyThenSameValueEachTime() {
        String key = "s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ042FMf1";

        assertThat(SecretHashes.sha256(key)).isEqualTo(SecretHashes.sha256(key)).isEqualTo(SecretHashes.sha256(key));
    }

    @Test
    void hashWhenKeysDifferByOneCharacterThenHashesDiffer() {
        assertThat(SecretHashes.sha256("s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ042FMf1"))
                .isNotEqualTo(SecretHashes.sha256("s4e_live_7Qm2ZxK9pL4vN8rT1wY6sD3hJ042FMf2"));
    }

    @Test
    void hashWhenManyThreadsHashAtOnceThenEveryResultMatchesTheSequentialOne() throws Exception {
        SecureRandom random = new SecureRandom();
        List<String> keys = IntStream.range(0, 2_000).mapToObj(i -> ApiKeyFormat.generate(random)).toList();
        List<String> expected = keys.stream().map(SecretHashes::sha256).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> hashed = keys.stream().map(k -> pool.submit(() -> SecretHashes.sha256(k))).toList();
            for (int i = 0; i < keys.size(); i++) {
                assertThat(hashed.get(i).get()).isEqualTo(expected.get(i));
            }
        }
        finally {
            pool.shutdownNow();
        }
    }
}
