#pragma once
// A one-line packet notation for test fixtures:
//   "tcp 192.0.2.1:1234 > 198.51.100.2:22 in=eth0 flags=S ct=NEW len=60"
// Fields: PROTO (tcp udp icmp icmpv6 sctp gre esp or a number), SRC[:PORT] > DST[:PORT]
// (IPv6 as [ADDR]:PORT), then key=value: in out mark ctmark ct(NEW EST REL INV UNTRACKED)
// ctdir(orig reply) ctstatus(snat,dnat,assured,...) ctorig=SRC:PORT>DST:PORT len ttl tos
// flags(FSRPAUEC) type(T[/C]) mac t(seconds) uid gid pkttype frag physin physout opt(TCP option
// kinds, comma separated).

#include <string>

#include "fwbench/packet.hpp"

namespace fwbench::test {

Packet packet(const std::string& text);

}  // namespace fwbench::test
