#pragma once
// What the matches of a ruleset can ask about a packet: its parsed headers plus the metadata the
// kernel attaches on its way through the stack (interfaces, mark, conntrack entry, socket owner...).
//
// The packet path (host model, conntrack) fills the metadata; tests and the ClassBench workload
// fill it directly. Everything is plain data so a packet can be copied, stored in a burst, and
// modified by non-terminating targets (MARK, TOS, TTL, ...) during a walk.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "fwbench/addr.hpp"

namespace fwbench {

// An interface name as the kernel keeps it: at most 15 characters (IFNAMSIZ - 1). Empty = none.
struct IfaceName {
    std::array<char, 16> chars{};

    IfaceName() = default;
    IfaceName(std::string_view s) {  // NOLINT: implicit from text is the natural use
        std::size_t n = s.size() < 15 ? s.size() : 15;
        if (n) std::memcpy(chars.data(), s.data(), n);  // an empty view may have no data pointer at all
    }
    std::string_view view() const { return std::string_view(chars.data()); }
    bool empty() const { return chars[0] == '\0'; }
    bool operator==(const IfaceName&) const = default;
};

// Conntrack's view of a packet (nf_conntrack_info + the entry's status bits).
enum class CtState : std::uint8_t { invalid, new_, established, related, untracked };
enum class CtDir : std::uint8_t { original, reply };

// Bits as in include/uapi/linux/netfilter/nf_conntrack_common.h (enum ip_conntrack_status).
namespace ct_status {
constexpr std::uint32_t expected = 1u << 0;
constexpr std::uint32_t seen_reply = 1u << 1;
constexpr std::uint32_t assured = 1u << 2;
constexpr std::uint32_t confirmed = 1u << 3;
constexpr std::uint32_t src_nat = 1u << 4;
constexpr std::uint32_t dst_nat = 1u << 5;
}  // namespace ct_status

struct CtTuple {
    IpAddr src, dst;
    std::uint16_t sport = 0, dport = 0;
    bool operator==(const CtTuple&) const = default;
};

struct ConntrackView {
    CtState state = CtState::untracked;
    CtDir dir = CtDir::original;
    std::uint32_t status = 0;
    std::uint32_t mark = 0;  // connmark
    std::uint8_t l4proto = 0;
    std::uint32_t expires_s = 0;  // remaining lifetime, for --ctexpire
    CtTuple orig, reply;
    // Conntrack's accounting by CtDir, this packet included (-m connbytes).
    std::array<std::uint64_t, 2> packets{}, bytes{};
    // The connection's labels (nf_conn_labels: 128 bits, bit n in word n / 64): -m connlabel reads
    // them and its --set writes them.
    std::array<std::uint64_t, 2> labels{};
    bool has_label(std::uint16_t bit) const { return bit < 128 && ((labels[bit / 64] >> (bit % 64)) & 1u); }
    void set_label(std::uint16_t bit) { labels[bit / 64] |= std::uint64_t{1} << (bit % 64); }  // bit < 128
    bool has_entry() const { return state != CtState::invalid && state != CtState::untracked; }
};

// skb->pkt_type as seen by -m pkttype (derived from the link-layer destination).
enum class PktType : std::uint8_t { host, broadcast, multicast, otherhost, outgoing };

// The packet's first IPv6 routing header (ipv6_find_hdr's), for -m rt and -m srh.
struct RoutingHeader {
    bool present = false;
    std::uint8_t next_header = 0, type = 0, segments_left = 0;
    std::uint16_t hdr_len_bytes = 0;  // (hdrlen + 1) * 8
    bool reserved_zero = true;  // bytes 4-7
    // A segment routing header's (type 4) fields past segments_left: Last Entry (byte 4) and Tag.
    std::uint8_t last_entry = 0;
    std::uint16_t tag = 0;
    // The three segments ip6t_srh reads, each at 8 + 16 * index from the header's start, wherever
    // that falls inside the datagram (the kernel reads by the packet's length, not the header's):
    // the previous (index segments_left + 1), the next (segments_left - 1) and the last (index 0).
    // Bit 0, 1, 2 of sids_read: that one lies inside the datagram and its index exists.
    enum Sid : std::uint8_t { previous_sid, next_sid, last_sid };
    std::array<std::array<std::uint8_t, 16>, 3> sids{};
    std::uint8_t sids_read = 0;
    bool has_sid(Sid which) const { return (sids_read >> which) & 1u; }
    // The index in the segment list each of the three is read from (next: -1 when segments_left is 0).
    int sid_index(Sid which) const { return which == previous_sid ? segments_left + 1 : which == next_sid ? segments_left - 1 : 0; }
};

// An IPv6 hop-by-hop or destination options header, as -m hbh and -m dst read it (ip6t_hbh): its
// length and its first 16 options (what a rule can list), each a type and the length byte that
// follows it (Pad1, type 0, has none). `overrun`: one of those options runs past the header's end.
struct OptionsHeader {
    std::uint16_t length = 0;  // (hdrlen + 1) * 8 bytes; 0: the packet has no such header
    std::uint8_t count = 0;
    std::array<std::uint8_t, 16> types{}, lengths{};
    bool overrun = false;
    std::uint16_t nonzero_padn = 0;  // bit i: option i is a PadN whose bytes are not all zero
    void add(std::uint8_t type, std::uint8_t data_length) {
        if (count == types.size()) return;
        types[count] = type;
        lengths[count++] = data_length;
    }
    // The bytes the options take: Pad1 one, any other two and its data.
    std::size_t options_bytes() const {
        std::size_t n = 0;
        for (std::size_t i = 0; i < count; ++i) n += types[i] == 0 ? 1 : 2u + lengths[i];
        return n;
    }
};

// What ip6_rcv_core's ip6_parse_tlv makes of a hop-by-hop header's options before PREROUTING:
// Pad1 and PadN (padding runs of at most 7 bytes), a router alert of length 2, and unknown options
// whose type says "skip" (its two high bits 00) pass. Options running past the header, longer
// padding and a router alert of another length are discarded (InHdrErrors), as is an unknown
// option whose type says "discard" (01). One whose type says "discard and answer" (10, or 11 but
// to a multicast destination, which the caller knows) is answered with a parameter problem
// (unrecognized option) pointing at it: `offset`, from the options header's start. Jumbo, IOAM and
// CALIPSO options and more than 8 options (max_hbh_opts_number's default) go through handlers
// fwbench does not model.
enum class HopOptionsVerdict : std::uint8_t { pass, malformed, discard_option, router_alert_length, not_modelled, parameter_problem };
struct HopOptionsJudgement {
    HopOptionsVerdict verdict = HopOptionsVerdict::pass;
    std::uint8_t type = 0;  // parameter_problem: the option's type
    std::uint16_t offset = 0;  // parameter_problem: where the option starts in its header
};
HopOptionsJudgement judge_hop_options(const OptionsHeader& h);
inline HopOptionsVerdict check_hop_options(const OptionsHeader& h) { return judge_hop_options(h).verdict; }

// The first IPv6 authentication header, or IPv4's as the upper layer (-m ah: ip6t_ah, ipt_ah).
struct AuthHeader {
    bool present = false;
    std::uint32_t spi = 0;
    std::uint16_t length = 0;  // (hdrlen + 2) * 4 bytes
    bool reserved_zero = true;
    bool cut = false;  // fewer than the 12 bytes the matches read remain from its start
};

// SCTP's chunks as xt_sctp walks them: each chunk header's type and flags, from the first after
// the common header to the datagram's end, each next one its length rounded up to 4 further on.
// What the match can ask of them is kept: the distinct type and flags pairs, in the order first
// seen, at most 16. `malformed`: the walk met a chunk header cut short or of length 0, or there is
// no chunk at all (the kernel drops the packet there, a hotdrop); `overflow`: more distinct pairs
// than are kept.
struct SctpChunks {
    std::uint8_t count = 0;
    std::array<std::uint8_t, 16> types{}, flags{};
    bool malformed = false, overflow = false;
    void add(std::uint8_t type, std::uint8_t chunk_flags) {
        for (std::size_t i = 0; i < count; ++i)
            if (types[i] == type && flags[i] == chunk_flags) return;
        if (count == types.size()) {
            overflow = true;
            return;
        }
        types[count] = type;
        flags[count++] = chunk_flags;
    }
};

struct Packet {
    // --- L3 ---
    Family family = Family::ipv4;
    IpAddr src, dst;
    std::uint8_t proto = 0;  // IPv4 protocol / IPv6 upper-layer header
    std::uint32_t length = 0;  // IP datagram length: what rule byte counters add
    std::uint8_t tos = 0;  // IPv4 TOS / IPv6 traffic class
    std::uint8_t ttl = 64;  // IPv4 TTL / IPv6 hop limit
    std::uint16_t ip_id = 0;  // IPv4 identification: no rule reads it; LOG prints it
    bool fragment = false;  // a non-first fragment (offset != 0): no L4 header
    bool df = true;  // IPv4 don't fragment: forwarding refuses to fragment it (fragmentation needed)
    // A fragment's place in its datagram: the offset in bytes (a multiple of 8; `fragment` says it
    // is not 0) and the M flag (IPv4's MF, or the IPv6 fragment header's). IPv4's fragment fields
    // are its header's; an IPv6 packet has them when it has a fragment header.
    std::uint16_t frag_offset = 0;
    bool more_fragments = false;
    // Set by reassembly (IPCB/IP6CB frag_max_size): the largest fragment's length. Forwarding
    // checks it against the way out's MTU, and the datagram leaves in fragments no larger.
    std::uint16_t frag_max_size = 0;
    // Only for building a test's first fragment (build_ipv4/build_ipv6): the whole datagram's
    // length, which the transport header's length field and checksum cover; 0: not a first fragment.
    std::uint32_t frag_datagram_length = 0;
    RoutingHeader rt;

    // --- L4 (valid when !fragment and the header was present) ---
    bool l4_present = true;
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t tcp_flags = 0;  // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80
    std::array<std::uint64_t, 4> tcp_options{};  // bitmap of TCP option kinds present
    std::uint8_t icmp_type = 0, icmp_code = 0;
    std::uint16_t icmp_id = 0;  // echo/timestamp/info/address-mask id (conntrack's key)
    std::uint32_t tcp_seq = 0, tcp_ack = 0;
    std::uint16_t tcp_window = 64240;  // as sent (unscaled); a Linux SYN's first window
    std::uint8_t tcp_header_len = 20;  // doff * 4 = 20 + tcp_option_len: REJECT's RST acknowledges the data after it
    // The TCP options as sent, padding included: conntrack's window tracking reads the window
    // scale, SACK-permitted and SACK blocks from these bytes as the kernel's tcp_options() and
    // tcp_sack() do, so a malformed option list means the same to both.
    std::array<std::uint8_t, 40> tcp_option_bytes{};
    std::uint8_t tcp_option_len = 0;
    // IPv4: IHL * 4; IPv6: 40 and the extension headers before the upper-layer header. The
    // transport length is length - ip_header_len.
    std::uint16_t ip_header_len = 20;
    // IPv6: the flow label, and the extension headers in the order they came (hop-by-hop 0,
    // routing 43, fragment 44, AH 51, destination options 60; the first eight), as the kernel's
    // ipv6_find_hdr walks them to the upper-layer header. A fragment header's M flag and
    // identification are kept (frag_offset and more_fragments above).
    std::uint32_t flow_label = 0;
    std::array<std::uint8_t, 8> ext_headers{};
    std::uint8_t ext_header_count = 0;
    std::uint32_t frag_id = 0;
    bool frag_reserved = false;  // the fragment header's reserved byte or bits are not zero
    bool ext_headers_cut = false;  // the datagram ends inside an extension header (not hop-by-hop)
    // What the transport checksum lacks since the packet was received or sent, as a one's
    // complement sum: NPT keeps an address's sum only for addresses inside its source prefix,
    // and the kernel does not mend the checksum of others. 0 or 0xffff: it still verifies.
    std::uint16_t checksum_error = 0;
    bool transport_checksum_verifies() const { return checksum_error == 0 || checksum_error == 0xffff; }
    OptionsHeader hop_options, dest_options;  // the first of each (-m hbh, -m dst)
    AuthHeader ah;  // IPv6: the first AH among the extension headers; IPv4: the upper layer's
    // The upper layer's fields the IPsec and mobility matches read, valid when `proto` says so and
    // l4_present: ESP's SPI (-m esp); the mobility header's type and payload protocol (-m mh).
    std::uint32_t esp_spi = 0;
    std::uint16_t ipcomp_cpi = 0;  // IPComp's CPI (-m ipcomp)
    SctpChunks sctp_chunks;  // -m sctp --chunk-types
    // DCCP (-m dccp): the packet type, the option kinds xt_dccp's option walk meets (a bit each),
    // and whether that walk cannot be made: a data offset short of the header, or options past
    // the datagram's end (the kernel drops the packet there, a hotdrop).
    std::uint8_t dccp_type = 0;
    std::array<std::uint64_t, 4> dccp_options{};
    bool dccp_options_bad = false;
    std::uint8_t mh_type = 0, mh_payload_proto = 59;
    // The header an ICMP error quotes (the offending packet, as it was sent).
    struct Quoted {
        bool present = false;
        IpAddr src, dst;
        std::uint8_t proto = 0;
        std::uint16_t sport = 0, dport = 0;  // ports, or ICMP id/type for quoted ICMP
    } icmp_quoted;

    // --- metadata ---
    IfaceName in, out;  // empty when the hook has no such interface
    IfaceName physdev_in, physdev_out;
    bool bridged = false;
    std::uint32_t mark = 0;
    ConntrackView ct;
    bool has_mac = false;
    MacAddr src_mac;
    PktType pkttype = PktType::host;
    bool has_socket = false;  // locally generated with a socket (owner match)
    std::uint32_t uid = 0, gid = 0;
    bool ipsec_in = false, ipsec_out = false;  // decapsulated from / to be encapsulated by IPsec
    std::uint64_t timestamp_ns = 0;  // capture time: drives limit, hashlimit, recent

    // The MTU TCPMSS --clamp-mss-to-pmtu clamps to, set by the path before FORWARD, OUTPUT and
    // POSTROUTING when the ruleset clamps: the smaller of the route's MTU and the MTU of the
    // route back to the source (xt_TCPMSS's dst_mtu and tcpmss_reverse_mtu). 0: not known (the
    // engines alone, without a host), and clamping leaves the packet as it is.
    std::uint32_t path_mtu = 0;
    // The realms of the packet's route (its dst's tclassid), which -m realm reads: set by the
    // path when it routes the packet. A forwarded packet's route leaves its source realm (upper
    // 16 bits) to the route back to the source, a delivered one takes only that (0 without a
    // route: the engines alone).
    std::uint32_t route_realms = 0;

    // The datagram's bytes as it arrived or was sent (a capture's, or a test's built datagram),
    // before the host rewrote anything: what -m string, -m u32 and -m bpf read, with the fields above written in
    // (EngineState::datagram). Not owned: whoever hands the packet in keeps them for as long as
    // its walks last. Empty: fwbench holds no bytes for this packet (the host's own answers, a
    // reassembled datagram, a packet described by hand without them).
    std::span<const std::uint8_t> bytes;

    // --- written by targets ---
    std::uint32_t priority = 0;  // CLASSIFY

    // A piece of a fragmented datagram, which reassembly takes: IPv4 with MF or an offset
    // (ip_is_fragment); IPv6 with a fragment header, an atomic one included (nf_ct_frag6_gather
    // takes those too).
    bool is_fragment() const {
        if (family == Family::ipv4) return fragment || more_fragments;
        return std::find(ext_headers.begin(), ext_headers.begin() + ext_header_count, std::uint8_t{44}) != ext_headers.begin() + ext_header_count;
    }
    bool has_tcp_option(std::uint8_t kind) const { return (tcp_options[kind >> 6] >> (kind & 63)) & 1; }
    void set_tcp_option(std::uint8_t kind) { tcp_options[kind >> 6] |= std::uint64_t{1} << (kind & 63); }
    bool has_dccp_option(std::uint8_t kind) const { return (dccp_options[kind >> 6] >> (kind & 63)) & 1; }
    void set_dccp_option(std::uint8_t kind) { dccp_options[kind >> 6] |= std::uint64_t{1} << (kind & 63); }
    // The DCCP header before the options (__dccp_hdr_len): 12 bytes, 4 more with extended
    // sequence numbers, then the type's own: none for DATA, 4 for REQUEST, 12 for RESPONSE and
    // RESET (and the reserved types), 8 for the others.
    static std::size_t dccp_header_length(std::uint8_t type, bool extended) {
        //                                  REQUEST RESPONSE DATA ACK DATAACK CLOSEREQ CLOSE RESET SYNC SYNCACK
        constexpr std::uint8_t own[10] = {4, 12, 0, 8, 8, 8, 8, 12, 8, 8};
        return 12 + (extended ? 4 : 0) + (type < 10 ? own[type] : 12);
    }
    // Sets the TCP options to `n` bytes (at most 40; padded with EOL to a multiple of 4, as the
    // header carries them), tcp_header_len to match, and the kinds -m tcp --tcp-option finds in
    // them, walked as the kernel's tcp_find_option walks them.
    void set_tcp_option_bytes(const std::uint8_t* bytes, std::size_t n);
    // The bytes an IPv6 extension header of `type` takes in the frames fwbench builds (build_ipv6)
    // and describes: a routing header its hdr_len_bytes (at least 8); an options header or AH its
    // `length` when set, else 8 and 16.
    std::size_t ipv6_extension_length(std::uint8_t type) const {
        if (type == 43) return std::max<std::size_t>(8, rt.hdr_len_bytes & ~std::size_t{7});
        if (type == 0 && hop_options.length) return hop_options.length;
        if (type == 60 && dest_options.length) return dest_options.length;
        if (type == 51) return ah.length ? ah.length : 16;
        return 8;
    }
    // The bytes SCTP and DCCP take in the frames fwbench builds (build_ipv4/build_ipv6) and
    // describes. SCTP: the common header, 4 per chunk kept (the last one's length taking in the
    // rest of the datagram), 4 more for a malformed walk's chunk of length 0. DCCP: the type's
    // header, then each option kind noted in order, one byte below 32 and two (a length of 2)
    // above, padded with zeros (kind 0) to a multiple of 4.
    std::size_t sctp_built_length() const { return 12 + 4 * std::size_t{sctp_chunks.count} + (sctp_chunks.malformed && sctp_chunks.count ? 4 : 0); }
    std::size_t dccp_built_option_bytes() const;  // before the padding
    std::size_t dccp_built_length() const { return dccp_header_length(dccp_type, false) + ((dccp_built_option_bytes() + 3) & ~std::size_t{3}); }
    // Bytes of TCP payload: what follows the TCP header inside the datagram.
    std::uint32_t tcp_payload_len() const {
        const std::uint32_t headers = std::uint32_t{ip_header_len} + tcp_header_len;
        return length > headers ? length - headers : 0;
    }
};

namespace tcp_flag {
constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20, ece = 0x40, cwr = 0x80;
}

namespace proto {
constexpr std::uint8_t icmp = 1, igmp = 2, tcp = 6, udp = 17, ipv6_route = 43, ipv6_frag = 44, gre = 47, esp = 50, ah = 51, icmpv6 = 58, sctp = 132,
                       udplite = 136, dccp = 33, ipv6_hop = 0, ipv6_none = 59, ipv6_dest = 60, mobility = 135, ipcomp = 108;
}

// A transport whose header starts with source and destination ports (what conntrack keys on and
// NAT rewrites): TCP, UDP, UDP-Lite, SCTP, DCCP.
constexpr bool proto_has_ports(std::uint8_t p) {
    return p == proto::tcp || p == proto::udp || p == proto::udplite || p == proto::sctp || p == proto::dccp;
}

// An ICMPv4 error (destination unreachable, source quench, redirect, time exceeded, parameter
// problem): it quotes a datagram, conntrack relates it to that datagram's connection, and the
// kernel never answers it.
constexpr bool icmpv4_is_error(std::uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }
// The same for ICMP or, with `v6`, ICMPv6 (whose errors are the types below 128).
constexpr bool icmp_is_error(std::uint8_t type, bool v6) { return v6 ? type < 128 : icmpv4_is_error(type); }

}  // namespace fwbench
