#include "fwbench/host_view.hpp"

#include "fwbench/matches.hpp"

namespace fwbench {

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

}  // namespace fwbench
