#pragma once
// IPv4 and IPv6 datagrams to and from Packet.
//
// parse_ipv4: reads an IPv4 datagram (network order bytes, no link header) into a Packet, never
// reading past `size`. A datagram the kernel would drop before netfilter (bad version, IHL,
// total length, header checksum) or that is cut short by the capture's snap length is reported
// under a named Malformation instead; a transport header that is missing or truncated leaves
// l4_present false, as the kernel's matches then see no ports.
//
// build_ipv4: writes a datagram for a Packet with correct IPv4, TCP, UDP and ICMP checksums —
// for test captures and for replaying into the real kernel.
//
// parse_ipv6 / build_ipv6: the same for IPv6. The extension headers are walked as the kernel's
// ipv6_find_hdr walks them for ip6tables (hop-by-hop, routing, fragment, AH, destination options,
// to the first header that is none of these, or to a non-first fragment's next header), so the
// upper-layer protocol, the transport header's offset and a fragment's offset are what ip6tables
// sees. ip6_rcv_core's own checks come first: version, payload length against the bytes, and a
// hop-by-hop header that fits (ipv6_parse_hopopts). A chain cut inside a later extension header
// reaches netfilter (Packet::ext_headers_cut: ip6tables' -p then drops it).
//
// The checksums are DPDK's (rte_ipv4_cksum, rte_ipv4_udptcp_cksum, rte_raw_cksum: inline in
// rte_ip.h, so this floor needs DPDK's headers but none of its libraries). The tests check them
// with an RFC 1071 sum of their own (tests/checksum.hpp) and against the kernel's bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fwbench/packet.hpp"

namespace fwbench {

enum class Malformation : std::uint8_t {
    none,
    truncated_ip_header,  // fewer bytes than an IPv4 header / than IHL says
    bad_version,
    bad_ihl,  // IHL < 5
    bad_total_length,  // total length < IHL*4
    snaplen_cut,  // the capture kept fewer bytes than the datagram has
    bad_ip_checksum,
    unsupported_family,  // parse_ipv4 given IPv6 or parse_ipv6 given IPv4 (parse_datagram picks)
    ipv6_jumbogram,  // payload length 0 with a hop-by-hop header: a jumbo payload option (not modelled)
    bad_hop_by_hop,  // the hop-by-hop header does not fit in the datagram: ip6_rcv_core drops it
};
const char* malformation_name(Malformation m);

struct ParsedDatagram {
    Malformation error = Malformation::none;
    Packet packet;
};

// `wire_length` is the datagram's length on the wire when the capture says it (orig_len minus
// the link header); 0 when unknown.
ParsedDatagram parse_ipv4(const std::uint8_t* data, std::size_t size, std::size_t wire_length = 0);

// Payload bytes after the transport header (zeros), so the datagram is p.length long when
// p.length is larger than the headers. The IP ID is p.ip_id.
std::vector<std::uint8_t> build_ipv4(const Packet& p);
// The same with `payload` (a PacketDescription's) after the transport header, where it fits.
std::vector<std::uint8_t> build_ipv4(const Packet& p, std::span<const std::uint8_t> payload);

ParsedDatagram parse_ipv6(const std::uint8_t* data, std::size_t size, std::size_t wire_length = 0);
// The extension headers p.ext_headers names, in order: hop-by-hop and destination options as 8
// bytes of padding, routing as p.rt says (type, segments left, p.rt.hdr_len_bytes, at least 8),
// a fragment header (offset 185 * 8 when p.fragment, else 0; M and the identification from
// p.more_fragments and p.frag_id), AH with 8 bytes of ICV; then the transport header as
// build_ipv4 writes it (ICMPv6 for proto 58, with the pseudo-header checksum over the
// upper-layer length), zeros up to p.length. A non-first fragment carries zeros after its headers.
std::vector<std::uint8_t> build_ipv6(const Packet& p);
std::vector<std::uint8_t> build_ipv6(const Packet& p, std::span<const std::uint8_t> payload);

// build_ipv4 or build_ipv6, as p.family says, with `payload` after the transport header.
std::vector<std::uint8_t> build_datagram(const Packet& p, std::span<const std::uint8_t> payload = {});

// parse_ipv4 or parse_ipv6, as the version nibble says (bad_version for any other).
ParsedDatagram parse_datagram(const std::uint8_t* data, std::size_t size, std::size_t wire_length = 0);

// What forwarding did to a datagram, written into its bytes in place: addresses, TCP/UDP ports or
// the ICMP query id (NAT), TTL, TOS; then the IPv4 header checksum and the transport checksum
// (TCP, UDP unless it carried none, ICMP) recomputed over the whole segment. Fragments get the
// IP header only. ICMP errors' quoted headers are left as they are (fwbench does not NAT them).
// TCP's options are written as `after` has them: TCPMSS lowers the MSS in place, or adds the
// option, and then the datagram grows by after.length less its total length, into the room
// [l3, l3 + size) must have beyond it.
// Returns false, touching nothing, when the datagram (as it was, or grown) is not all in
// [l3, l3 + size).
bool rewrite_ipv4(std::uint8_t* l3, std::size_t size, const Packet& after);
// The same for IPv6: traffic class, hop limit, addresses, then the transport header at
// after.ip_header_len (TCP, UDP, UDP-Lite, an ICMPv6 echo's id) and its checksum over the
// pseudo-header; a fragment gets the IPv6 header only.
bool rewrite_ipv6(std::uint8_t* l3, std::size_t size, const Packet& after);
// The datagram `p` is now, into [out, out + room): its bytes (Packet::bytes) with its fields
// written in (rewrite_ipv4 and IPv4's DF, or rewrite_ipv6). Returns its length, 0 when `p` has
// no bytes or they do not hold a datagram that fits. No allocation.
std::size_t write_datagram_now(const Packet& p, std::uint8_t* out, std::size_t room);
// -j TEE's copy (PathResult::Answer::tee_copy) of the datagram in [l3, l3 + size): rewritten to
// `copy` as above, with DF set as nf_dup_ipv4 sets it.
bool write_tee_copy_ipv4(std::uint8_t* l3, std::size_t size, const Packet& copy);

// The kernel's own answer (PathResult::Answer::packet) as it writes it, into [out, out + room):
// a RST as nf_send_reset builds it (ID 0, DF, window 0), the stack's SYN-ACK with its options, or
// an ICMP error as __icmp_send does
// (no DF; the ID, which the kernel draws, written 0) with `icmp_info` as its second word (a
// redirect's gateway), quoting `quoted` — the offending datagram as the kernel held it — up to
// the answer's length. Returns the length written, 0 when it does not fit in `room` or the
// answer is neither. No allocation: the port dataplane's workers call it.
std::size_t write_answer_ipv4(const Packet& answer, std::uint32_t icmp_info, const std::uint8_t* quoted, std::size_t quoted_size, std::uint8_t* out,
                              std::size_t room);
// The same for IPv6: a RST (nf_send_reset6: traffic class and flow label 0), the stack's or
// SYNPROXY's SYN-ACK, or an ICMPv6 error (type below 128) as icmp6_send writes it, quoting
// `quoted` up to the answer's length. The flow label the kernel draws for an ICMPv6 error
// (ip6_make_flowlabel's hash) is written as the answer's field (0). Echo replies and redirects
// are not written (0).
std::size_t write_answer_ipv6(const Packet& answer, std::uint32_t icmp_info, const std::uint8_t* quoted, std::size_t quoted_size, std::uint8_t* out,
                              std::size_t room);
// write_answer_ipv4 or write_answer_ipv6, as the answer's family says.
std::size_t write_answer(const Packet& answer, std::uint32_t icmp_info, std::span<const std::uint8_t> quoted, std::uint8_t* out, std::size_t room);

// One fragment of an IPv4 datagram without options, as ip_do_fragment cuts it: the header with
// its total length, MF (set unless this is the datagram's last piece and the datagram was not
// itself a non-last fragment) and offset (the datagram's own plus `from` / 8) rewritten and the
// checksum redone, then payload bytes [from, from + n). `from` must be a multiple of 8. Returns
// the fragment's length, 0 when it cannot be cut (options, bad lengths, no room). No allocation.
std::size_t write_ipv4_fragment(const std::uint8_t* datagram, std::size_t size, std::size_t from, std::size_t n, std::uint8_t* out, std::size_t room);

}  // namespace fwbench
