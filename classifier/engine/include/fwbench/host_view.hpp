#pragma once
// What some matches need to ask the host rather than the packet: the type of an address in the
// routing tables (addrtype) and whether a packet passes the reverse-path check (rpfilter).
// The packet path's host model implements this from the real addresses and routes; the default
// here knows only what every Linux host has.

#include <cstdint>
#include <string_view>
#include <vector>

#include "fwbench/addr.hpp"
#include "fwbench/packet.hpp"

namespace fwbench {

class HostView {
public:
    virtual ~HostView() = default;
    // -m addrtype: does `a` have one of `types` (addr_type::* bits)? `dev` is the device of
    // --limit-iface-in/-out, else empty. The families mean different things by it:
    // - IPv4 (addrtype_mt_v1): the one type of `a`'s route, address_type.
    // - IPv6 (match_type6): each of MULTICAST, UNICAST and UNSPEC that `types` names must hold
    //   by the address's form (ipv6_addr_type; a host's own address is UNICAST too), and then,
    //   if `types` names LOCAL, ANYCAST or UNREACHABLE, one of them must be among route_types6.
    bool has_address_type(const IpAddr& a, std::uint16_t types, std::string_view dev) const;

    // IPv4: the addr_type::* bit of `a`, as inet_dev_addr_type gives it; with a non-empty `dev`,
    // only routes through that device count.
    virtual std::uint16_t address_type(const IpAddr& a, std::string_view dev) const = 0;
    // IPv6 (match_lookup_rt6): LOCAL, ANYCAST and UNREACHABLE as an output route lookup for `a`
    // gives them — UNREACHABLE alone for no route or an error route, LOCAL for a local route, or
    // with `dev` for an address of `dev` (the lookup is then bound to `dev`), ANYCAST for an
    // anycast route or a subnet's own prefix address reached on link.
    virtual std::uint16_t route_types6(const IpAddr& a, std::string_view dev) const = 0;
    // -m rpfilter: would the route back to p.src leave through p.in?
    virtual bool reverse_path_ok(const Packet& p, bool loose, bool validmark, bool accept_local) const = 0;
};

// Loopback (127/8, ::1) and the given local addresses are LOCAL; 255.255.255.255 and the given
// broadcast addresses are BROADCAST; 224/4 and ff00::/8 MULTICAST; 0.0.0.0 and :: UNSPEC
// (unspecified); everything else UNICAST. Reverse path: accepts every packet (no routes known).
class BasicHostView : public HostView {
public:
    BasicHostView() = default;
    BasicHostView(std::vector<IpAddr> local, std::vector<IpAddr> broadcast) : local_(std::move(local)), broadcast_(std::move(broadcast)) {}

    std::uint16_t address_type(const IpAddr& a, std::string_view dev) const override;
    // LOCAL for ::1 and the given local addresses (without `dev`); no routes are known.
    std::uint16_t route_types6(const IpAddr& a, std::string_view dev) const override;
    bool reverse_path_ok(const Packet&, bool, bool, bool) const override { return true; }

private:
    std::vector<IpAddr> local_, broadcast_;
};

}  // namespace fwbench
