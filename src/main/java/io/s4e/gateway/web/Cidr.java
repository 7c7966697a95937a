package io.s4e.gateway.web;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * An immutable IPv4 or IPv6 address range in CIDR notation.
 *
 * <p>Only IP literals are accepted; parsing never performs a DNS lookup. IPv4 addresses are
 * compared with IPv4 ranges, also when presented as IPv4-mapped IPv6 addresses
 * ({@code ::ffff:10.1.2.3}). An IPv4-mapped range with a prefix of at least 96 bits
 * ({@code ::ffff:10.0.0.0/104}) is treated as the equivalent IPv4 range ({@code 10.0.0.0/8}).
 * IPv6 ranges never match IPv4 addresses.
 */
public final class Cidr {

    private static final int IPV4_BYTES = 4;

    private static final int IPV6_BYTES = 16;

    private static final int MAPPED_PREFIX_BITS = 96;

    private final byte[] network;

    private final int prefixLength;

    private final String text;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = format(network) + "/" + prefixLength;
    }

    /** Returns the range described by {@code value} (an IP literal with optional {@code /prefix}; a bare address is a single-host range); throws IllegalArgumentException if it is not a valid CIDR. */
    public static Cidr parse(String value) {
        if (value == null) {
            throw new IllegalArgumentException("Invalid CIDR: value must not be null");
        }
        String trimmed = value.strip();
        int slash = trimmed.indexOf('/');
        int addressEnd = slash < 0 ? trimmed.length() : slash;
        byte[] address = parseLiteral(trimmed, 0, addressEnd);
        if (address == null) {
            throw new IllegalArgumentException("Invalid CIDR '" + value + "': not an IPv4 or IPv6 address literal");
        }
        int maxBits = address.length * 8;
        int prefix = maxBits;
        if (slash >= 0) {
            prefix = parsePrefix(trimmed, slash + 1);
            if (prefix < 0 || prefix > maxBits) {
                throw new IllegalArgumentException("Invalid CIDR '" + value + "': prefix length must be a number from 0 to " + maxBits);
            }
        }
        if (address.length == IPV6_BYTES && isIpv4Mapped(address) && prefix >= MAPPED_PREFIX_BITS) {
            address = Arrays.copyOfRange(address, IPV6_BYTES - IPV4_BYTES, IPV6_BYTES);
            prefix -= MAPPED_PREFIX_BITS;
        }
        mask(address, prefix);
        return new Cidr(address, prefix);
    }

    /** Returns the address denoted by the IPv4 or IPv6 literal (IPv6 optionally in brackets), or empty for anything else; never throws and never performs DNS. */
    public static Optional<InetAddress> parseAddress(String literal) {
        if (literal == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(parseAddress(literal, 0, literal.length()));
    }

    /** Returns true if {@code address} lies inside this range; false for null or an address of the other family. */
    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] candidate = address.getAddress();
        int offset = 0;
        int length = candidate.length;
        if (length == IPV6_BYTES && isIpv4Mapped(candidate)) {
            offset = IPV6_BYTES - IPV4_BYTES;
            length = IPV4_BYTES;
        }
        if (length != network.length) {
            return false;
        }
        int fullBytes = prefixLength >>> 3;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[offset + i] != network[i]) {
                return false;
            }
        }
        int remainingBits = prefixLength & 7;
        if (remainingBits == 0) {
            return true;
        }
        int mask = (0xFF << (8 - remainingBits)) & 0xFF;
        return (candidate[offset + fullBytes] & mask) == (network[fullBytes] & mask);
    }

    /** Returns the prefix length in bits. */
    public int prefixLength() {
        return prefixLength;
    }

    /** Returns true if this is an IPv4 range. */
    public boolean isIpv4() {
        return network.length == IPV4_BYTES;
    }

    /** Returns true if {@code other} is a Cidr with the same network address and prefix length. */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Cidr that)) {
            return false;
        }
        return prefixLength == that.prefixLength && Arrays.equals(network, that.network);
    }

    /** Returns a hash code consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** Returns the canonical notation of this range, for example {@code 10.0.0.0/8}. */
    @Override
    public String toString() {
        return text;
    }

    static InetAddress parseAddress(CharSequence s, int from, int to) {
        byte[] bytes = parseLiteral(s, from, to);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        }
        catch (UnknownHostException ex) {
            return null;
        }
    }

    static byte[] parseLiteral(CharSequence s, int from, int to) {
        if (s == null || from < 0 || to > s.length() || from >= to) {
            return null;
        }
        if (s.charAt(from) == '[') {
            if (to - from < 3 || s.charAt(to - 1) != ']') {
                return null;
            }
            return parseIpv6(s, from + 1, to - 1);
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == ':') {
                return parseIpv6(s, from, to);
            }
        }
        byte[] out = new byte[IPV4_BYTES];
        return parseIpv4(s, from, to, out, 0) ? out : null;
    }

    private static boolean parseIpv4(CharSequence s, int from, int to, byte[] out, int offset) {
        int octets = 0;
        int i = from;
        while (true) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 4) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    break;
                }
                value = value * 10 + (c - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
            out[offset + octets] = (byte) value;
            octets++;
            if (i == to) {
                return octets == IPV4_BYTES;
            }
            if (octets == IPV4_BYTES || s.charAt(i) != '.') {
                return false;
            }
            i++;
            if (i == to) {
                return false;
            }
        }
    }

    private static byte[] parseIpv6(CharSequence s, int from, int to) {
        byte[] out = new byte[IPV6_BYTES];
        int groups = 0;
        int compressedAt = -1;
        int i = from;
        if (i < to && s.charAt(i) == ':') {
            if (i + 1 >= to || s.charAt(i + 1) != ':') {
                return null;
            }
            compressedAt = 0;
            i += 2;
            if (i == to) {
                return out;
            }
        }
        while (i < to) {
            if (groups == 8) {
                return null;
            }
            int start = i;
            int value = 0;
            while (i < to) {
                int digit = HexDigits.value(s.charAt(i));
                if (digit < 0) {
                    break;
                }
                value = (value << 4) | digit;
                i++;
                if (i - start > 4) {
                    return null;
                }
            }
            if (i < to && s.charAt(i) == '.') {
                if (groups > 6 || !parseIpv4(s, start, to, out, groups * 2)) {
                    return null;
                }
                groups += 2;
                break;
            }
            if (i == start) {
                return null;
            }
            out[groups * 2] = (byte) (value >>> 8);
            out[groups * 2 + 1] = (byte) value;
            groups++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i == to) {
                return null;
            }
            if (s.charAt(i) == ':') {
                if (compressedAt >= 0) {
                    return null;
                }
                compressedAt = groups;
                i++;
            }
        }
        if (compressedAt < 0) {
            return groups == 8 ? out : null;
        }
        if (groups == 8) {
            return null;
        }
        int tailBytes = (groups - compressedAt) * 2;
        System.arraycopy(out, compressedAt * 2, out, IPV6_BYTES - tailBytes, tailBytes);
        Arrays.fill(out, compressedAt * 2, IPV6_BYTES - tailBytes, (byte) 0);
        return out;
    }

    private static int parsePrefix(String s, int from) {
        int length = s.length() - from;
        if (length < 1 || length > 3) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private static void mask(byte[] address, int prefix) {
        int fullBytes = prefix >>> 3;
        int remainingBits = prefix & 7;
        if (remainingBits != 0) {
            address[fullBytes] &= (byte) (0xFF << (8 - remainingBits));
            fullBytes++;
        }
        Arrays.fill(address, fullBytes, address.length, (byte) 0);
    }

    private static String format(byte[] address) {
        try {
            if (address.length == IPV4_BYTES) {
                return InetAddress.getByAddress(address).getHostAddress();
            }
            return Inet6Address.getByAddress(null, address, -1).getHostAddress();
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
