package io.s4e.gateway.user;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The canonical form of an e-mail and the rules of an accepted address (docs/input-rules.md). */
class EmailAddressTests {

    @Test
    void canonicalWhenSpellingsOfOneAddressThenOneForm() {
        String canonical = "victim.iiii@example.com";
        assertThat(EmailAddress.canonical("victim.iiii@example.com")).isEqualTo(canonical);
        assertThat(EmailAddress.canonical("Victim.IIII@EXAMPLE.com")).isEqualTo(canonical);
        assertThat(EmailAddress.canonical("v\u0130ctim.iiii@example.com")).as("capital dotted I").isEqualTo(canonical);
        assertThat(EmailAddress.canonical("v\u0131ctim.iiii@example.com")).as("dotless i").isEqualTo(canonical);
        assertThat(EmailAddress.canonical("\uff56\uff49\uff43\uff54\uff49\uff4d.iiii\uff20\uff45xample.com"))
                .as("full-width").isEqualTo(canonical);
        assertThat(EmailAddress.canonical("victim.iiii@EXAMPLE\uff0ECOM")).as("full-width dot").isEqualTo(canonical);
    }

    @Test
    void canonicalWhenFullCaseFoldingThenMultiCharacterFoldsApplied() {
        assertThat(EmailAddress.canonical("STRASSE@example.com")).isEqualTo(EmailAddress.canonical("stra\u00dfe@example.com"));
        assertThat(EmailAddress.canonical("\u03a3\u03bf\u03c6\u03bf\u03c2@example.com"))
                .isEqualTo(EmailAddress.canonical("\u03c3\u03bf\u03c6\u03bf\u03c3@example.com"));
        assertThat(EmailAddress.canonical("Jo\u0308rg@example.com")).isEqualTo("j\u00f6rg@example.com");
    }

    @Test
    void canonicalWhenInternationalDomainThenLowerCaseALabels() {
        assertThat(EmailAddress.canonical("a@B\u00dcCHER.example")).isEqualTo("a@xn--bcher-kva.example");
        assertThat(EmailAddress.canonical("a@xn--bcher-kva.example")).isEqualTo("a@xn--bcher-kva.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Plain@Example.COM", "x<rt1@evil.example>", "a@x,other", " a@b.c ", "no-at-sign",
            "A@B@C.D", "\"Q\"@EXAMPLE.test"})
    void canonicalWhenAsciiThenAsciiLowerCase(String ascii) {
        assertThat(EmailAddress.canonical(ascii)).isEqualTo(ascii.toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void parseWhenValidThenAddressKeepsLocalCaseAndDomainBecomesALabels() {
        EmailAddress address = EmailAddress.parse("J\u00f6rg.O'Neil+tag@B\u00fccher.Example");
        assertThat(address.address()).isEqualTo("J\u00f6rg.O'Neil+tag@xn--bcher-kva.example");
        assertThat(address.canonical()).isEqualTo("j\u00f6rg.o'neil+tag@xn--bcher-kva.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x<rt1@evil.example>", "Name <a@example.test>", "a@x,other", "a@example.test, b@example.test",
            "a\u0085b@example.test", "a\u00a0b@example.test", "a\u2028b@example.test", "a\u202eb@example.test",
            "a\u200bb@example.test", "\ufeffa@example.test", "a\u2066b@example.test", "a\u200fb@example.test",
            "a\ud800b@example.test", "a@exa\udc00mple.test", "\"quoted\"@example.test", "a(comment)@example.test",
            "a@[127.0.0.1]", "a@127.0.0.1", "a@b", "a@", "@example.test", ".a@example.test", "a.@example.test",
            "a..b@example.test", "a b@example.test", "a@-x.example", "a@x_y.example", "a\uff20b@example.test",
            "a%b@example.test", "a!b@example.test", "\u0301a@example.test", "a\ue000@example.test", ""})
    void parseWhenNotOnePlainAddressThenRefused(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> EmailAddress.parse(text));
    }

    @Test
    void parseWhenTooLongThenRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> EmailAddress.parse("a".repeat(65) + "@example.test"));
        assertThatIllegalArgumentException().isThrownBy(
                () -> EmailAddress.parse("a@" + ("b".repeat(60) + ".").repeat(5) + "test"));
        assertThat(EmailAddress.parse("a".repeat(64) + "@example.test").address()).hasSize(77);
    }
}
