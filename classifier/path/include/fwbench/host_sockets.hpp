#pragma once
// The host's listening sockets, as `ss -Htuln` lists them: what the host's own stack answers a
// packet delivered to it depends on them (tcp_v4_rcv, __udp4_lib_rcv).
//
// What: a TCP listener or a bound, unconnected UDP socket, with the local address it was bound to
// (or any), its port and the device it is bound to (SO_BINDTODEVICE). ss writes the address as
// `0.0.0.0` (any IPv4), `*` (an IPv6 socket of any address that takes IPv4 too), `[::]` (IPv6
// only), `[::ffff:A.B.C.D]` (IPv4 through an IPv6 socket), `A.B.C.D`, and a bound device as
// `ADDR%DEV`.
//
// How: parse_ss_listing reads the text line by line; every line must be a tcp LISTEN or udp
// UNCONN entry (what -tuln lists), anything else is refused with its line and column. A lookup
// scans the list: hosts listen on a handful of ports.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwbench/addr.hpp"

namespace fwbench {

struct HostSocket {
    std::uint8_t proto = 6;  // proto::tcp or proto::udp
    // The IPv4 address it takes packets for; nullopt: any. An IPv6-only socket takes no IPv4.
    std::optional<IpAddr> v4_addr;
    bool takes_ipv4 = true;
    // The IPv6 address it takes packets for; nullopt: any. An IPv4 socket, or one bound to an
    // IPv4-mapped address, takes no IPv6.
    std::optional<IpAddr> v6_addr;
    bool takes_ipv6 = false;
    bool ipv6 = false;  // an IPv6 socket (`*`, [::ffff:A.B.C.D]) taking IPv4 as mapped addresses
    std::uint16_t port = 0;
    std::string dev;  // bound device, empty for any
    std::string text;  // as ss wrote its local address, for messages
};

// A problem in a listing: the 1-based line and column, and what was expected there.
struct SsListingError {
    std::size_t line = 0, column = 0;
    std::string what;
};

// Reads `ss -Htuln` output (with or without ss's process column). Throws nothing: on a problem
// returns nullopt and fills `error`.
std::optional<std::vector<HostSocket>> parse_ss_listing(std::string_view text, SsListingError& error);

// Whether one of `sockets` takes a packet of `proto` for dst:port arriving on `dev`, of dst's
// family (inet_lookup_listener / udp4_lib_lookup2 and their IPv6 twins: the address bound or
// any, the bound device or any).
bool has_socket_for(const std::vector<HostSocket>& sockets, std::uint8_t proto, const IpAddr& dst, std::uint16_t port, std::string_view dev);

}  // namespace fwbench
