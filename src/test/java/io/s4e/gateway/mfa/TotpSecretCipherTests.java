package io.s4e.gateway.mfa;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AES-GCM sealing of TOTP secrets, key parsing and rotation. */
class TotpSecretCipherTests {

    static final String K1 = "k1:IVP7PiQM4hsZ+T//O1Kw3hLLIT2iuN9juDbwFC8JqIo=";
    static final String K2 = "k2:74UialNFakrq1JhHyfjNJpzw5PgUu2LjHMD7WvAc7Yo=";
    static final String SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    @Test
    void sealWhenOpenedForTheSameUserThenSameSecretAndNoPlaintextStored() {
        TotpSecretCipher cipher = new TotpSecretCipher(MfaKeys.of(List.of(K1)));

        String sealed = cipher.sealNow(7, SECRET);

        assertThat(sealed).startsWith("v1:k1:").doesNotContain(SECRET).doesNotContain(SECRET.substring(0, 8));
        assertThat(cipher.open(7, sealed)).hasValueSatisfying(o -> {
            assertThat(o.secret()).isEqualTo(SECRET);
            assertThat(o.underPrimaryKey()).isTrue();
        });
        assertThat(cipher.sealNow(7, SECRET)).as("a fresh nonce each time").isNotEqualTo(sealed);
    }

    @Test
    void openWhenMovedToAnotherUserAlteredOrPlaintextThenRefused() {
        TotpSecretCipher cipher = new TotpSecretCipher(MfaKeys.of(List.of(K1)));
        String sealed = cipher.sealNow(7, SECRET);
        char last = sealed.charAt(sealed.length() - 1);

        assertThat(cipher.open(8, sealed)).as("another user").isEmpty();
        assertThat(cipher.open(7, sealed.substring(0, sealed.length() - 1) + (last == 'A' ? 'B' : 'A')))
                .as("altered").isEmpty();
        assertThat(cipher.open(7, sealed.replace("v1:k1:", "v1:k9:"))).as("unknown key id").isEmpty();
        assertThat(cipher.open(7, SECRET)).as("plaintext").isEmpty();
        assertThat(cipher.open(7, null)).isEmpty();
    }

    @Test
    void openWhenUnderAnOlderKeyThenStillDecryptsAndSaysSoAndNewSealsUseTheFirstKey() {
        String underK1 = new TotpSecretCipher(MfaKeys.of(List.of(K1))).sealNow(7, SECRET);
        TotpSecretCipher rotated = new TotpSecretCipher(MfaKeys.of(List.of(K2, K1)));

        assertThat(rotated.open(7, underK1)).hasValueSatisfying(o -> {
            assertThat(o.secret()).isEqualTo(SECRET);
            assertThat(o.underPrimaryKey()).isFalse();
        });
        assertThat(rotated.sealNow(7, SECRET)).startsWith("v1:k2:");
        assertThat(new TotpSecretCipher(MfaKeys.of(List.of(K2))).open(7, underK1)).as("k1 removed").isEmpty();
    }

    @Test
    void keysWhenMalformedThenRefusedNamingTheEntryButNeverTheKey() {
        String shortKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";
        assertThatThrownBy(() -> MfaKeys.of(List.of("k1:" + shortKey)))
                .hasMessageContaining("s4e.mfa.encryption-keys[0]").hasMessageContaining("24 bytes")
                .hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> MfaKeys.of(List.of("IVP7PiQM4hsZ+T//O1Kw3hLLIT2iuN9juDbwFC8JqIo=")))
                .hasMessageContaining("<key id>:");
        assertThatThrownBy(() -> MfaKeys.of(List.of("k1:not base64!"))).hasMessageContaining("not base64");
        assertThatThrownBy(() -> MfaKeys.of(List.of(K1, K1.replace("IVP7", "IVP8"))))
                .hasMessageContaining("repeats the key id 'k1'");
        assertThatThrownBy(() -> MfaKeys.of(List.of("k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")))
                .hasMessageContaining("one byte repeated");
        assertThat(MfaKeys.of(List.of()).configured()).isFalse();
        assertThat(MfaKeys.of(List.of(K2, K1)).primaryId()).isEqualTo("k2");
        assertThat(MfaKeys.of(List.of(K1)).toString()).doesNotContain("IVP7");
    }

    @Test
    void sealWhenNoKeyThenServiceUnavailable() {
        TotpSecretCipher cipher = new TotpSecretCipher(MfaKeys.of(List.of()));

        assertThatThrownBy(() -> cipher.seal(7, SECRET).block()).hasMessageContaining("s4e.mfa.encryption-keys");
    }

    @Test
    void recoveryCodeWhenTypedLooselyThenNormalizedAndOtherwiseNull() {
        assertThat(RecoveryCodes.normalize("ab3de-fgh9k")).isEqualTo("ab3defgh9k");
        assertThat(RecoveryCodes.normalize(" AB3DE FGH9K ")).isEqualTo("ab3defgh9k");
        assertThat(RecoveryCodes.normalize("oilde-fgh9k")).as("o, i, l read as 0, 1, 1").isEqualTo("011defgh9k");
        assertThat(RecoveryCodes.normalize("ab3de-fgh9")).isNull();
        assertThat(RecoveryCodes.normalize("ab3de-fgh9kk")).isNull();
        assertThat(RecoveryCodes.normalize("ab3de-fgh9u")).as("u is not in the alphabet").isNull();
        assertThat(RecoveryCodes.normalize(null)).isNull();
        assertThat(RecoveryCodes.ALPHABET).hasSize(32).doesNotContain("i", "l", "o", "u");
    }
}
