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
    auto p = parse_prefix(w, Family::ipv4);
    if (!p.prefix || w.find('/') == std::string_view::npos) {
        c.pos = start;
        c.fail(std::string("expected the ") + what + " prefix A.B.C.D/LEN, got '" + std::string(w) + "'");
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
        r.dst = prefix_field(c, "destination");
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
    rs.family = Family::ipv4;
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

Packet classbench_header(const ClassBenchRule& r, std::mt19937_64& rng) {
    Packet p;
    p.src = IpAddr::v4(r.src.addr.v4_host() | (static_cast<std::uint32_t>(rng()) & ~r.src.mask.v4_host()));
    p.dst = IpAddr::v4(r.dst.addr.v4_host() | (static_cast<std::uint32_t>(rng()) & ~r.dst.mask.v4_host()));
    p.sport = static_cast<std::uint16_t>(r.sport.lo + rng() % (r.sport.hi - r.sport.lo + 1u));
    p.dport = static_cast<std::uint16_t>(r.dport.lo + rng() % (r.dport.hi - r.dport.lo + 1u));
    p.proto = r.proto_mask ? r.proto : 0;
    p.length = 64;
    return p;
}

}  // namespace fwbench
