package io.s4e.gateway.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CidrTests {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8",
            "10.1.2.3/8, 10.0.0.0/8",
            "192.168.1.7, 192.168.1.7/32",
            "0.0.0.0/0, 0.0.0.0/0",
            "172.16.0.0/12, 172.16.0.0/12",
            "172.31.255.255/12, 172.16.0.0/12",
            "::1/128, 0:0:0:0:0:0:0:1/128",
            "::1, 0:0:0:0:0:0:0:1/128",
            "fd00::/8, fd00:0:0:0:0:0:0:0/8",
            "FD12:3456::1/16, fd12:0:0:0:0:0:0:0/16",
            "2001:db8::/32, 2001:db8:0:0:0:0:0:0/32",
            "::/0, 0:0:0:0:0:0:0:0/0",
            "[2001:db8::1]/64, 2001:db8:0:0:0:0:0:0/64",
            "::ffff:10.0.0.0/104, 10.0.0.0/8",
            "::ffff:10.1.2.3, 10.1.2.3/32",
            "::ffff:0:0/96, 0.0.0.0/0",
            "' 10.0.0.0/8 ', 10.0.0.0/8"
    })
    void parseWhenValidThenCanonicalForm(String value, String expected) {
        assertThat(Cidr.parse(value)).hasToString(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
            "10.0.0.0/1000", "10.0.0.0/x", "::/129", "10.0.0", "10.0.0.0.0", "256.0.0.0/8", "10.0.0.01",
            "localhost", "localhost/8", "example.com/32", "abc", "cafe", "dead.beef", "10.0.0.0 /8",
            "fe80::1%eth0/64", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1:2:3:4:5:6:7::8", "12345::",
            "0x0a.0.0.0/8", "1.2.3.4:80", "::ffff:1a.1.2.3", "[::1", "::1]", "[10.0.0.1]", "10.0.0.0\t/8",
            "１０.0.0.0/8", "10.0.0.0/８"
    })
    void parseWhenInvalidThenThrowsNamingValue(String value) {
        assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse(value))
                .withMessageContaining("'" + value + "'");
    }

    @Test
    void parseWhenNullThenThrows() {
        assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse(null));
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0, true",
            "10.0.0.0/8, 10.255.255.255, true",
            "10.0.0.0/8, 11.0.0.0, false",
            "10.0.0.0/8, 9.255.255.255, false",
            "172.16.0.0/12, 172.31.0.1, true",
            "172.16.0.0/12, 172.32.0.1, false",
            "192.168.1.7, 192.168.1.7, true",
            "192.168.1.7, 192.168.1.8, false",
            "0.0.0.0/0, 203.0.113.9, true",
            "10.0.0.0/8, ::ffff:10.1.2.3, true",
            "10.0.0.0/8, ::ffff:11.1.2.3, false",
            "::ffff:10.0.0.0/104, 10.20.30.40, true",
            "::1/128, ::1, true",
            "::1/128, ::2, false",
            "fd00::/8, fd12:3456::1, true",
            "fd00::/8, fe80::1, false",
            "2001:db8::/33, 2001:db8:7fff::1, true",
            "2001:db8::/33, 2001:db8:8000::1, false",
            "::/0, 2001:db8::1, true",
            "::/0, 10.0.0.1, false",
            "0.0.0.0/0, ::1, false",
            "10.0.0.0/8, ::a00:1, false"
    })
    void containsWhenAddressThenMatchesRange(String cidr, String address, boolean expected) {
        InetAddress parsed = Cidr.parseAddress(address).orElseThrow();

        assertThat(Cidr.parse(cidr).contains(parsed)).isEqualTo(expected);
    }

    @Test
    void containsWhenIpv4MappedInet6AddressThenMatchesIpv4Range() throws Exception {
        byte[] mapped = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 10, 1, 2, 3 };
        Inet6Address address = Inet6Address.getByAddress(null, mapped, -1);

        assertThat(Cidr.parse("10.0.0.0/8").contains(address)).isTrue();
        assertThat(Cidr.parse("10.1.2.3").contains(address)).isTrue();
        assertThat(Cidr.parse("192.168.0.0/16").contains(address)).isFalse();
    }

    @Test
    void containsWhenNullThenFalse() {
        assertThat(Cidr.parse("0.0.0.0/0").contains(null)).isFalse();
    }

    @Test
    void equalsWhenSameNetworkThenEqual() {
        assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8"))
                .hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"));
        assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/9"));
        assertThat(Cidr.parse("10.0.0.0/8").prefixLength()).isEqualTo(8);
        assertThat(Cidr.parse("10.0.0.0/8").isIpv4()).isTrue();
        assertThat(Cidr.parse("fd00::/8").isIpv4()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "127.0.0.1, 127.0.0.1",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "::1, 0:0:0:0:0:0:0:1",
            "[::1], 0:0:0:0:0:0:0:1",
            "::, 0:0:0:0:0:0:0:0",
            "1::, 1:0:0:0:0:0:0:0",
            "2001:DB8::8:800:200C:417A, 2001:db8:0:0:8:800:200c:417a",
            "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6::8, 1:2:3:4:5:6:0:8",
            "1::2:3:4:5:6:7, 1:0:2:3:4:5:6:7",
            "::ffff:10.1.2.3, 10.1.2.3",
            "[::ffff:10.1.2.3], 10.1.2.3",
            "1:2:3:4:5:6:10.1.2.3, 1:2:3:4:5:6:a01:203",
            "::10.1.2.3, 0:0:0:0:0:0:a01:203",
            "fe80::1, fe80:0:0:0:0:0:0:1"
    })
    void parseAddressWhenLiteralThenAddress(String literal, String expected) {
        assertThat(Cidr.parseAddress(literal)).get().extracting(InetAddress::getHostAddress).isEqualTo(expected);
    }

    @Test
    void parseAddressWhenIpv4MappedThenIpv4Address() {
        assertThat(Cidr.parseAddress("::ffff:10.1.2.3")).get().isInstanceOf(Inet4Address.class);
        assertThat(Cidr.parseAddress("::1")).get().isInstanceOf(Inet6Address.class);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            " ", " 10.0.0.1", "10.0.0.1 ", "10.0.0.1:8080", "[::1]:8080", "[::1", "::1]", "[]", "[10.0.0.1]",
            "localhost", "example.com", "abc", "cafe", "dead.beef", "unknown", "_hidden", "1", "1.2", "1.2.3",
            "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1.2.3.-4", "1..2.3", ".1.2.3", "1.2.3.", "0x7f.0.0.1",
            "2130706433", "fe80::1%eth0", "fe80::1%1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:", "1::2::3", ":::", ":::1", "12345::", "g::1", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4:5", "1.2.3.4::", "::1/128", "١.٢.٣.٤", "１.2.3.4", "::１", "10.0.0.1,10.0.0.2", "10.0.0.1\n"
    })
    void parseAddressWhenNotLiteralThenEmpty(String literal) {
        assertThat(Cidr.parseAddress(literal)).isEmpty();
    }
}
