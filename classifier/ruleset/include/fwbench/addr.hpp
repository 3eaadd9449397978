#pragma once
// Family-neutral IP addresses and masked prefixes.
//
// An IpAddr holds 16 bytes in network order; IPv4 uses the first 4 and leaves the rest zero, so
// comparisons and masking are the same code for both families. Masks need not be contiguous:
// iptables accepts dotted masks such as 255.0.255.0 and matches (addr & mask) == (net & mask).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fwbench {

enum class Family : std::uint8_t { ipv4 = 4, ipv6 = 6 };

constexpr int address_bits(Family f) { return f == Family::ipv4 ? 32 : 128; }
constexpr int address_bytes(Family f) { return f == Family::ipv4 ? 4 : 16; }

struct IpAddr {
    Family family = Family::ipv4;
    std::array<std::uint8_t, 16> bytes{};

    static IpAddr v4(std::uint32_t host_order);
    std::uint32_t v4_host() const;  // IPv4 only
    // 32-bit word w (0-3), most significant first, in host order: an IPv6 address as the
    // classifiers keep it (an IPv4 address is word 0).
    std::uint32_t word(int w) const {
        const auto* b = bytes.data() + 4 * w;
        return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    }

    bool operator==(const IpAddr&) const = default;
    auto operator<=>(const IpAddr&) const = default;
};

inline bool unspecified_address(const IpAddr& a) {
    for (auto b : a.bytes)
        if (b) return false;
    return true;
}

// Parses a literal address of the given family; nullopt when it is not one.
std::optional<IpAddr> parse_ip(std::string_view text, Family family);
std::string format_ip(const IpAddr& a);
// ADDR:PORT, an IPv6 address in brackets ([2001:db8::1]:22) as packet descriptions write it.
std::string format_endpoint(const IpAddr& a, std::uint16_t port);

// A mask with the first `len` bits set.
IpAddr prefix_mask(Family family, int len);
// The prefix length of a contiguous mask, or -1.
int mask_length(const IpAddr& mask);
IpAddr apply_mask(const IpAddr& a, const IpAddr& mask);

struct IpPrefix {
    IpAddr addr;  // already masked
    IpAddr mask;

    static IpPrefix any(Family family);
    bool contains(const IpAddr& a) const {
        if (a.family != addr.family) return false;
        const int n = address_bytes(a.family);
        for (int i = 0; i < n; ++i)
            if ((a.bytes[static_cast<std::size_t>(i)] & mask.bytes[static_cast<std::size_t>(i)]) != addr.bytes[static_cast<std::size_t>(i)])
                return false;
        return true;
    }
    bool is_any() const { return mask_length(mask) == 0; }
    bool operator==(const IpPrefix&) const = default;
};

// "ADDR", "ADDR/LEN" or "ADDR/MASK" as iptables takes them. Host bits are cleared, as iptables does.
// Returns an error message when the text is not such a prefix.
struct PrefixParse {
    std::optional<IpPrefix> prefix;
    std::string error;
};
PrefixParse parse_prefix(std::string_view text, Family family);
// iptables-save form: "ADDR/LEN" for contiguous masks, "ADDR/MASK" otherwise.
std::string format_prefix(const IpPrefix& p);

struct MacAddr {
    std::array<std::uint8_t, 6> bytes{};
    bool operator==(const MacAddr&) const = default;
};
std::optional<MacAddr> parse_mac(std::string_view text);
std::string format_mac(const MacAddr& m);

// IPv6 address kinds as ipv6_addr_type sees them (include/net/ipv6.h, net/ipv6/addrconf_core.c).
namespace v6 {
inline bool is_any(const IpAddr& a) {
    for (auto b : a.bytes)
        if (b) return false;
    return true;
}
inline bool is_loopback(const IpAddr& a) {
    for (std::size_t i = 0; i < 15; ++i)
        if (a.bytes[i]) return false;
    return a.bytes[15] == 1;
}
inline bool is_multicast(const IpAddr& a) { return a.bytes[0] == 0xff; }
// ::ffff:0:0/96, which ipv6_addr_type does not call unicast.
inline bool is_v4_mapped(const IpAddr& a) {
    for (std::size_t i = 0; i < 10; ++i)
        if (a.bytes[i]) return false;
    return a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}
inline int multicast_scope(const IpAddr& a) { return a.bytes[1] & 0x0f; }
inline bool is_link_local(const IpAddr& a) { return a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80; }
// __ipv6_addr_src_scope: loopback counts as link-local (RFC 6724 3.4); 16 for the unspecified.
inline int source_scope(const IpAddr& a) {
    if (is_any(a)) return 16;
    if (is_multicast(a)) return multicast_scope(a);
    if (is_loopback(a) || is_link_local(a)) return 2;
    if (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0xc0) return 5;  // site-local fec0::/10
    return 14;
}
// rt6_need_strict: routing must stay on the given device.
inline bool needs_device(const IpAddr& a) { return is_multicast(a) || is_link_local(a) || is_loopback(a); }
}  // namespace v6

}  // namespace fwbench
