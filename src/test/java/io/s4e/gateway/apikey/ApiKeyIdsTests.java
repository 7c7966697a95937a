package io.s4e.gateway.apikey;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.dao.DuplicateKeyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeyIdsTests {

    @Test
    void isWellFormedOnlyForKeyAndEightLowercaseHexDigits() {
        assertThat(ApiKeyIds.isWellFormed("key-0123abcd")).isTrue();
        for (String id : new String[] {null, "", "key-0123abc", "key-0123abcde", "key-0123ABCD", "kez-0123abcd",
                "key-0123abcg"}) {
            assertThat(ApiKeyIds.isWellFormed(id)).as("%s", id).isFalse();
        }
    }

    @Test
    void insertingWithNewIdTriesAnotherWellFormedIdOnAnIdCollision() {
        List<String> ids = new ArrayList<>();
        String inserted = ApiKeyIds.insertingWithNewId(id -> {
            ids.add(id);
            return ids.size() < 3 ? Mono.error(new DuplicateKeyException("violates api_keys_pkey")) : Mono.just(id);
        }).block();

        assertThat(ids).hasSize(3).allMatch(ApiKeyIds::isWellFormed);
        assertThat(inserted).isEqualTo(ids.get(2));
    }

    @Test
    void insertingWithNewIdGivesUpAfterThreeRetriesAndNeverRetriesOtherConflicts() {
        AtomicInteger tries = new AtomicInteger();
        assertThatThrownBy(() -> ApiKeyIds.insertingWithNewId(id -> {
            tries.incrementAndGet();
            return Mono.error(new DuplicateKeyException("violates api_keys_pkey"));
        }).block()).hasRootCauseInstanceOf(DuplicateKeyException.class);
        assertThat(tries).hasValue(4);

        tries.set(0);
        assertThatThrownBy(() -> ApiKeyIds.insertingWithNewId(id -> {
            tries.incrementAndGet();
            return Mono.error(new DuplicateKeyException("violates api_keys_key_hash_key"));
        }).block()).isInstanceOf(DuplicateKeyException.class);
        assertThat(tries).hasValue(1);
    }
}
