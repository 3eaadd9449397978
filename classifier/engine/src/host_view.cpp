#include "fwbench/host_view.hpp"

#include "fwbench/matches.hpp"

namespace fwbench {

bool HostView::has_address_type(const IpAddr& a, std::uint16_t types, std::string_view dev) const {
    if (a.family == Family::ipv4) return (address_type(a, dev) & types) != 0;
    // ipv6_addr_type's classes by form: every address but ::, ::ffff:0:0/96 and multicast is UNICAST.
    if ((types & addr_type::multicast) && !v6::is_multicast(a)) return false;
    if ((types & addr_type::unicast) && (v6::is_multicast(a) || v6::is_any(a) || v6::is_v4_mapped(a))) return false;
    if ((types & addr_type::unspec) && !v6::is_any(a)) return false;
    constexpr std::uint16_t routed = addr_type::local | addr_type::anycast | addr_type::unreachable;
    if (types & routed) return (types & route_types6(a, dev)) != 0;
    return true;
}

std::uint16_t BasicHostView::address_type(const IpAddr& a, std::string_view) const {
    for (const auto& l : local_)
        if (l == a) return addr_type::local;
    for (const auto& b : broadcast_)
        if (b == a) return addr_type::broadcast;
    if (a.family == Family::ipv4) {
        std::uint32_t v = a.v4_host();
        if ((v >> 24) == 127) return addr_type::local;
        if (v == 0xffffffffu) return addr_type::broadcast;
        if ((v >> 28) == 0xe) return addr_type::multicast;
        if ((v >> 24) == 0) return addr_type::broadcast;  // __inet_dev_addr_type: 0/8 is RTN_BROADCAST
        return addr_type::unicast;
    }
    IpAddr loopback;
    loopback.family = Family::ipv6;
    loopback.bytes[15] = 1;
    if (a == loopback) return addr_type::local;
    if (a.bytes[0] == 0xff) return addr_type::multicast;
    IpAddr any;
    any.family = Family::ipv6;
    if (a == any) return addr_type::unspec;
    return addr_type::unicast;
}

std::uint16_t BasicHostView::route_types6(const IpAddr& a, std::string_view dev) const {
    if (!dev.empty()) return 0;
    if (v6::is_loopback(a)) return addr_type::local;
    for (const auto& l : local_)
        if (l == a) return addr_type::local;
    return 0;
}

}  // namespace fwbench
