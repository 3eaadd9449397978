#include "fwbench/parse_util.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fwbench::detail {

std::optional<std::uint64_t> parse_uint(std::string_view text, std::uint64_t max, unsigned base) {
    if (text.empty()) return std::nullopt;
    std::size_t i = 0;
    if (base == 0) {
        base = 10;
        if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
            base = 16;
            i = 2;
        } else if (text.size() > 1 && text[0] == '0') {
            base = 8;
            i = 1;
        }
    }
    std::uint64_t v = 0;
    for (; i < text.size(); ++i) {
        char c = text[i];
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return std::nullopt;
        if (d >= base) return std::nullopt;
        if (d > max || v > (max - d) / base) return std::nullopt;  // v * base + d > max, checked before it could wrap
        v = v * base + d;
    }
    return v;
}

namespace {
struct Service {
    const char* name;
    std::uint16_t port;
};
// The services iptables users write by name (from /etc/services); numbers work for all others.
constexpr Service services[] = {
    {"ftp-data", 20},    {"ftp", 21},           {"ssh", 22},           {"telnet", 23},
    {"smtp", 25},        {"domain", 53},        {"bootps", 67},        {"bootpc", 68},
    {"tftp", 69},        {"http", 80},          {"www", 80},           {"kerberos", 88},
    {"pop3", 110},       {"sunrpc", 111},       {"auth", 113},         {"ntp", 123},
    {"netbios-ns", 137}, {"netbios-dgm", 138},  {"netbios-ssn", 139},  {"imap", 143},
    {"imap2", 143},      {"snmp", 161},         {"snmp-trap", 162},    {"bgp", 179},
    {"ldap", 389},       {"https", 443},        {"microsoft-ds", 445}, {"isakmp", 500},
    {"syslog", 514},     {"submission", 587},   {"ldaps", 636},        {"rsync", 873},
    {"imaps", 993},      {"pop3s", 995},        {"openvpn", 1194},     {"ms-sql-s", 1433},
    {"l2tp", 1701},      {"pptp", 1723},        {"radius", 1812},      {"nfs", 2049},
    {"mysql", 3306},     {"ipsec-nat-t", 4500}, {"sip", 5060},         {"postgresql", 5432},
    {"x11", 6000},       {"http-alt", 8080},    {"smtps", 465},        {"dns", 53},
    {"ircd", 6667},      {"xmpp-client", 5222}, {"nntp", 119},         {"ms-wbt-server", 3389},
};
}  // namespace

std::optional<std::uint32_t> parse_strtoul_int(std::string_view text, unsigned base) {
    std::size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || (text[i] >= '\t' && text[i] <= '\r'))) ++i;
    bool minus = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) minus = text[i++] == '-';
    // Past unsigned long (strtoul's ULONG_MAX, -1 as an int) or not a number: nullopt either way.
    const auto n = parse_uint(text.substr(i), UINT64_MAX, base);
    if (!n) return std::nullopt;
    const auto as_int = static_cast<std::int32_t>(static_cast<std::uint32_t>(minus ? 0 - *n : *n));
    if (as_int < 0) return std::nullopt;
    return static_cast<std::uint32_t>(as_int);
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (auto v = parse_uint(text, 65535)) return static_cast<std::uint16_t>(*v);
    return service_port(text);
}

std::optional<std::uint16_t> service_port(std::string_view name) {
    for (const auto& s : services)
        if (name == s.name) return s.port;
    return std::nullopt;
}

std::optional<PortRange> parse_port_range(std::string_view text, char sep) {
    auto colon = text.find(sep);
    if (colon == std::string_view::npos) {
        auto p = parse_port(text);
        if (!p) return std::nullopt;
        return PortRange{*p, *p};
    }
    auto lo_text = text.substr(0, colon), hi_text = text.substr(colon + 1);
    std::uint16_t lo = 0, hi = 65535;
    if (!lo_text.empty()) {
        auto p = parse_port(lo_text);
        if (!p) return std::nullopt;
        lo = *p;
    }
    if (!hi_text.empty()) {
        auto p = parse_port(hi_text);
        if (!p) return std::nullopt;
        hi = *p;
    }
    if (lo > hi) return std::nullopt;  // "invalid portrange (min > max)"
    return PortRange{lo, hi};
}

std::optional<UintRange> parse_uint_range(std::string_view text, std::uint64_t max, std::string& error) {
    const auto colon = text.find(':');
    UintRange r{0, max};
    auto bound = [&](std::string_view part, std::uint64_t& out) {
        auto v = parse_uint(part, max);
        if (v) out = *v;
        return v.has_value();
    };
    bool ok = colon == std::string_view::npos
                  ? bound(text, r.lo) && bound(text, r.hi)
                  : (colon == 0 || bound(text.substr(0, colon), r.lo)) && (colon + 1 == text.size() || bound(text.substr(colon + 1), r.hi));
    if (!ok) {
        error = "expected N or MIN:MAX (0-" + std::to_string(max) + "), got '" + std::string(text) + "'";
        return std::nullopt;
    }
    if (r.lo > r.hi) {
        error = "the range '" + std::string(text) + "' is reversed (min > max)";
        return std::nullopt;
    }
    return r;
}

std::string format_uint_range(const UintRange& r) { return r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + ":" + std::to_string(r.hi); }

std::string format_port_range(const PortRange& r, char sep) {
    if (r.lo == r.hi) return std::to_string(r.lo);
    return std::to_string(r.lo) + sep + std::to_string(r.hi);
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_value_mask(std::string_view text) {
    auto slash = text.find('/');
    auto v = parse_uint(text.substr(0, slash), 0xffffffffu);
    if (!v) return std::nullopt;
    std::uint64_t m = 0xffffffffu;
    if (slash != std::string_view::npos) {
        auto mm = parse_uint(text.substr(slash + 1), 0xffffffffu);
        if (!mm) return std::nullopt;
        m = *mm;
    }
    return std::pair{static_cast<std::uint32_t>(*v), static_cast<std::uint32_t>(m)};
}

std::string hex(std::uint32_t v, int width) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
    return buf;
}

std::string hex02(std::uint8_t v) { return hex(v, 2); }

std::optional<std::uint64_t> rate_unit_seconds(std::string_view word) {
    if (abbreviates(word, "second")) return 1;
    if (abbreviates(word, "minute")) return 60;
    if (abbreviates(word, "hour")) return 3600;
    if (abbreviates(word, "day")) return 86400;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_rate(std::string_view text, std::uint64_t scale) {
    // libxt_limit's parse_rate: the unit any prefix of its name in any case, the count C's atoi of
    // the whole text (blanks, a sign, digits, the rest ignored; cut to an int), then taken unsigned.
    auto slash = text.find('/');
    std::uint64_t mult = 1;  // per second by default
    if (slash != std::string_view::npos) {
        const auto seconds = rate_unit_seconds(text.substr(slash + 1));
        if (!seconds) return std::nullopt;
        mult = *seconds;
    }
    const std::string whole(text);
    const auto n = static_cast<std::uint32_t>(std::atoi(whole.c_str()));
    if (n == 0) return std::nullopt;
    return scale * mult / n;
}

PrintedRate print_xt_rate(std::uint64_t avg, std::uint64_t scale) {
    struct Unit {
        const char* name;
        std::uint64_t seconds;
    };
    static constexpr Unit units[] = {{"day", 86400}, {"hour", 3600}, {"min", 60}, {"sec", 1}};
    std::size_t i = 1;
    for (; i < std::size(units); ++i) {
        const std::uint64_t period = scale * units[i].seconds;
        if (avg > period || period / avg < period % avg) break;
    }
    const Unit& u = units[i - 1];
    return {std::to_string(scale * u.seconds / avg) + "/" + u.name, u.seconds};
}

bool abbreviates(std::string_view word, std::string_view full) {
    if (word.empty() || word.size() > full.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(word[i])) != std::tolower(static_cast<unsigned char>(full[i]))) return false;
    return true;
}

std::optional<IpAddr> parse_xt_mask(std::string_view text, Family family) {
    if (auto len = parse_uint(text, static_cast<std::uint64_t>(address_bits(family)))) return prefix_mask(family, static_cast<int>(*len));
    if (auto mask = parse_ip(text, family)) return mask;
    if (auto whole = parse_uint(text, 0xffffffffu); whole && family == Family::ipv4) return IpAddr::v4(static_cast<std::uint32_t>(*whole));
    return std::nullopt;
}

std::string parse_xt_uint(std::string_view text, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
    const auto v = parse_uint(text, max);
    if (!v || *v < min) return "expected a number " + std::to_string(min) + "-" + std::to_string(max) + ", got '" + std::string(text) + "'";
    out = *v;
    return {};
}

std::optional<HostMask> parse_xt_hostmask(std::string_view text, Family family) {
    const auto slash = text.find('/');
    const auto addr = parse_ip(text.substr(0, slash), family);
    if (!addr) return std::nullopt;
    HostMask hm{*addr, prefix_mask(family, address_bits(family))};
    if (slash == std::string_view::npos) return hm;
    const auto mask = parse_xt_mask(text.substr(slash + 1), family);
    if (!mask) return std::nullopt;
    hm.mask = *mask;
    return hm;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        auto pos = text.find(sep, start);
        out.push_back(text.substr(start, pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

std::string lower(std::string_view text) {
    std::string s(text);
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace fwbench::detail
