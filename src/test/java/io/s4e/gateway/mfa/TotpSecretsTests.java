package io.s4e.gateway.mfa;

import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TotpSecretsTests {

    @Test
    void generateWhenCalledThenTwentyRandomBytesInUnpaddedBase32() {
        String first = new TotpSecrets().generate().block();
        String second = new TotpSecrets().generate().block();

        assertThat(first).matches("[A-Z2-7]{32}");
        assertThat(new Base32().decode(first)).hasSize(20);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void otpauthUriWhenEmailThenIssuerLabelAndParameters() {
        assertThat(TotpSecrets.otpauthUri("ana@example.com", "JBSWY3DPEHPK3PXP"))
                .isEqualTo("otpauth://totp/S4E:ana@example.com?secret=JBSWY3DPEHPK3PXP&issuer=S4E"
                        + "&algorithm=SHA1&digits=6&period=30");
    }
}
