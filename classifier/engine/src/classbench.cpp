#include "fwbench/classbench.hpp"

#include <fstream>
#include <sstream>

#include "fwbench/parse_error.hpp"
#include "fwbench/parse_util.hpp"

namespace fwbench {

namespace {

struct Cursor {
    std::string_view line;
    std::size_t pos = 0;
    const std::string& source;
    int line_no;

    [[noreturn]] void fail(const std::string& msg) const { throw ParseError(source, line_no, static_cast<int>(pos) + 1, msg); }
    void skip_space() {
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r')) ++pos;
    }
    std::string_view word() {
        skip_space();
        std::size_t start = pos;
        while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t' && line[pos] != '\r') ++pos;
        return line.substr(start, pos - start);
    }
    std::uint64_t number(std::uint64_t max, const char* what) {
        skip_space();
        std::size_t start = pos;
        auto w = word();
        auto v = detail::parse_uint(w, max);
        if (!v) {
            pos = start;
            fail(std::string("expected ") + what + ", got '" + std::string(w) + "'");
        }
        return *v;
    }
    void expect(char c) {
        skip_space();
        if (pos >= line.size() || line[pos] != c) fail(std::string("expected '") + c + "'");
        ++pos;
    }
};

IpPrefix prefix_field(Cursor& c, const char* what) {
    c.skip_space();
    std::size_t start = c.pos;
    auto w = c.word();
    const Family family = w.find(':') == std::string_view::npos ? Family::ipv4 : Family::ipv6;
    auto p = parse_prefix(w, family);
    if (!p.prefix || w.find('/') == std::string_view::npos) {
        c.pos = start;
        c.fail(std::string("expected the ") + what + " prefix A.B.C.D/LEN or IPV6/LEN, got '" + std::string(w) + "'");
    }
    return *p.prefix;
}

PortRange range_field(Cursor& c, const char* what) {
    auto lo = c.number(65535, what);
    c.expect(':');
    auto hi = c.number(65535, what);
    if (lo > hi) c.fail(std::string("the ") + what + " range is reversed");
    return {static_cast<std::uint16_t>(lo), static_cast<std::uint16_t>(hi)};
}

}  // namespace

std::vector<ClassBenchRule> parse_classbench_rules(std::string_view text, const std::string& source) {
    std::vector<ClassBenchRule> rules;
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        ++line_no;
        Cursor c{line, 0, source, line_no};
        c.skip_space();
        if (c.pos >= line.size()) continue;
        if (line[c.pos] != '@') c.fail("expected a filter line starting with '@'");
        ++c.pos;
        ClassBenchRule r;
        r.line = line_no;
        r.src = prefix_field(c, "source");
        const std::size_t dst_pos = c.pos;
        r.dst = prefix_field(c, "destination");
        const Family family = rules.empty() ? r.src.addr.family : rules.front().src.addr.family;
        if (r.src.addr.family != family || r.dst.addr.family != family) {
            c.pos = r.src.addr.family != family ? 1 : dst_pos;
            c.fail(std::string("this set is ") + (family == Family::ipv4 ? "IPv4" : "IPv6") + " (its first rule's); one set holds one family");
        }
        r.sport = range_field(c, "source port");
        r.dport = range_field(c, "destination port");
        c.skip_space();
        std::size_t proto_pos = c.pos;
        auto pw = c.word();
        auto slash = pw.find('/');
        auto pv = detail::parse_uint(pw.substr(0, slash), 255);
        std::optional<std::uint64_t> pm;
        if (slash != std::string_view::npos) pm = detail::parse_uint(pw.substr(slash + 1), 255);
        if (!pv || !pm) {
            c.pos = proto_pos;
            c.fail("expected the protocol as 0xVALUE/0xMASK, got '" + std::string(pw) + "'");
        }
        if (*pm != 0 && *pm != 0xff) {
            c.pos = proto_pos;
            c.fail("protocol mask must be 0x00 (any) or 0xFF (exact), got '" + std::string(pw) + "'");
        }
        r.proto = static_cast<std::uint8_t>(*pv);
        r.proto_mask = static_cast<std::uint8_t>(*pm);
        // The flags column and a trailing rule id may follow; dpdk-test-acl ignores them too.
        rules.push_back(r);
    }
    return rules;
}

std::vector<ClassBenchRule> read_classbench_rules(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path, 0, 0, "cannot open the ClassBench filter file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_classbench_rules(ss.str(), path);
}

Ruleset classbench_ruleset(const std::vector<ClassBenchRule>& rules, const std::string& source, StandardTarget::Kind policy) {
    Ruleset rs;
    rs.family = rules.empty() ? Family::ipv4 : rules.front().src.addr.family;
    rs.source = source;
    Table t;
    t.name = "filter";
    for (Hook h : builtin_hooks("filter")) {
        Chain c;
        c.name = hook_chain_name(h);
        c.builtin = true;
        c.hooks = hook_bit(h);
        t.chains.push_back(std::move(c));
    }
    Chain& fwd = t.chains[static_cast<std::size_t>(t.find_chain("FORWARD"))];
    fwd.policy = policy;
    for (const auto& cr : rules) {
        Rule r;
        r.line = cr.line;
        if (!cr.src.is_any()) r.ip.src = Neg<IpPrefix>{cr.src, false};
        if (!cr.dst.is_any()) r.ip.dst = Neg<IpPrefix>{cr.dst, false};
        if (cr.proto_mask == 0xff) r.ip.proto = Neg<std::uint8_t>{cr.proto, false};
        bool sport_any = cr.sport.lo == 0 && cr.sport.hi == 65535;
        bool dport_any = cr.dport.lo == 0 && cr.dport.hi == 65535;
        if (!sport_any || !dport_any) {
            // Ports compared for every protocol, as dpdk-test-acl does: not an iptables match,
            // shown as "-m classbench" when the ruleset is written out.
            Match m;
            m.module = "classbench";
            L4PortsMatch ports;
            if (!sport_any) {
                ports.sport = Neg<PortRange>{cr.sport, false};
                m.options.push_back({"sport", false, {std::to_string(cr.sport.lo) + ":" + std::to_string(cr.sport.hi)}});
            }
            if (!dport_any) {
                ports.dport = Neg<PortRange>{cr.dport, false};
                m.options.push_back({"dport", false, {std::to_string(cr.dport.lo) + ":" + std::to_string(cr.dport.hi)}});
            }
            m.spec = ports;
            r.matches.push_back(std::move(m));
        }
        Target accept;
        accept.name = "ACCEPT";
        accept.spec = StandardTarget{StandardTarget::Kind::accept};
        r.target = std::move(accept);
        fwd.rules.push_back(std::move(r));
    }
    rs.tables.push_back(std::move(t));
    return rs;
}

RuleBox classbench_box(const ClassBenchRule& r) {
    RuleBox b;
    b.src_lo = r.src.addr.v4_host();
    b.src_hi = b.src_lo | ~r.src.mask.v4_host();
    b.dst_lo = r.dst.addr.v4_host();
    b.dst_hi = b.dst_lo | ~r.dst.mask.v4_host();
    b.sport_lo = r.sport.lo, b.sport_hi = r.sport.hi, b.dport_lo = r.dport.lo, b.dport_hi = r.dport.hi;
    if (r.proto_mask == 0xff) b.proto_lo = b.proto_hi = r.proto;
    return b;
}

RuleBox6 classbench_box6(const ClassBenchRule& r) {
    RuleBox6 b;
    for (int w = 0; w < 4; ++w) {
        b.src_lo[w] = r.src.addr.word(w);
        b.src_hi[w] = b.src_lo[w] | ~r.src.mask.word(w);
        b.dst_lo[w] = r.dst.addr.word(w);
        b.dst_hi[w] = b.dst_lo[w] | ~r.dst.mask.word(w);
    }
    b.sport_lo = r.sport.lo, b.sport_hi = r.sport.hi, b.dport_lo = r.dport.lo, b.dport_hi = r.dport.hi;
    if (r.proto_mask == 0xff) b.proto_lo = b.proto_hi = r.proto;
    return b;
}

namespace {

// Where IPv4 bit i (0 the most significant) goes in the IPv6 address.
int ipv6_bit_of(int i) { return i < 16 ? 16 + i : i < 24 ? 24 + i : i < 28 ? 32 + i : 96 + i; }

// An address inside the prefix: its bits, then `rng`'s below the prefix.
IpAddr address_in(const IpPrefix& pf, std::mt19937_64& rng) {
    IpAddr a = pf.addr;
    const int n = address_bytes(a.family);
    for (int i = 0; i < n; ++i) {
        const auto b = static_cast<std::size_t>(i);
        a.bytes[b] = static_cast<std::uint8_t>(pf.addr.bytes[b] | (static_cast<std::uint8_t>(rng()) & ~pf.mask.bytes[b]));
    }
    return a;
}

}  // namespace

int classbench_ipv6_length(int v4_length) { return v4_length == 0 ? 0 : ipv6_bit_of(v4_length - 1) + 1; }

IpAddr classbench_ipv6_address(std::uint32_t v4) {
    IpAddr a;
    a.family = Family::ipv6;
    a.bytes[0] = 0x20;
    a.bytes[1] = 0x01;
    for (int i = 0; i < 32; ++i)
        if ((v4 >> (31 - i)) & 1) {
            const int at = ipv6_bit_of(i);
            a.bytes[static_cast<std::size_t>(at / 8)] |= static_cast<std::uint8_t>(0x80u >> (at % 8));
        }
    return a;
}

ClassBenchRule classbench_to_ipv6(const ClassBenchRule& r) {
    auto carry = [](const IpPrefix& p) {
        const int len = mask_length(p.mask);
        IpPrefix out;
        out.mask.family = Family::ipv6;
        const int len6 = classbench_ipv6_length(len);
        for (int b = 0; b < len6; ++b) out.mask.bytes[static_cast<std::size_t>(b / 8)] |= static_cast<std::uint8_t>(0x80u >> (b % 8));
        out.addr = apply_mask(classbench_ipv6_address(p.addr.v4_host()), out.mask);
        return out;
    };
    ClassBenchRule out = r;
    out.src = carry(r.src);
    out.dst = carry(r.dst);
    return out;
}

Packet classbench_header(const ClassBenchRule& r, std::mt19937_64& rng) {
    Packet p;
    p.family = r.src.addr.family;
    if (p.family == Family::ipv6) {
        p.ip_header_len = 40;
        p.src = address_in(r.src, rng);
        p.dst = address_in(r.dst, rng);
    } else {
        p.src = IpAddr::v4(r.src.addr.v4_host() | (static_cast<std::uint32_t>(rng()) & ~r.src.mask.v4_host()));
        p.dst = IpAddr::v4(r.dst.addr.v4_host() | (static_cast<std::uint32_t>(rng()) & ~r.dst.mask.v4_host()));
    }
    p.sport = static_cast<std::uint16_t>(r.sport.lo + rng() % (r.sport.hi - r.sport.lo + 1u));
    p.dport = static_cast<std::uint16_t>(r.dport.lo + rng() % (r.dport.hi - r.dport.lo + 1u));
    p.proto = r.proto_mask ? r.proto : 0;
    p.length = 64;
    return p;
}

}  // namespace fwbench
