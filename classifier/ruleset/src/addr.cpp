#include "fwbench/addr.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace fwbench {

IpAddr IpAddr::v4(std::uint32_t host_order) {
    IpAddr a;
    a.family = Family::ipv4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

std::uint32_t IpAddr::v4_host() const {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

std::optional<IpAddr> parse_ip(std::string_view text, Family family) {
    if (text.empty() || text.size() > 63) return std::nullopt;
    char buf[64];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    IpAddr a;
    a.family = family;
    if (family == Family::ipv4) {
        // inet_pton rejects the short forms ("10.1") that iptables also rejects for -s/-d.
        if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
    } else {
        if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
    }
    return a;
}

std::string format_ip(const IpAddr& a) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(a.family == Family::ipv4 ? AF_INET : AF_INET6, a.bytes.data(), buf, sizeof buf);
    return buf;
}

std::string format_endpoint(const IpAddr& a, std::uint16_t port) {
    const bool v6 = a.family == Family::ipv6;
    std::string out;
    if (v6) out += '[';
    out += format_ip(a);
    if (v6) out += ']';
    out += ':';
    out += std::to_string(port);
    return out;
}

IpAddr prefix_mask(Family family, int len) {
    IpAddr m;
    m.family = family;
    for (int i = 0; i < address_bytes(family); ++i) {
        int bits = len - 8 * i;
        if (bits >= 8) m.bytes[i] = 0xff;
        else if (bits > 0) m.bytes[i] = static_cast<std::uint8_t>(0xff << (8 - bits));
    }
    return m;
}

int mask_length(const IpAddr& mask) {
    int len = 0;
    bool ended = false;
    for (int i = 0; i < address_bytes(mask.family); ++i) {
        for (int b = 7; b >= 0; --b) {
            bool set = (mask.bytes[i] >> b) & 1;
            if (set && ended) return -1;
            if (set) ++len;
            else ended = true;
        }
    }
    return len;
}

IpAddr apply_mask(const IpAddr& a, const IpAddr& mask) {
    IpAddr r = a;
    for (int i = 0; i < 16; ++i) r.bytes[i] &= mask.bytes[i];
    return r;
}

IpPrefix IpPrefix::any(Family family) {
    IpPrefix p;
    p.addr.family = family;
    p.mask.family = family;
    return p;
}

PrefixParse parse_prefix(std::string_view text, Family family) {
    PrefixParse r;
    auto slash = text.find('/');
    auto addr_text = text.substr(0, slash);
    auto addr = parse_ip(addr_text, family);
    if (!addr) {
        r.error = std::string("expected an ") + (family == Family::ipv4 ? "IPv4" : "IPv6") + " address, got '" + std::string(addr_text) +
                  "' (host names are not resolved)";
        return r;
    }
    IpAddr mask = prefix_mask(family, address_bits(family));
    if (slash != std::string_view::npos) {
        auto m = text.substr(slash + 1);
        bool digits = !m.empty() && m.size() <= 3 && m.find_first_not_of("0123456789") == std::string_view::npos;
        if (digits) {
            int len = std::stoi(std::string(m));
            if (len > address_bits(family)) {
                r.error = "prefix length " + std::string(m) + " is longer than " + std::to_string(address_bits(family));
                return r;
            }
            mask = prefix_mask(family, len);
        } else if (auto dotted = parse_ip(m, family)) {
            mask = *dotted;
        } else {
            r.error = "expected a prefix length or a netmask after '/', got '" + std::string(m) + "'";
            return r;
        }
    }
    r.prefix = IpPrefix{apply_mask(*addr, mask), mask};
    return r;
}

std::string format_prefix(const IpPrefix& p) {
    int len = mask_length(p.mask);
    if (len >= 0) return format_ip(p.addr) + "/" + std::to_string(len);
    return format_ip(p.addr) + "/" + format_ip(p.mask);
}

std::optional<MacAddr> parse_mac(std::string_view text) {
    MacAddr m;
    if (text.size() != 17) return std::nullopt;
    for (int i = 0; i < 6; ++i) {
        if (i > 0 && text[3 * i - 1] != ':') return std::nullopt;
        unsigned v = 0;
        for (int k = 0; k < 2; ++k) {
            char c = text[3 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
            else return std::nullopt;
        }
        m.bytes[i] = static_cast<std::uint8_t>(v);
    }
    return m;
}

std::string format_mac(const MacAddr& m) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02X:%02X:%02X:%02X:%02X:%02X", m.bytes[0], m.bytes[1], m.bytes[2], m.bytes[3], m.bytes[4], m.bytes[5]);
    return buf;
}

}  // namespace fwbench
