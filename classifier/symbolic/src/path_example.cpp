#include "fwbench/path_example.hpp"

#include <algorithm>
#include <iterator>

#include "fwbench/packet_description.hpp"

namespace fwbench {

std::optional<PathExample> path_example(const HeaderSpace& space, Hook hook, const bdd& region, const std::vector<IpAddr>& local, const Host* host) {
    const auto& names = space.interfaces();
    bdd real_devices = space.equals(Field::in_iface, 0);
    for (std::size_t w = 1; w < names.size(); ++w)
        if (space.interface_is_hosts(w)) real_devices |= space.equals(Field::in_iface, w);
    bdd r = region & real_devices & space.equals(Field::ct_state, static_cast<std::uint64_t>(CtState::new_)) & space.equals(Field::mark, 0) &
            space.equals(Field::ctmark, 0) & !space.bit(Field::fragment, 0);
    if (r == bdd_false()) return std::nullopt;
    // Where the hook has a way out, routing picks it from the destination: the packet goes to an
    // address the host routes through the device the region wants, and the host's own packet
    // comes from the host's address there.
    if (host && (hook == Hook::forward || hook == Hook::output || hook == Hook::postrouting)) {
        const bool v4 = space.family() == Family::ipv4;
        const char* candidates4[] = {"198.51.100.7", "203.0.113.7", "192.0.2.10", "192.0.2.100", "10.0.0.7", "172.16.0.7", "192.168.0.7"};
        const char* candidates6[] = {"2001:db8:ffff::7", "2001:db8::10", "2001:db8:1::7", "2001:db8:2::7", "fd00::7"};
        bool placed = false;
        for (std::size_t w = 1; w < names.size() && !placed; ++w) {
            if (!space.interface_is_hosts(w) || names[w] == "lo") continue;
            const bdd via = r & space.equals(Field::out_iface, w);
            if (via == bdd_false()) continue;
            const std::size_t n = v4 ? std::size(candidates4) : std::size(candidates6);
            for (std::size_t c = 0; c < n && !placed; ++c) {
                const IpAddr dst = *parse_ip(v4 ? candidates4[c] : candidates6[c], space.family());
                RouteQuery q;
                q.dst = dst;
                q.src.family = dst.family;
                q.iif = "lo";
                const RouteResult route = v4 ? host->lookup(q) : host->lookup6(q, "", false);
                if (!route.found || !route.route || route.route->dev != names[w] || route.type != RouteType::unicast) continue;
                bdd there = via & space.address(Field::dst, dst);
                if (there == bdd_false()) continue;
                // The host's own packet (no input device) comes from its address on that device.
                if (const Interface* itf = host->interface(names[w]))
                    for (const auto& addr : itf->addrs)
                        if (addr.addr.family == space.family()) {
                            const bdd own = there & !space.equals(Field::in_iface, 0);
                            const bdd sent = there & space.equals(Field::in_iface, 0) & space.address(Field::src, addr.addr);
                            there = own | sent;
                            break;
                        }
                if (there == bdd_false()) continue;
                r = there;
                placed = true;
            }
        }
    }
    const Assignment a = space.pick_typical(r, local, hook != Hook::forward && hook != Hook::postrouting);
    Packet p = space.packet_of(a);
    // Nothing arrives on lo from the wire: a packet there is the host's own, looped back.
    const bool own = p.in.empty() || p.in.view() == "lo";
    if (!own && hook == Hook::output) return std::nullopt;
    if (own) p.in = IfaceName();
    p.out = IfaceName();
    p.ct = ConntrackView{};
    p.ip_header_len = p.family == Family::ipv4 ? 20 : 40;
    p.length = std::max<std::uint32_t>(p.length, p.ip_header_len + 20u);
    PathExample e;
    e.packet = p;
    e.origin = own ? Origin::local : Origin::wire;
    e.text = format_packet_description(p, own);
    return e;
}

}  // namespace fwbench
