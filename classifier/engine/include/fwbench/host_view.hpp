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
    // addr_type::* bits for `a`, as the kernel's inet_addr_type_dev_table / ipv6 lookup gives
    // them; with a non-empty `dev`, only routes through that device count (--limit-iface-*).
    virtual std::uint16_t address_type(const IpAddr& a, std::string_view dev) const = 0;
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
    bool reverse_path_ok(const Packet&, bool, bool, bool) const override { return true; }

private:
    std::vector<IpAddr> local_, broadcast_;
};

}  // namespace fwbench
