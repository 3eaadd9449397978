#include "rule_traffic.hpp"

#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "fwbench/host.hpp"

namespace fwbench {

namespace {

std::string concrete(const IfacePattern& p) {
    std::string n = p.name;
    if (p.wildcard) n += "0";
    if (n.empty() || n == "0") n = "any0";
    return n.substr(0, 15);
}

IpAddr v4(std::uint32_t v) { return IpAddr::v4(v); }

// An address inside (or, negated, outside) a prefix.
IpAddr address_for(const Neg<IpPrefix>& p, std::mt19937_64& rng) {
    if (p.value.addr.family == Family::ipv6) {
        // Inside: the prefix with a host part of 1..16 in its last bits; outside: the first bit
        // flipped (2001:db8:: becomes a1..., far from the prefix).
        IpAddr a = p.value.addr;
        if (p.negated) {
            a.bytes[0] ^= 0x80;
            a.bytes[15] = 1;
            return a;
        }
        const std::uint8_t host_bits = static_cast<std::uint8_t>(1 + (rng() & 0x0f));
        a.bytes[15] = static_cast<std::uint8_t>(a.bytes[15] | (host_bits & ~p.value.mask.bytes[15]));
        return a;
    }
    std::uint32_t net = p.value.addr.v4_host(), mask = p.value.mask.v4_host();
    if (!p.negated) return v4(net | (static_cast<std::uint32_t>(rng()) & ~mask & 0x0f) | (mask == 0xffffffffu ? 0 : 1));
    return v4(((net ^ 0x80000000u) & 0xff000000u) | 0x00000101u);
}

}  // namespace

std::string host_for_ruleset(const Ruleset& rs) {
    std::vector<std::string> names;
    auto add = [&](const std::string& n) {
        if (n != "lo" && n != "any0" && std::find(names.begin(), names.end(), n) == names.end() && names.size() < 14) names.push_back(n);
    };
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules) {
                if (r.ip.in) add(concrete(r.ip.in->value));
                if (r.ip.out) add(concrete(r.ip.out->value));
            }
    if (names.empty()) names.push_back("eth0");
    const bool ipv6 = rs.family == Family::ipv6;
    nlohmann::json addr = nlohmann::json::array();
    nlohmann::json lo_addrs = {{{"family", "inet"}, {"local", "127.0.0.1"}, {"prefixlen", 8}}};
    if (ipv6) lo_addrs.push_back({{"family", "inet6"}, {"local", "::1"}, {"prefixlen", 128}, {"scope", "host"}});
    // MTUs as a namespace's lo and veths have them (what TCPMSS --clamp-mss-to-pmtu reads).
    addr.push_back({{"ifindex", 1}, {"ifname", "lo"}, {"flags", {"LOOPBACK", "UP"}}, {"mtu", 65536}, {"addr_info", lo_addrs}});
    for (std::size_t i = 0; i < names.size(); ++i) {
        char mac[18], ip[16];
        std::snprintf(mac, sizeof mac, "02:00:00:00:%02x:01", static_cast<unsigned>(i + 1));
        std::snprintf(ip, sizeof ip, "192.0.2.%u", static_cast<unsigned>(16 * (i + 1) + 1) % 256);
        nlohmann::json addrs = {{{"family", "inet"}, {"local", ip}, {"prefixlen", 28}}};
        if (ipv6) {  // 2001:db8:N::1/64 beside it
            char ip6[24];
            std::snprintf(ip6, sizeof ip6, "2001:db8:%x::1", static_cast<unsigned>(i + 1));
            addrs.push_back({{"family", "inet6"}, {"local", ip6}, {"prefixlen", 64}, {"scope", "global"}});
        }
        addr.push_back(
            {{"ifindex", i + 2}, {"ifname", names[i]}, {"flags", {"BROADCAST", "UP"}}, {"address", mac}, {"mtu", 1500}, {"addr_info", addrs}});
    }
    nlohmann::json sysctl = {{"net.ipv4.ip_forward", 1}};
    if (ipv6) sysctl["net.ipv6.conf.all.forwarding"] = 1;
    nlohmann::json host = {{"addr", addr}, {"sysctl", sysctl}};
    // Routes: derived from the addresses, plus a default route through the first interface.
    Host derived = Host::from_json(addr.dump(), "synthesized");
    nlohmann::json routes = nlohmann::json::array();
    for (std::uint32_t table : {rt_table_local, rt_table_main})
        if (const RouteTable* t = derived.table(table))
            for (const auto& r : t->routes()) {
                nlohmann::json j = {{"dst", format_prefix(r.dst)}, {"dev", r.dev}};
                if (r.type != RouteType::unicast) j["type"] = route_type_name(r.type);
                if (table == rt_table_local) j["table"] = "local";
                if (r.prefsrc) j["prefsrc"] = format_ip(*r.prefsrc);
                if (r.metric) j["metric"] = r.metric;  // IPv6's prefix routes: 256, as addrconf makes them
                routes.push_back(j);
            }
    char gw[16];
    std::snprintf(gw, sizeof gw, "192.0.2.%u", 16 + 14);
    routes.push_back({{"dst", "default"}, {"gateway", gw}, {"dev", names[0]}});
    if (ipv6) routes.push_back({{"dst", "::/0"}, {"gateway", "2001:db8:1::fe"}, {"dev", names[0]}, {"metric", 1024}});
    host["route"] = routes;
    return host.dump();
}

namespace {

// The aimed packet's neighbours just outside the rule's port ranges and IPv4 prefixes.
std::vector<Packet> boundary_packets(const Rule& r, const Packet& aimed, Origin origin) {
    std::vector<Packet> out;
    auto ports = [&](const std::optional<Neg<PortRange>>& range, std::uint16_t Packet::*field) {
        if (!range || range->negated) return;
        if (range->value.lo > 0) {
            Packet q = aimed;
            q.*field = static_cast<std::uint16_t>(range->value.lo - 1);
            out.push_back(q);
        }
        if (range->value.hi < 0xffff) {
            Packet q = aimed;
            q.*field = static_cast<std::uint16_t>(range->value.hi + 1);
            out.push_back(q);
        }
    };
    for (const auto& m : r.matches)
        if (const auto* l4 = std::get_if<L4PortsMatch>(&m.spec)) {
            ports(l4->sport, &Packet::sport);
            ports(l4->dport, &Packet::dport);
        }
    auto prefix = [&](const std::optional<Neg<IpPrefix>>& pre, IpAddr Packet::*field) {
        if (!pre || pre->negated || pre->value.addr.family != Family::ipv4 || mask_length(pre->value.mask) <= 0) return;
        const std::uint32_t net = pre->value.addr.v4_host(), last = net | ~pre->value.mask.v4_host();
        auto usable = [](std::uint32_t a) { return (a >> 24) != 0 && (a >> 24) != 127 && (a >> 28) < 0xe; };
        for (std::uint32_t a : {net - 1, last + 1}) {
            if ((a == net - 1 && net == 0) || (a == last + 1 && last == 0xffffffffu) || !usable(a)) continue;
            Packet q = aimed;
            q.*field = IpAddr::v4(a);
            out.push_back(q);
        }
    };
    if (origin == Origin::wire) prefix(r.ip.src, &Packet::src);  // the host's own packets keep its address
    prefix(r.ip.dst, &Packet::dst);
    return out;
}

}  // namespace

std::vector<std::pair<Packet, Origin>> traffic_for_ruleset(const Ruleset& rs, const Host& host, std::uint64_t seed, int random_packets,
                                                           bool boundaries) {
    std::mt19937_64 rng(seed);
    std::vector<std::pair<Packet, Origin>> out;
    std::vector<std::string> nics;
    for (const auto& itf : host.interfaces())
        if (!itf.loopback) nics.push_back(itf.name);
    // The ruleset's family decides the packets': IPv6 ones for an ip6tables ruleset.
    const Family family = rs.family;
    const bool ipv6 = family == Family::ipv6;
    const IpAddr loopback = *parse_ip(ipv6 ? "::1" : "127.0.0.1", family);
    auto own = [&](const std::string& dev) {
        if (const Interface* itf = host.interface(dev))
            for (const auto& a : itf->addrs)
                if (a.addr.family == family) return a.addr;
        return loopback;
    };
    // Addresses of other hosts: 198.51.100.x / 203.0.113.x, or 2001:db8:ff::x / 2001:db8:fe::x.
    auto other = [&](bool far) {
        const std::uint32_t n = static_cast<std::uint32_t>(1 + rng() % 200);
        if (!ipv6) return v4((far ? 0xCB007100u : 0xC6336400u) | n);
        IpAddr a = *parse_ip(far ? "2001:db8:fe::" : "2001:db8:ff::", Family::ipv6);
        a.bytes[15] = static_cast<std::uint8_t>(n);
        return a;
    };
    auto is_loopback = [&](const IpAddr& a) { return ipv6 ? v6::is_loopback(a) : (a.v4_host() >> 24) == 127; };
    auto is_multicast = [&](const IpAddr& a) { return ipv6 ? v6::is_multicast(a) : (a.v4_host() >> 28) == 0xe; };
    const std::uint8_t icmp = ipv6 ? proto::icmpv6 : proto::icmp;
    std::uint16_t next_port = 40000;
    std::uint64_t t = 0;
    auto base = [&](std::uint8_t proto) {
        Packet p;
        p.family = family;
        p.ip_header_len = ipv6 ? 40 : 20;
        p.proto = proto;
        p.length = 60;
        p.ttl = 64;
        p.sport = next_port++;
        p.dport = 80;
        p.tcp_flags = tcp_flag::syn;
        p.icmp_type = ipv6 ? 128 : 8;  // echo request
        p.icmp_id = static_cast<std::uint16_t>(next_port);
        p.timestamp_ns = t;
        return p;
    };
    for (const auto& table : rs.tables)
        for (const auto& chain : table.chains)
            for (const auto& r : chain.rules) {
                if (!chain.hooks) continue;
                std::vector<Hook> hooks;
                for (int h = 0; h < hook_count; ++h)
                    if (chain.hooks & (1u << h)) hooks.push_back(static_cast<Hook>(h));
                Hook hook = hooks[rng() % hooks.size()];
                std::uint8_t proto = r.ip.proto && !r.ip.proto->negated && r.ip.proto->value ? r.ip.proto->value : proto::tcp;
                if (proto != proto::tcp && proto != proto::udp && proto != icmp) proto = proto::tcp;
                Packet p = base(proto);
                for (const auto& m : r.matches) {
                    if (const auto* l4 = std::get_if<L4PortsMatch>(&m.spec)) {
                        if (l4->dport && !l4->dport->negated) p.dport = l4->dport->value.lo;
                        if (l4->sport && !l4->sport->negated) p.sport = l4->sport->value.lo;
                        if (l4->tcp_flags && !l4->tcp_flags->negated)
                            p.tcp_flags = l4->tcp_flags->value.comp ? l4->tcp_flags->value.comp : tcp_flag::ack;
                    } else if (const auto* mp = std::get_if<MultiportMatch>(&m.spec)) {
                        if (!mp->negated && !mp->ports.empty()) {
                            if (mp->which == MultiportMatch::Which::source) p.sport = mp->ports[0].lo;
                            else p.dport = mp->ports[0].lo;
                        }
                    } else if (const auto* ic = std::get_if<IcmpMatch>(&m.spec)) {
                        if (!ic->negated && !ic->any) {
                            p.icmp_type = ic->type;
                            p.icmp_code = ic->code_lo;
                        }
                    }
                }
                if (p.tcp_flags == 0) p.tcp_flags = tcp_flag::ack;
                std::string in = r.ip.in && !r.ip.in->negated ? concrete(r.ip.in->value) : nics[rng() % nics.size()];
                std::string outdev = r.ip.out && !r.ip.out->negated ? concrete(r.ip.out->value) : nics[rng() % nics.size()];
                if (!host.interface(in)) in = nics[0];
                if (!host.interface(outdev)) outdev = nics[0];
                bool local = hook == Hook::output || hook == Hook::postrouting;
                if (!local && in == "lo") {
                    // Traffic on lo is the host's own: it arrives there only by being looped back.
                    bool loopback_src = r.ip.src && !r.ip.src->negated && is_loopback(r.ip.src->value.addr);
                    p.src = loopback_src ? loopback : own(nics[0]);
                    p.dst = loopback_src ? p.src : own(nics[0]);
                    out.push_back({p, Origin::local});
                    t += 1000000;
                    continue;
                }
                if (hook == Hook::postrouting && rng() % 2 == 0) local = false;  // a forwarded packet also reaches POSTROUTING
                IpAddr peer_side = other(false);
                if (local) {
                    p.src = own(outdev);
                    p.dst = r.ip.dst ? address_for(*r.ip.dst, rng) : peer_side;
                    if (r.ip.src && !r.ip.src->negated && r.ip.src->value.contains(own(nics[0]))) p.src = own(nics[0]);
                    out.push_back({p, Origin::local});
                } else {
                    p.in = IfaceName(in);
                    p.src = r.ip.src ? address_for(*r.ip.src, rng) : peer_side;
                    bool to_host = hook == Hook::input || (hook == Hook::prerouting && rng() % 2 == 0);
                    p.dst = r.ip.dst ? address_for(*r.ip.dst, rng) : (to_host ? own(in) : other(true));
                    if (is_loopback(p.src) || is_multicast(p.src)) p.src = peer_side;
                    out.push_back({p, Origin::wire});
                }
                t += 1000000;
                if (boundaries) {
                    const auto [aimed, origin] = out.back();
                    for (Packet q : boundary_packets(r, aimed, origin)) {
                        if (q.sport == aimed.sport) q.sport = next_port++;  // a connection of its own
                        q.timestamp_ns = t;
                        t += 1000000;
                        out.push_back({q, origin});
                    }
                }
            }
    for (int i = 0; i < random_packets; ++i) {
        const std::uint8_t protos[] = {proto::tcp, proto::udp, icmp};
        Packet p = base(protos[rng() % 3]);
        static const std::uint16_t common[] = {22, 53, 80, 123, 443, 8080, 25, 3306};
        p.dport = common[rng() % 8];
        static const std::uint8_t flags[] = {tcp_flag::syn, tcp_flag::ack, tcp_flag::syn | tcp_flag::ack, tcp_flag::fin | tcp_flag::ack};
        p.tcp_flags = flags[rng() % 4];
        std::string in = nics[rng() % nics.size()];
        p.in = IfaceName(in);
        p.src = other(false);
        p.dst = rng() % 2 ? own(in) : other(true);
        p.timestamp_ns = t;
        t += 1000000;
        out.push_back({p, Origin::wire});
    }
    return out;
}

}  // namespace fwbench
