#pragma once
// Packets written by hand, for `fwbench explain` and test fixtures:
//
//   tcp 203.0.113.1:40000 > 203.0.113.1:22 from local
//   udp 198.51.100.7:53 > 192.0.2.10:53 in wan1 [established]
//   icmp 198.51.100.7 > 203.0.113.1 in wan1 type=3/3 quoted=udp:203.0.113.1:4000>198.51.100.7:53
//
// PROTO (a name or number) SRC[:PORT] > DST[:PORT] (IPv6 as [ADDR]:PORT), then in any order:
// `from local` (sent by a socket on the host; SRC 0.0.0.0 lets routing choose) or `in IFACE`
// (arrived from the wire on IFACE; also in=IFACE), `[established]` (the packet belongs to a
// connection already set up in the other direction), and KEY=VALUE fields: out mark ctmark len
// ttl tos flags (FSRPAUEC; TCP without flags= is a SYN, or an ACK with [established];
// flags= with no letters is none) type (T[/C]) id mac t (seconds) uid gid pkttype physin physout
// quoted (PROTO:SRC:SPORT>DST:DPORT) rt (TYPE/SEGSLEFT: a routing header); a fragment's fragoff
// (its offset in bytes, a multiple of 8; frag=1 is fragoff=1480), mf (0/1: more fragments follow),
// fragid (the datagram's identification) and, on a first fragment built for a test, datagram (the
// whole datagram's length, which its transport header covers); for IPv6 ext (the
// extension headers in order, of hop dst route frag ah) and a fragment header's
// fragres (0/1), any of which (or a fragment field) adds the fragment header last when ext= lists none;
// hopopts and dstopts (TYPE:LENGTH,... options, 0 alone for Pad1, padded to 8 bytes as a sender
// pads; they add their header) and ahspi ahlen ahres (AH: IPv6's extension header, or IPv4's
// upper layer); espspi for ESP, mhtype and mhproto for a mobility header;
// for TCP seq ack win (as sent, unscaled;
// 64240 unless given) and options, in the order given: mss wscale sackok sack (LEFT-RIGHT,...)
// opt (kinds alone) opts (the option bytes in hex); and for fixtures
// that bypass conntrack: ct (NEW EST REL INV UNTRACKED) ctdir ctstatus ctorig ctlabels (BIT,...:
// the connection's labels, -m connlabel's bits 0-127); payload (TCP and UDP: the bytes after the
// transport header, \xHH for any byte, \\ for a backslash; without len= the datagram ends with them).

#include <string>
#include <string_view>
#include <vector>

#include "fwbench/packet.hpp"

namespace fwbench {

struct PacketDescription {
    Packet packet;
    bool local = false;  // "from local"
    bool established = false;  // "[established]"
    // payload=: the bytes after the transport header (TCP and UDP), which a datagram built for the
    // packet carries (build_ipv4/build_ipv6 in the capture floor): what -m string, -m u32 and -m bpf read.
    std::vector<std::uint8_t> payload;
};

// Throws ParseError (source, line 1, the column of the offending word).
PacketDescription parse_packet_description(std::string_view text, const std::string& source = "packet");

// The description of a packet's headers (and arrival interface or local origin), such that
// parsing it gives the same headers back: for reproductions a person can run again.
std::string format_packet_description(const Packet& p, bool local);

}  // namespace fwbench
