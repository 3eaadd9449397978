#include "random_cases.hpp"

#include <random>
#include <sstream>

#include "fwbench/addr.hpp"
#include "path_fixtures.hpp"

namespace fwbench::test {

namespace {

class Gen {
public:
    explicit Gen(std::uint64_t seed) : rng_(seed) {}
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
    bool chance(int percent) { return below(100) < static_cast<std::uint32_t>(percent); }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[below(static_cast<std::uint32_t>(v.size()))];
    }

private:
    std::mt19937_64 rng_;
};

const std::vector<std::string> addresses = {"203.0.113.1",  "203.0.113.7",    "203.0.113.9", "203.0.113.200", "198.51.100.7",
                                            "198.51.100.9", "198.51.100.130", "192.0.2.1",   "192.0.2.50",    "192.0.2.51",
                                            "192.0.2.77",   "192.0.2.255",    "127.0.0.1"};
const std::vector<std::string> remote = {"198.51.100.7", "198.51.100.9", "198.51.100.130", "203.0.113.7",
                                         "203.0.113.9",  "192.0.2.50",   "192.0.2.51",     "192.0.2.77"};
const std::vector<std::string> own = {"203.0.113.1", "192.0.2.1"};
const std::vector<std::uint16_t> ports = {22, 53, 80, 443, 8080, 1024, 5000};

std::string prefix(Gen& g) {
    std::string a = g.pick(addresses);
    static const std::vector<int> lens = {8, 16, 24, 25, 28, 32, 32};
    return a + "/" + std::to_string(g.pick(lens));
}

std::string port_spec(Gen& g) {
    std::uint16_t p = g.pick(ports);
    if (g.chance(30)) return std::to_string(p) + ":" + std::to_string(p + g.below(2000));
    return std::to_string(p);
}

struct ChainInfo {
    std::string name;
    bool builtin;
    bool in_ok, out_ok;  // may use -i / -o (built-in chains: per hook)
};

std::string rule_body(Gen& g, const std::string& table, const ChainInfo& c, const std::vector<std::string>& later_chains) {
    std::ostringstream r;
    auto neg = [&](int pct) { return g.chance(pct) ? "! " : ""; };
    if (g.chance(35)) r << " " << neg(20) << "-s " << prefix(g);
    if (g.chance(35)) r << " " << neg(20) << "-d " << prefix(g);
    static const std::vector<std::string> ifaces = {"wan1", "lan0", "lo", "wan+", "lan+", "eth+", "+"};
    if (c.in_ok && g.chance(30)) r << " " << neg(20) << "-i " << g.pick(ifaces);
    if (c.out_ok && g.chance(30)) r << " " << neg(20) << "-o " << g.pick(ifaces);
    std::string proto;
    bool proto_negated = false;
    if (g.chance(60)) {
        static const std::vector<std::string> protos = {"tcp", "udp", "icmp"};
        proto = g.pick(protos);
        proto_negated = g.chance(15);
        r << " " << (proto_negated ? "! " : "") << "-p " << proto;
    }
    if (!proto_negated && (proto == "tcp" || proto == "udp")) {
        if (g.chance(50)) {
            r << " -m " << proto;
            if (g.chance(50)) r << " " << neg(20) << "--sport " << port_spec(g);
            if (g.chance(70)) r << " " << neg(20) << "--dport " << port_spec(g);
            if (proto == "tcp" && g.chance(30)) {
                if (g.chance(50)) r << " " << neg(20) << "--syn";
                else r << " " << neg(20) << "--tcp-flags SYN,ACK,FIN,RST " << (g.chance(50) ? "ACK" : "SYN,ACK");
            }
        } else if (g.chance(40)) {
            r << " -m multiport " << neg(20) << (g.chance(50) ? "--dports " : "--ports ") << g.pick(ports) << "," << port_spec(g);
        }
    }
    if (!proto_negated && proto == "icmp" && g.chance(60)) {
        static const std::vector<std::string> types = {"8", "0", "3/3", "3", "any", "echo-request"};
        r << " -m icmp " << neg(20) << "--icmp-type " << g.pick(types);
    }
    if (g.chance(30)) {
        static const std::vector<std::string> states = {"NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID", "NEW,ESTABLISHED", "UNTRACKED"};
        if (g.chance(50)) r << " -m state " << neg(20) << "--state " << g.pick(states);
        else r << " -m conntrack " << neg(20) << "--ctstate " << g.pick(states) << (g.chance(20) ? ",DNAT" : "");
    }
    if (g.chance(15)) r << " -m mark " << neg(20) << "--mark 0x" << g.below(4) << (g.chance(50) ? "/0x3" : "");
    if (g.chance(10)) r << " -m length " << neg(20) << "--length " << 40 + g.below(60) << ":" << 100 + g.below(100);
    if (g.chance(10)) r << " -m ttl --ttl-" << (g.chance(50) ? "gt " : "lt ") << g.pick(std::vector<int>{1, 2, 63, 64, 200});
    if (g.chance(12)) {
        static const std::vector<std::string> types = {"LOCAL", "UNICAST", "BROADCAST", "LOCAL,BROADCAST"};
        r << " -m addrtype " << neg(20) << (g.chance(60) ? "--dst-type " : "--src-type ") << g.pick(types);
    }
    if (g.chance(8)) r << " -m iprange " << neg(20) << "--dst-range 192.0.2.40-192.0.2.60";

    // Target.
    std::vector<std::string> targets = {"ACCEPT", "DROP", "RETURN", "", "LOG", "MARK"};
    if (table == "filter") targets.push_back("REJECT");
    if (!later_chains.empty()) {
        targets.push_back("jump");
        targets.push_back("jump");
        targets.push_back("goto");
    }
    if (table == "nat") targets = {"ACCEPT", "RETURN", "", "NAT", "NAT"};
    std::string t = g.pick(targets);
    if (t == "jump") r << " -j " << g.pick(later_chains);
    else if (t == "goto") r << " -g " << g.pick(later_chains);
    else if (t == "LOG") r << " -j LOG --log-prefix \"rnd \"";
    else if (t == "MARK") r << " -j MARK --set-xmark 0x" << g.below(4) << "/0x" << (g.chance(50) ? "3" : "ffffffff");
    else if (t == "REJECT") {
        // Every answer REJECT can send; tcp-reset only where iptables allows it (-p tcp).
        static const std::vector<std::string> with = {
            "icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable", "icmp-proto-unreachable",
            "icmp-net-prohibited",  "icmp-host-prohibited",  "icmp-admin-prohibited", "tcp-reset"};
        r << " -j REJECT";
        if (g.chance(60)) {
            const std::string& w = g.pick(with);
            if (w != "tcp-reset" || (proto == "tcp" && !proto_negated)) r << " --reject-with " << w;
        }
    } else if (t == "NAT") {
        bool port_proto = !proto_negated && (proto == "tcp" || proto == "udp");
        if ((c.name == "PREROUTING" || c.name == "OUTPUT") && port_proto && g.chance(20)) {
            r << " -j REDIRECT";
            if (g.chance(50)) r << " --to-ports 30000-30005";
        } else if (c.name == "PREROUTING" || c.name == "OUTPUT") {
            r << " -j DNAT --to-destination 192.0.2." << (50 + g.below(2));
            if (port_proto) r << ':' << g.pick(ports);
        } else if (c.name == "POSTROUTING") {
            // --to-ports ranges the traffic's source ports (30000 up) fall inside and outside of:
            // an in-range port is kept unless its tuple is taken (nf_nat_l4proto_unique_tuple).
            static const std::vector<std::string> ranges = {"30000-30005", "30003-30003", "1024-65535", "40000-40010"};
            const bool masquerade = g.chance(50);
            r << (masquerade ? " -j MASQUERADE" : " -j SNAT --to-source 203.0.113.1");
            if (port_proto && g.chance(50)) r << (masquerade ? " --to-ports " : ":") << g.pick(ranges);
        } else r << " -j ACCEPT";
    } else if (!t.empty()) r << " -j " << t;
    return r.str();
}

void table_text(Gen& g, std::ostringstream& out, const std::string& table, const std::vector<ChainInfo>& builtins) {
    int users = static_cast<int>(table == "nat" ? 0 : g.below(4));
    std::vector<std::string> user_names;
    for (int i = 0; i < users; ++i) {
        std::string name = "u";
        name += std::to_string(i);
        user_names.push_back(name);
    }
    out << "*" << table << "\n";
    // Most built-in chains are declared; some get their policy from -P, some are named only by
    // their -A lines or not at all (ChainPresence: iptables-nft creates only named chains).
    for (const auto& b : builtins) {
        const char* policy = table == "filter" && g.chance(40) ? "DROP" : "ACCEPT";
        const std::uint32_t naming = g.below(10);
        if (naming < 7) out << ":" << b.name << " " << policy << " [0:0]\n";
        else if (naming == 7) out << "-P " << b.name << " " << policy << "\n";
    }
    for (const auto& u : user_names) out << ":" << u << " - [0:0]\n";
    for (const auto& b : builtins) {
        int n = static_cast<int>(g.below(6));
        for (int i = 0; i < n; ++i) out << "-A " << b.name << rule_body(g, table, b, user_names) << "\n";
    }
    for (int i = 0; i < users; ++i) {
        // A user chain may jump only to later ones: no loops.
        std::vector<std::string> later(user_names.begin() + i + 1, user_names.end());
        ChainInfo c{user_names[static_cast<std::size_t>(i)], false, true, true};
        int n = static_cast<int>(g.below(5));
        for (int k = 0; k < n; ++k) out << "-A " << c.name << rule_body(g, table, c, later) << "\n";
    }
    out << "COMMIT\n";
}

}  // namespace

RandomCase make_random_case(std::uint64_t seed) {
    Gen g(seed);
    RandomCase rc;
    // The router of path_fixtures.hpp; in some cases wan1 holds a second primary address whose
    // subnet holds some destinations: MASQUERADE then takes the address that fits the next hop
    // (inet_select_addr), not the device's first.
    const bool two_addresses = g.chance(30);
    std::string addr = router_addr, routes = router_routes;
    if (two_addresses) {
        const std::string first = R"({"family":"inet","local":"203.0.113.1","prefixlen":24})";
        addr.replace(addr.find(first), first.size(), first + R"(,{"family":"inet","local":"198.51.100.1","prefixlen":24})");
        routes.insert(routes.rfind(']'), R"(,{"dst":"198.51.100.0/24","dev":"wan1","prefsrc":"198.51.100.1"},)"
                                         R"({"type":"local","dst":"198.51.100.1","dev":"wan1","table":"local","prefsrc":"198.51.100.1"},)"
                                         R"({"type":"broadcast","dst":"198.51.100.255","dev":"wan1","table":"local","prefsrc":"198.51.100.1"})");
    }
    // No ICMP redirects: after a peer's first, whether the kernel sends another depends on the
    // jiffies between them (ip_rt_send_redirect's backoff), which an unpaced replay does not
    // control — a loaded machine turned one case. The path fixtures check redirects.
    rc.host_json = std::string("{\"addr\":") + addr + ",\"route\":" + routes + ",\"rule\":" + router_rules +
                   ",\"sysctl\":{\"ip_forward\":1,\"net.ipv4.conf.all.send_redirects\":0,\"net.ipv4.conf.default.send_redirects\":0}}";
    std::ostringstream rules;
    if (g.chance(35))
        table_text(g, rules, "mangle",
                   {{"PREROUTING", true, true, false},
                    {"INPUT", true, true, false},
                    {"FORWARD", true, true, true},
                    {"OUTPUT", true, false, true},
                    {"POSTROUTING", true, false, true}});
    if (g.chance(35))
        table_text(
            g, rules, "nat",
            {{"PREROUTING", true, true, false}, {"INPUT", true, true, false}, {"OUTPUT", true, false, true}, {"POSTROUTING", true, false, true}});
    table_text(g, rules, "filter", {{"INPUT", true, true, false}, {"FORWARD", true, true, true}, {"OUTPUT", true, false, true}});
    rc.rules = rules.str();

    // TCP sequence numbers: mostly those of a real exchange, sometimes far ahead, stale or
    // anything, so that window tracking (tcp_in_window) finds some segments INVALID or ignores them.
    auto sequence_near = [&](std::uint32_t expected) -> std::uint32_t {
        switch (g.below(10)) {
            case 0: return expected + 100000u;
            case 1: return expected - 3000u;
            case 2: return static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
            default: return expected;
        }
    };
    auto next_sequence = [](const Packet& q) {
        return q.tcp_seq + q.tcp_payload_len() + ((q.tcp_flags & tcp_flag::syn) ? 1u : 0u) + ((q.tcp_flags & tcp_flag::fin) ? 1u : 0u);
    };
    static const std::vector<std::uint16_t> windows = {64240, 64240, 1000, 100, 0};
    // A SYN's options, sometimes: window scale (whose agreement scales later windows), SACK permitted.
    auto syn_options = [&](Packet& q) {
        std::vector<std::uint8_t> o;
        if (g.chance(50)) o.insert(o.end(), {2, 4, 0x05, 0xb4});
        if (g.chance(40)) o.insert(o.end(), {1, 3, 3, static_cast<std::uint8_t>(g.below(15))});
        if (g.chance(40)) o.insert(o.end(), {1, 1, 4, 2});
        q.set_tcp_option_bytes(o.data(), o.size());
    };
    auto tcp_length = [&](const Packet& q) { return 20u + q.tcp_header_len + g.below(120); };

    int n = 15 + static_cast<int>(g.below(25));
    std::uint16_t next_port = 30000;
    std::uint64_t t = 0;
    for (int i = 0; i < n; ++i) {
        t += 1000000;  // 1 ms apart
        if (!rc.packets.empty() && g.chance(25)) {
            // A reply to an earlier packet, from the side it went to.
            const auto& [prev, prev_origin] = rc.packets[g.below(static_cast<std::uint32_t>(rc.packets.size()))];
            if (prev.proto == proto::tcp || prev.proto == proto::udp || (prev.proto == proto::icmp && prev.icmp_type == 8)) {
                Packet r = prev;
                std::swap(r.src, r.dst);
                std::swap(r.sport, r.dport);
                if (r.proto == proto::icmp) r.icmp_type = 0;
                if (r.proto == proto::tcp) {
                    r.tcp_flags = g.chance(60) ? (tcp_flag::syn | tcp_flag::ack) : g.chance(80) ? tcp_flag::ack : tcp_flag::rst | tcp_flag::ack;
                    r.tcp_ack = sequence_near(next_sequence(prev));
                    r.tcp_seq = g.chance(70) ? 5000u : static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
                    r.tcp_window = g.pick(windows);
                    r.set_tcp_option_bytes(nullptr, 0);
                    if (r.tcp_flags & tcp_flag::syn) syn_options(r);
                    r.length = tcp_length(r);
                }
                r.timestamp_ns = t;
                r.ttl = 64;
                r.mark = 0;
                bool dst_local = format_ip(r.dst) == "203.0.113.1" || format_ip(r.dst) == "192.0.2.1" || format_ip(r.dst) == "127.0.0.1";
                (void)dst_local;
                bool src_local = format_ip(r.src) == "203.0.113.1" || format_ip(r.src) == "192.0.2.1" || format_ip(r.src) == "127.0.0.1";
                if (src_local) {
                    r.in = IfaceName();
                    rc.packets.push_back({r, Origin::local});
                } else {
                    std::string s = format_ip(r.src);
                    r.in = IfaceName(s.rfind("192.0.2.", 0) == 0 ? "lan0" : "wan1");
                    rc.packets.push_back({r, Origin::wire});
                }
                continue;
            }
        }
        if (!rc.packets.empty() && g.chance(20)) {
            // The next segment of an earlier TCP packet, from the same side.
            const auto& [prev, prev_origin] = rc.packets[g.below(static_cast<std::uint32_t>(rc.packets.size()))];
            if (prev.proto == proto::tcp) {
                Packet c = prev;
                static const std::vector<std::uint8_t> later = {tcp_flag::ack, tcp_flag::ack | tcp_flag::psh, tcp_flag::fin | tcp_flag::ack,
                                                                tcp_flag::rst, tcp_flag::syn};
                c.tcp_flags = g.pick(later);
                c.tcp_seq = sequence_near(next_sequence(prev));
                c.tcp_window = g.pick(windows);
                c.set_tcp_option_bytes(nullptr, 0);
                c.length = tcp_length(c);
                c.timestamp_ns = t;
                c.mark = 0;
                rc.packets.push_back({c, prev_origin});
                continue;
            }
        }
        Packet p;
        p.family = Family::ipv4;
        p.timestamp_ns = t;
        static const std::vector<std::uint8_t> protos = {proto::tcp, proto::tcp, proto::udp, proto::udp, proto::icmp};
        p.proto = g.pick(protos);
        bool local = g.chance(30);
        if (local) {
            p.src = *parse_ip(g.chance(20) ? "127.0.0.1" : g.pick(own), Family::ipv4);
            p.dst = *parse_ip(g.chance(40) ? g.pick(own) : g.pick(remote), Family::ipv4);
            if (format_ip(p.src) == "127.0.0.1" && g.chance(70)) p.dst = p.src;
        } else {
            std::string s = g.pick(remote);
            p.src = *parse_ip(s, Family::ipv4);
            p.in = IfaceName(g.chance(85) ? (s.rfind("192.0.2.", 0) == 0 ? "lan0" : "wan1") : (s.rfind("192.0.2.", 0) == 0 ? "wan1" : "lan0"));
            static const std::vector<std::string> dsts = {"203.0.113.1", "192.0.2.1",   "198.51.100.7", "198.51.100.130",
                                                          "192.0.2.50",  "192.0.2.255", "203.0.113.9"};
            p.dst = *parse_ip(g.pick(dsts), Family::ipv4);
        }
        if (p.proto == proto::icmp) {
            static const std::vector<std::uint8_t> types = {8, 8, 0, 13};
            p.icmp_type = g.pick(types);
            p.icmp_id = static_cast<std::uint16_t>(1 + g.below(1000));
        } else {
            p.sport = next_port++;
            p.dport = g.pick(ports);
        }
        if (p.proto == proto::tcp) {
            static const std::vector<std::uint8_t> flags = {tcp_flag::syn,
                                                            tcp_flag::syn,
                                                            tcp_flag::ack,
                                                            tcp_flag::syn | tcp_flag::ack,
                                                            tcp_flag::fin | tcp_flag::ack,
                                                            tcp_flag::rst,
                                                            tcp_flag::syn | tcp_flag::fin};
            p.tcp_flags = g.pick(flags);
            static const std::vector<std::uint32_t> starts = {0, 1000, 0xfffffc00u};  // the last wraps within a segment or two
            p.tcp_seq = g.chance(75) ? g.pick(starts) : static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
            if (p.tcp_flags & tcp_flag::ack) p.tcp_ack = static_cast<std::uint32_t>(g.below(1u << 31)) * 2u;
            p.tcp_window = g.pick(windows);
            if (p.tcp_flags & tcp_flag::syn) syn_options(p);
        }
        p.length = p.proto == proto::tcp ? tcp_length(p) : 40 + g.below(160);
        static const std::vector<std::uint8_t> ttls = {64, 64, 64, 1, 2, 255};
        p.ttl = g.pick(ttls);
        rc.packets.push_back({p, local ? Origin::local : Origin::wire});
    }
    rc.legacy = g.chance(15);
    return rc;
}

}  // namespace fwbench::test
