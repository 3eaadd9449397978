// The host's IPv6 addresses as the kernel uses them (net/ipv6/addrconf.c, addrlabel.c, mcast.c):
// which source an outgoing packet gets, which multicast groups a device has joined, and which
// addresses are the host's.

#include <algorithm>
#include <array>
#include <vector>

#include "fwbench/host.hpp"
#include "fwbench/matches.hpp"

namespace fwbench {

namespace {

// ip addrlabel's default policy table (ip6addrlbl_init_table): the label of the longest prefix
// holding the address.
struct Label {
    IpPrefix prefix;
    int label;
};
std::vector<Label> default_labels() {
    static const struct {
        const char* prefix;
        int len, label;
    } table[] = {{"::1", 128, 0},    {"::", 96, 3},     {"::ffff:0.0.0.0", 96, 4}, {"2001::", 32, 6}, {"2001:10::", 28, 7},
                 {"3ffe::", 16, 12}, {"2002::", 16, 2}, {"fec0::", 10, 11},        {"fc00::", 7, 5},  {"::", 0, 1}};
    std::vector<Label> out;
    for (const auto& e : table) {
        const IpAddr mask = prefix_mask(Family::ipv6, e.len);
        out.push_back({IpPrefix{apply_mask(*parse_ip(e.prefix, Family::ipv6), mask), mask}, e.label});
    }
    return out;
}
int address_label(const IpAddr& a) {
    static const std::vector<Label> labels = default_labels();  // longest prefix first
    for (const Label& l : labels)
        if (l.prefix.contains(a)) return l.label;
    return 1;
}

// ipv6_addr_diff: the length of the prefix two addresses share.
int common_prefix(const IpAddr& a, const IpAddr& b) {
    for (int i = 0; i < 16; ++i) {
        const unsigned x = a.bytes[static_cast<std::size_t>(i)] ^ b.bytes[static_cast<std::size_t>(i)];
        if (x) {
            int n = 0;
            while (!(x & (0x80u >> n))) ++n;
            return i * 8 + n;
        }
    }
    return 128;
}

bool usable_as_source(const InterfaceAddress& a) {
    return a.addr.family == Family::ipv6 && !a.tentative && !a.dadfailed && !v6::is_any(a.addr) && !v6::is_multicast(a.addr);
}

// The solicited-node group of an address: ff02::1:ff00:0/104 and its last 24 bits.
IpAddr solicited_node(const IpAddr& a) {
    static const IpAddr base = *parse_ip("ff02::1:ff00:0", Family::ipv6);
    IpAddr g = base;
    for (std::size_t i = 13; i < 16; ++i) g.bytes[i] = a.bytes[i];
    return g;
}

}  // namespace

std::optional<IpAddr> Host::select_source6(std::string_view dst_dev, const IpAddr& dst) const {
    const int dst_scope = v6::source_scope(dst);
    const int dst_label = address_label(dst);
    // A multicast or link-local destination takes a source of its own device only.
    const bool device_only = !dst_dev.empty() && (v6::is_multicast(dst) || dst_scope <= 2);
    // The rules in the kernel's order (ipv6_get_saddr_eval); higher is better. Rules 4 (home
    // address), 7 (temporary addresses) and 8 (ORCHID) rank every address fwbench reads alike.
    const auto score = [&](const Interface& itf, const InterfaceAddress& a) {
        const int scope = v6::source_scope(a.addr);
        return std::array<int, 6>{
            a.addr == dst,  // 1: the destination itself
            scope >= dst_scope ? -scope : scope - 128,  // 2: the smallest scope that reaches, else the largest
            v6::is_loopback(a.addr) || !a.deprecated,  // 3: not deprecated
            dst_dev.empty() || itf.name == dst_dev,  // 5: on the outgoing device
            address_label(a.addr) == dst_label,  // 6: same label
            std::min(common_prefix(a.addr, dst), a.prefixlen),  // the longest matching prefix
        };
    };
    std::optional<IpAddr> best;
    std::array<int, 6> best_score{};
    for (const Interface& itf : interfaces_) {
        if (device_only && itf.name != dst_dev) continue;
        if (sysctl_.ip6_disabled_on(itf.name)) continue;
        for (const InterfaceAddress& a : itf.addrs) {
            if (!usable_as_source(a)) continue;
            const auto s = score(itf, a);
            if (!best || s > best_score) {  // a tie keeps the address found first
                best = a.addr;
                best_score = s;
            }
        }
    }
    return best;
}

bool Host::joined_group6(std::string_view dev, const IpAddr& group) const {
    const Interface* itf = interface(dev);
    if (!itf || sysctl_.ip6_disabled_on(itf->name)) return false;
    const IpAddr& g = group;
    // ff0S::N: the well-known groups of scope S (interface-, link-, site-local).
    const auto well_known = [&](int n, std::initializer_list<int> scopes) {
        for (std::size_t i = 2; i < 15; ++i)
            if (g.bytes[i]) return false;
        return g.bytes[0] == 0xff && g.bytes[15] == n && std::find(scopes.begin(), scopes.end(), g.bytes[1]) != scopes.end();
    };
    if (well_known(1, {1, 2})) return true;  // all nodes: every device with IPv6
    const bool router = sysctl_.ip6_forwarding_for(dev);
    if (router && well_known(2, {1, 2, 5})) return true;  // all routers
    if (itf->loopback) return false;  // addrconf_join_solict: not on loopback
    for (const InterfaceAddress& a : itf->addrs) {
        if (a.addr.family != Family::ipv6) continue;
        if (solicited_node(a.addr) == g) return true;
        // A router's subnet-router anycast address joins its group too (addrconf_join_anycast).
        if (router && a.prefixlen < 127 && !a.tentative && !a.dadfailed &&
            solicited_node(apply_mask(a.addr, prefix_mask(Family::ipv6, a.prefixlen))) == g)
            return true;
    }
    return false;
}

bool Host::is_local_address6(const IpAddr& addr, std::string_view dev, bool strict) const {
    const bool scoped = strict || v6::is_link_local(addr) || v6::is_loopback(addr);
    for (const Interface& itf : interfaces_)
        for (const InterfaceAddress& a : itf.addrs)
            if (a.addr == addr && a.addr.family == Family::ipv6 && !a.tentative && !a.dadfailed && (dev.empty() || !scoped || itf.name == dev))
                return true;
    return false;
}

bool Host::is_anycast_address6(const IpAddr& addr, std::string_view dev) const {
    const Interface* only = interface(dev);
    if (only && only->loopback) only = nullptr;
    for (const Interface& itf : interfaces_) {
        if ((only && &itf != only) || !sysctl_.ip6_forwarding_for(itf.name)) continue;
        for (const InterfaceAddress& a : itf.addrs)
            if (a.addr.family == Family::ipv6 && a.prefixlen < 127 && !a.tentative && !a.dadfailed &&
                apply_mask(a.addr, prefix_mask(Family::ipv6, a.prefixlen)) == addr && !v6::is_any(addr))
                return true;
    }
    return false;
}

std::optional<IpAddr> Host::link_local6(std::string_view dev) const {
    if (const Interface* itf = interface(dev))
        for (const InterfaceAddress& a : itf->addrs)
            if (a.addr.family == Family::ipv6 && v6::is_link_local(a.addr) && !a.tentative && !a.dadfailed) return a.addr;
    return std::nullopt;
}

// match_lookup_rt6: an output lookup (no source, no mark), bound to `dev` when given, which
// ip6_route_output then makes strict (an oif and no source), as it does for scoped destinations.
std::uint16_t Host::route_types6(const IpAddr& a, std::string_view dev) const {
    std::uint16_t types = 0;
    if (!dev.empty() && is_local_address6(a, dev, true)) types = addr_type::local;  // nf_ipv6_chk_addr(strict)
    IpAddr any;
    any.family = Family::ipv6;
    const RouteResult r = lookup6(RouteQuery{a, any, "lo", dev, 0, 0}, dev, !dev.empty() || v6::needs_device(a));
    // No route, or an error route (its dst carries the error): UNREACHABLE alone.
    if (!r.found || r.type == RouteType::unreachable || r.type == RouteType::prohibit || r.type == RouteType::blackhole ||
        r.type == RouteType::throw_)
        return addr_type::unreachable;
    if (dev.empty() && r.type == RouteType::local) types |= addr_type::local;
    // ipv6_anycast_destination: an anycast route, or `a` is the prefix address of the on-link
    // (gatewayless) route that reaches it.
    const bool subnet_anycast = r.route && r.route->prefixlen < 127 && !r.route->gateway && r.route->dst.addr == a;
    if (r.type == RouteType::anycast || subnet_anycast) types |= addr_type::anycast;
    return types;
}

// ip6t_rpfilter: an unspecified source passes (forwarding drops it); else a lookup toward the
// source (ip6_route_lookup, the packet's unicast destination as its source) from the arrival
// device: bound to it for a link-local source, preferring it unless --loose. No route, an error
// or anycast route fails; a local route passes only with --accept-local; otherwise the route must
// leave by the arrival device, or any will do with --loose.
bool Host::reverse_path_ok6(const Packet& p, bool loose, bool validmark, bool accept_local) const {
    if (v6::is_any(p.src)) return true;
    const bool link_local = v6::is_link_local(p.src);
    const std::string_view dev = link_local || !loose ? p.in.view() : std::string_view();
    IpAddr from = p.dst;  // rpfilter_addr_unicast: the destination as the lookup's source, if unicast
    if (v6::is_multicast(from)) from.bytes = {};
    const RouteQuery q{p.src, from, "lo", dev, validmark ? p.mark : 0, 0};
    const RouteResult r = lookup6(q, dev, link_local);
    if (!r.found || !r.route) return false;
    switch (r.type) {
        case RouteType::unicast: break;
        case RouteType::local: return accept_local;
        default: return false;  // unreachable, prohibit, blackhole, throw (RTF_REJECT), anycast
    }
    return loose || r.route->dev == p.in.view();
}

}  // namespace fwbench
