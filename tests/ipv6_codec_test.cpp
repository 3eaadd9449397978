// IPv6 datagrams read as the kernel reads them before and inside ip6tables: hand-written bytes
// (their expected fields worked out by hand from RFC 8200 and the kernel's ipv6_find_hdr), and
// what build_ipv6 writes read back, its checksums checked with the tests' own RFC 1071 sum.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checksum.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/parse_error.hpp"

namespace fwbench {
namespace {

std::vector<std::uint8_t> hex(const std::string& text) {
    std::vector<std::uint8_t> out;
    std::string digits;
    for (char ch : text)
        if (std::isxdigit(static_cast<unsigned char>(ch))) digits += ch;
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    return out;
}

// The fixed header: version 6, traffic class 0, flow 0, then payload length, next header, hop
// limit 64, 2001:db8::1 > 2001:db8::2.
std::string header(const std::string& payload_len, const std::string& next) {
    return "60000000 " + payload_len + " " + next + " 40 20010db8000000000000000000000001 20010db8000000000000000000000002";
}

struct Expected {
    Malformation error = Malformation::none;
    std::uint8_t proto = 0;
    std::uint16_t ip_header_len = 40;
    bool l4_present = true, fragment = false, cut = false;
    std::uint16_t sport = 0, dport = 0;
    std::vector<std::uint8_t> ext{};
};

struct Case {
    const char* what;
    std::string bytes;
    Expected want;
    std::size_t wire_length = 0;
};

const Case cases[] = {
    {"a TCP SYN",
     header("0014", "06") + "9c400050 00000001 00000000 5002faf0 00000000",
     {Malformation::none, 6, 40, true, false, false, 40000, 80, {}}},
    {"UDP behind hop-by-hop and destination options",
     header("0018", "00") + "3c000104 00000000 11000104 00000000 13880035 00080000",
     {Malformation::none, 17, 56, true, false, false, 5000, 53, {0, 60}}},
    {"a non-first fragment: its next header is the protocol, no ports",
     header("0010", "2c") + "110005c9 12345678 0000000000000000",
     {Malformation::none, 17, 48, false, true, false, 0, 0, {44}}},
    {"a first fragment carries the UDP header",
     header("0010", "2c") + "11000001 12345678 13880035 00080000",
     {Malformation::none, 17, 48, true, false, false, 5000, 53, {44}}},
    {"a routing header of 24 bytes",
     header("002c", "2b") + "06020001 00000000 20010db8000000000000000000000099 9c400050 00000001 00000000 5002faf0 00000000",
     {Malformation::none, 6, 64, true, false, false, 40000, 80, {43}}},
    {"AH is (length + 2) * 4 bytes long",
     header("002c", "33") + "06040000 00000001 00000001 000000000000000000000000 9c400050 00000001 00000000 5002faf0 00000000",
     {Malformation::none, 6, 64, true, false, false, 40000, 80, {51}}},
    {"ESP ends the walk: it is the protocol", header("0008", "32") + "00000001 00000001", {Malformation::none, 50, 40, true, false, false, 0, 0, {}}},
    {"no next header (59)", header("0000", "3b"), {Malformation::none, 59, 40, true, false, false, 0, 0, {}}},
    {"destination options cut short reach netfilter cut",
     header("0004", "3c") + "06010000",
     {Malformation::none, 60, 40, false, false, true, 0, 0, {60}}},
    {"a hop-by-hop header that does not fit is dropped by ip6_rcv_core",
     header("0004", "00") + "06010000",
     {Malformation::bad_hop_by_hop, 0, 40, true, false, false, 0, 0, {}}},
    {"payload length 0 with hop-by-hop: a jumbogram", header("0000", "00") + "06000000 00000000", {Malformation::ipv6_jumbogram}},
    {"a payload longer than the bytes, the wire saying so: cut by the snap length",
     header("0400", "11") + "13880035 00080000",
     {Malformation::snaplen_cut},
     1064},
    {"a payload longer than the bytes and the wire", header("0400", "11") + "13880035 00080000", {Malformation::bad_total_length}, 48},
    {"39 bytes", header("0000", "3b").substr(0, 38 * 2 + 3), {Malformation::truncated_ip_header}},
    {"version 5", "5" + header("0000", "3b").substr(1), {Malformation::bad_version}},
    {"version 4 goes to parse_ipv4", "4" + header("0000", "3b").substr(1), {Malformation::unsupported_family}},
};

TEST(Ipv6Codec, ReadsTheHeadersAsTheKernelWalksThem) {
    for (const auto& c : cases) {
        const std::vector<std::uint8_t> b = hex(c.bytes);
        const ParsedDatagram d = parse_ipv6(b.data(), b.size(), c.wire_length);
        EXPECT_EQ(malformation_name(d.error), std::string(malformation_name(c.want.error))) << c.what;
        if (d.error != Malformation::none || c.want.error != Malformation::none) continue;
        const Packet& p = d.packet;
        EXPECT_EQ(p.family, Family::ipv6) << c.what;
        EXPECT_EQ(p.length, b.size()) << c.what;
        EXPECT_EQ(p.ttl, 64) << c.what;
        EXPECT_EQ(format_ip(p.src), "2001:db8::1") << c.what;
        EXPECT_EQ(format_ip(p.dst), "2001:db8::2") << c.what;
        EXPECT_EQ(int(p.proto), int(c.want.proto)) << c.what;
        EXPECT_EQ(p.ip_header_len, c.want.ip_header_len) << c.what;
        EXPECT_EQ(p.l4_present, c.want.l4_present) << c.what;
        EXPECT_EQ(p.fragment, c.want.fragment) << c.what;
        EXPECT_EQ(p.ext_headers_cut, c.want.cut) << c.what;
        EXPECT_EQ(std::vector<std::uint8_t>(p.ext_headers.begin(), p.ext_headers.begin() + p.ext_header_count), c.want.ext) << c.what;
        if (c.want.l4_present && (c.want.proto == 6 || c.want.proto == 17)) {
            EXPECT_EQ(p.sport, c.want.sport) << c.what;
            EXPECT_EQ(p.dport, c.want.dport) << c.what;
        }
    }
}

TEST(Ipv6Codec, FragmentRoutingFlowAndIcmpv6Fields) {
    // M set, identification 0x12345678, offset 185 * 8.
    auto b = hex(header("0010", "2c") + "110005c9 12345678 0000000000000000");
    Packet p = parse_ipv6(b.data(), b.size()).packet;
    EXPECT_TRUE(p.more_fragments);
    EXPECT_EQ(p.frag_id, 0x12345678u);
    // Type 0, two segments left... of a 24-byte header with a non-zero reserved word.
    b = hex(header("0020", "2b") + "3b020002 00000001 20010db8000000000000000000000099 0000000000000000");
    p = parse_ipv6(b.data(), b.size()).packet;
    EXPECT_TRUE(p.rt.present);
    EXPECT_EQ(p.rt.type, 0);
    EXPECT_EQ(p.rt.segments_left, 2);
    EXPECT_EQ(p.rt.hdr_len_bytes, 24);
    EXPECT_FALSE(p.rt.reserved_zero);
    EXPECT_EQ(p.proto, 59);
    // A segment routing header of one segment (2001:db8::aa) whose Last Entry says 2 and Segments
    // Left 1: the previous segment (index 2, 40 bytes in) lies past the header, in what follows it, where
    // ip6t_srh reads it; then a type 0 header, which the packet's first routing header hides.
    const std::string srh = "2b020401 02001234 20010db80000000000000000000000aa";
    b = hex(header("0038", "2b") + srh + "3b000005 00000000" + "0000000000000000 20010db80000000000000000000000bb");
    p = parse_ipv6(b.data(), b.size()).packet;
    EXPECT_EQ(p.rt.type, 4);
    EXPECT_EQ(p.rt.next_header, 43);
    EXPECT_EQ(p.rt.hdr_len_bytes, 24);
    EXPECT_EQ(p.rt.segments_left, 1);
    EXPECT_EQ(p.rt.last_entry, 2);
    EXPECT_EQ(p.rt.tag, 0x1234);
    ASSERT_TRUE(p.rt.has_sid(RoutingHeader::previous_sid));
    ASSERT_TRUE(p.rt.has_sid(RoutingHeader::next_sid));
    ASSERT_TRUE(p.rt.has_sid(RoutingHeader::last_sid));
    EXPECT_EQ(format_ip(IpAddr{Family::ipv6, p.rt.sids[RoutingHeader::previous_sid]}), "2001:db8::bb");
    EXPECT_EQ(format_ip(IpAddr{Family::ipv6, p.rt.sids[RoutingHeader::next_sid]}), "2001:db8::aa");
    EXPECT_EQ(format_ip(IpAddr{Family::ipv6, p.rt.sids[RoutingHeader::last_sid]}), "2001:db8::aa");
    // The datagram ends before the previous segment: that one is not there to read.
    b = hex(header("0020", "2b") + "3b020401 02001234 20010db80000000000000000000000aa 0000000000000000");
    p = parse_ipv6(b.data(), b.size()).packet;
    EXPECT_FALSE(p.rt.has_sid(RoutingHeader::previous_sid));
    EXPECT_TRUE(p.rt.has_sid(RoutingHeader::last_sid));
    // Traffic class 0xba, flow label 0x12345.
    b = hex("6ba12345 0000 3b 01 20010db8000000000000000000000001 20010db8000000000000000000000002");
    p = parse_ipv6(b.data(), b.size()).packet;
    EXPECT_EQ(p.tos, 0xba);
    EXPECT_EQ(p.flow_label, 0x12345u);
    EXPECT_EQ(p.ttl, 1);
    // An echo request's identifier.
    b = hex(header("0008", "3a") + "80000000 12340001");
    p = parse_ipv6(b.data(), b.size()).packet;
    EXPECT_EQ(p.icmp_type, 128);
    EXPECT_EQ(p.icmp_id, 0x1234);
    // Port unreachable quoting the UDP datagram it answers: its addresses and ports.
    b = hex(header("0038", "3a") + "01040000 00000000" + "60000000 0008 11 40 20010db8000000000000000000000002 20010db8000000000000000000000001" +
            "a0000035 00080000");
    p = parse_ipv6(b.data(), b.size()).packet;
    EXPECT_EQ(p.icmp_type, 1);
    EXPECT_EQ(p.icmp_code, 4);
    ASSERT_TRUE(p.icmp_quoted.present);
    EXPECT_EQ(format_ip(p.icmp_quoted.src), "2001:db8::2");
    EXPECT_EQ(format_ip(p.icmp_quoted.dst), "2001:db8::1");
    EXPECT_EQ(p.icmp_quoted.proto, 17);
    EXPECT_EQ(p.icmp_quoted.sport, 0xa000);
    EXPECT_EQ(p.icmp_quoted.dport, 53);
}

// Whether the upper-layer checksum of an IPv6 datagram is right, summed independently.
bool upper_layer_checksum_ok(const std::vector<std::uint8_t>& b, std::size_t l4, std::uint8_t nh) {
    std::uint32_t pseudo = 0;
    for (std::size_t i = 8; i < 40; i += 2) pseudo += std::uint32_t{b[i]} << 8 | b[i + 1];
    const std::size_t len = b.size() - l4;
    pseudo += static_cast<std::uint32_t>(len >> 16) + static_cast<std::uint32_t>(len & 0xffff) + nh;
    return test::internet_checksum(b.data() + l4, len, pseudo) == 0;
}

TEST(Ipv6Codec, WhatBuildWritesReadsBackWithRightChecksums) {
    const struct {
        const char* description;
        std::vector<std::uint8_t> ext;
        std::size_t l4;  // where the upper-layer header starts
    } cases[] = {
        {"tcp [2001:db8::1]:40000 > [2001:db8::2]:443 flags=S len=100", {}, 40},
        {"udp [2001:db8::1]:5000 > [2001:db8::2]:53 len=80", {0, 60}, 56},
        {"udp [2001:db8::1]:5000 > [2001:db8::2]:53", {44}, 48},
        {"icmpv6 2001:db8::1 > 2001:db8::2 type=128", {51}, 56},
        {"tcp [2001:db8::1]:1 > [2001:db8::2]:2 flags=A", {43, 60}, 56},
    };
    for (const auto& c : cases) {
        Packet p = parse_packet_description(c.description).packet;
        ASSERT_EQ(p.family, Family::ipv6) << c.description;
        for (std::uint8_t e : c.ext) p.ext_headers[p.ext_header_count++] = e;
        p.frag_id = 7;
        p.more_fragments = true;
        const std::vector<std::uint8_t> b = build_ipv6(p);
        const ParsedDatagram d = parse_ipv6(b.data(), b.size());
        ASSERT_EQ(d.error, Malformation::none) << c.description;
        const Packet& q = d.packet;
        EXPECT_EQ(q.src, p.src) << c.description;
        EXPECT_EQ(q.dst, p.dst) << c.description;
        EXPECT_EQ(q.proto, p.proto) << c.description;
        EXPECT_EQ(q.ip_header_len, c.l4) << c.description;
        EXPECT_EQ(std::vector<std::uint8_t>(q.ext_headers.begin(), q.ext_headers.begin() + q.ext_header_count), c.ext) << c.description;
        EXPECT_EQ(q.sport, p.sport) << c.description;
        EXPECT_EQ(q.dport, p.dport) << c.description;
        EXPECT_EQ(q.tcp_flags, p.tcp_flags) << c.description;
        EXPECT_EQ(q.icmp_type, p.icmp_type) << c.description;
        EXPECT_EQ(q.length, b.size()) << c.description;
        if (std::string(c.description).find(" len=") != std::string::npos) {
            EXPECT_EQ(b.size(), p.length) << c.description;  // zeros up to the length asked for
        }
        EXPECT_TRUE(upper_layer_checksum_ok(b, c.l4, p.proto)) << c.description;
    }
}

TEST(Ipv6Codec, ParseDatagramPicksTheFamilyByVersion) {
    Packet v4 = parse_packet_description("udp 192.0.2.1:1 > 192.0.2.2:2").packet;
    Packet v6 = parse_packet_description("udp [2001:db8::1]:1 > [2001:db8::2]:2").packet;
    const auto b4 = build_ipv4(v4), b6 = build_ipv6(v6);
    EXPECT_EQ(parse_datagram(b4.data(), b4.size()).packet.family, Family::ipv4);
    EXPECT_EQ(parse_datagram(b6.data(), b6.size()).packet.family, Family::ipv6);
    const std::uint8_t seven[] = {0x70, 0, 0, 0};
    EXPECT_EQ(parse_datagram(seven, sizeof seven).error, Malformation::bad_version);
}

// A described packet is what its frame says: the packet path reads the description's Packet,
// the kernel the frame built from it, so the header length (and with it a TCP segment's payload,
// which conntrack's window and REJECT's reset count) must be the frame's. The expected payloads
// are worked out by hand: len minus the IP header (20 or 40) minus the TCP header.
TEST(Ipv6Codec, ADescribedPacketHasItsFramesHeaderLength) {
    const struct {
        const char* description;
        std::uint16_t ip_header_len;
        std::uint32_t tcp_payload;
    } cases[] = {
        {"tcp [2001:db8::1]:1 > [2001:db8::2]:2 flags=S", 40, 0},          {"tcp [2001:db8::1]:1 > [2001:db8::2]:2 flags=A len=100", 40, 40},
        {"tcp [2001:db8::1]:1 > [2001:db8::2]:2 flags=S mss=1460", 40, 0}, {"tcp 192.0.2.1:1 > 192.0.2.2:2 flags=A", 20, 20},
        {"tcp 192.0.2.1:1 > 192.0.2.2:2 flags=A len=100", 20, 60},
    };
    for (const auto& c : cases) {
        const Packet p = parse_packet_description(c.description).packet;
        EXPECT_EQ(p.ip_header_len, c.ip_header_len) << c.description;
        EXPECT_EQ(p.tcp_payload_len(), c.tcp_payload) << c.description;
        const auto frame = build_datagram(p);
        const ParsedDatagram back = parse_datagram(frame.data(), frame.size());
        EXPECT_EQ(back.packet.length, p.length) << c.description;
        EXPECT_EQ(back.packet.ip_header_len, p.ip_header_len) << c.description;
        EXPECT_EQ(back.packet.tcp_payload_len(), p.tcp_payload_len()) << c.description;
    }
}

// What -m hbh, -m dst, -m ah, -m esp and -m mh read, from hand-written bytes (ip6t_hbh's option
// walk, struct ip_auth_hdr, struct ip_esp_hdr, struct ip6_mh).
TEST(Ipv6Codec, OptionsAuthEspAndMobilityFieldsAsTheMatchesReadThem) {
    {
        SCOPED_TRACE("hop-by-hop: router alert (2 bytes of data), then PadN of none");
        const auto b = hex(header("0010", "00") + "11000502 00000100 13880035 00080000");
        const Packet p = parse_ipv6(b.data(), b.size(), 0).packet;
        EXPECT_EQ(p.hop_options.length, 8);
        ASSERT_EQ(p.hop_options.count, 2);
        EXPECT_EQ(int(p.hop_options.types[0]), 5);
        EXPECT_EQ(int(p.hop_options.lengths[0]), 2);
        EXPECT_EQ(int(p.hop_options.types[1]), 1);
        EXPECT_EQ(int(p.hop_options.lengths[1]), 0);
        EXPECT_FALSE(p.hop_options.overrun);
        EXPECT_EQ(p.dest_options.length, 0);
    }
    {
        SCOPED_TRACE("destination options: two Pad1, then type 30 claiming 9 bytes of the 4 left");
        const auto b = hex(header("0010", "3c") + "11000000 1e090000 13880035 00080000");
        const Packet p = parse_ipv6(b.data(), b.size(), 0).packet;
        EXPECT_EQ(p.dest_options.length, 8);
        ASSERT_EQ(p.dest_options.count, 3);
        EXPECT_EQ(int(p.dest_options.types[2]), 30);
        EXPECT_EQ(int(p.dest_options.lengths[2]), 9);
        EXPECT_TRUE(p.dest_options.overrun);
        EXPECT_EQ(int(p.proto), 17);
    }
    {
        SCOPED_TRACE("AH of 24 bytes ((4 + 2) * 4), reserved not zero, SPI 500, no next header");
        const auto b = hex(header("0018", "33") + "3b040001 000001f4 00000001 00000000 00000000 00000000");
        const Packet p = parse_ipv6(b.data(), b.size(), 0).packet;
        EXPECT_TRUE(p.ah.present);
        EXPECT_EQ(p.ah.spi, 500u);
        EXPECT_EQ(p.ah.length, 24);
        EXPECT_FALSE(p.ah.reserved_zero);
        EXPECT_FALSE(p.ah.cut);
        EXPECT_EQ(int(p.proto), 59);
    }
    {
        SCOPED_TRACE("ESP: SPI 7 and a sequence number");
        const auto b = hex(header("0008", "32") + "00000007 00000001");
        const Packet p = parse_ipv6(b.data(), b.size(), 0).packet;
        EXPECT_EQ(p.esp_spi, 7u);
        EXPECT_TRUE(p.l4_present);
    }
    {
        SCOPED_TRACE("IPComp: next header 59, flags 0, CPI 0x1234; three bytes do not hold a CPI");
        const auto b = hex(header("0004", "6c") + "3b001234");
        const Packet p = parse_ipv6(b.data(), b.size(), 0).packet;
        EXPECT_EQ(p.ipcomp_cpi, 0x1234);
        EXPECT_TRUE(p.l4_present);
        const auto cut = hex(header("0003", "6c") + "3b0012");
        EXPECT_FALSE(parse_ipv6(cut.data(), cut.size(), 0).packet.l4_present);
    }
    {
        SCOPED_TRACE("ESP of 4 bytes: xt_esp's 8 are not there");
        const auto b = hex(header("0004", "32") + "00000007");
        EXPECT_FALSE(parse_ipv6(b.data(), b.size(), 0).packet.l4_present);
    }
    {
        SCOPED_TRACE("a mobility header: payload proto 6, binding update");
        const auto b = hex(header("0008", "87") + "06000500 00000000");
        const Packet p = parse_ipv6(b.data(), b.size(), 0).packet;
        EXPECT_EQ(int(p.proto), 135);
        EXPECT_EQ(int(p.mh_type), 5);
        EXPECT_EQ(int(p.mh_payload_proto), 6);
        EXPECT_TRUE(p.l4_present);
    }
}

// ip6_parse_tlv's verdict on hop-by-hop options (each row worked out from net/ipv6/exthdrs.c).
TEST(Ipv6Codec, HopByHopOptionsAsIp6ParseTlvJudgesThem) {
    const struct {
        const char* options;
        HopOptionsVerdict verdict;
    } rows[] = {
        {"5:2,1:0", HopOptionsVerdict::pass},  // a router alert, padded
        {"30:2", HopOptionsVerdict::pass},  // unknown, type 00xxxxxx: skipped
        {"0,0,0,0,0,0", HopOptionsVerdict::pass},  // 6 bytes of Pad1
        {"1:4", HopOptionsVerdict::pass},  // 6 bytes of PadN
        {"0,0,0,0,0,30:0,0,0,0,0,0", HopOptionsVerdict::pass},  // a real option ends a run: 5, then 5 and PadN of 2
        {"0,0,0,0,0,0,0,0", HopOptionsVerdict::malformed},  // 8 bytes of padding
        {"30:0,1:6", HopOptionsVerdict::malformed},  // PadN of 8
        {"5:3", HopOptionsVerdict::router_alert_length},
        {"70:2", HopOptionsVerdict::discard_option},  // 01xxxxxx: discard
        {"134:2", HopOptionsVerdict::parameter_problem},  // 10xxxxxx: a parameter problem answers it
        {"254:2", HopOptionsVerdict::parameter_problem},  // 11xxxxxx: one does unless to a multicast destination
        {"194:4", HopOptionsVerdict::not_modelled},  // jumbo
        {"30:0,30:0,30:0,30:0,30:0,30:0,30:0,30:0", HopOptionsVerdict::pass},  // 8 options: max_hbh_opts_number
        {"30:0,30:0,30:0,30:0,30:0,30:0,30:0,30:0,30:0", HopOptionsVerdict::not_modelled},
    };
    for (const auto& r : rows) {
        const Packet p = parse_packet_description(std::string("udp [2001:db8::1]:1 > [2001:db8::2]:2 hopopts=") + r.options).packet;
        EXPECT_EQ(int(check_hop_options(p.hop_options)), int(r.verdict)) << r.options;
    }
    // The option a parameter problem points at, from its header's start: past padding and a
    // skipped option, the first to answer.
    const struct {
        const char* options;
        std::uint8_t type;
        std::uint16_t offset;
    } answered[] = {{"134:2", 134, 2}, {"1:0,198:2", 198, 4}, {"30:2,0,134:0,254:0", 134, 7}};
    for (const auto& a : answered) {
        const HopOptionsJudgement j =
            judge_hop_options(parse_packet_description(std::string("udp [2001:db8::1]:1 > [2001:db8::2]:2 hopopts=") + a.options).packet.hop_options);
        EXPECT_EQ(int(j.verdict), int(HopOptionsVerdict::parameter_problem)) << a.options;
        EXPECT_EQ(int(j.type), int(a.type)) << a.options;
        EXPECT_EQ(j.offset, a.offset) << a.options;
    }
    // A PadN whose bytes are not zero, from the wire.
    const auto b = hex(header("0010", "00") + "11000104 00000001 13880035 00080000");
    const Packet p = parse_ipv6(b.data(), b.size(), 0).packet;
    EXPECT_EQ(p.hop_options.nonzero_padn, 1);
    EXPECT_EQ(int(check_hop_options(p.hop_options)), int(HopOptionsVerdict::malformed));
}

// A description's options, AH, ESP and mobility fields survive build, parse and the description's
// own printing.
TEST(Ipv6Codec, DescribedOptionsAuthEspAndMobilityReadBack) {
    const char* descriptions[] = {
        "udp [2001:db8::1]:1 > [2001:db8::2]:2 hopopts=5:2 dstopts=30:10 ahspi=9 ahlen=24 ahres=1",
        "udp [2001:db8::1]:1 > [2001:db8::2]:2 hopopts=30:6,0,0 ext=hop,dst",
        "esp [2001:db8::1] > [2001:db8::2] espspi=77",
        "mh [2001:db8::1] > [2001:db8::2] mhtype=6 mhproto=6",
        "ah 192.0.2.1 > 192.0.2.2 ahspi=5",
        "esp 192.0.2.1 > 192.0.2.2 espspi=5",
        "ipcomp 192.0.2.1 > 192.0.2.2 cpi=300",
        "ipcomp [2001:db8::1] > [2001:db8::2] cpi=65535",
        "sctp 192.0.2.1:5000 > 192.0.2.2:6000 chunks=INIT",
        "sctp 192.0.2.1:5000 > 192.0.2.2:6000 chunks=DATA/3,SACK,I_DATA/1,200 len=100",
        "sctp [2001:db8::1]:5000 > [2001:db8::2]:6000 chunks=ABORT/1,LEN0",
        "sctp [2001:db8::1]:5000 > [2001:db8::2]:6000 chunks=LEN0",
        "dccp 192.0.2.1:5000 > 192.0.2.2:6000 dccptype=3 dccpopts=32,44",
        "dccp [2001:db8::1]:5000 > [2001:db8::2]:6000 dccptype=1 dccpopts=1,40",
        "dccp 192.0.2.1:5000 > 192.0.2.2:6000 dccptype=12",
    };
    const auto same = [](const Packet& a, const Packet& b, const std::string& what) {
        for (const auto& [x, y] : {std::pair{&a.hop_options, &b.hop_options}, std::pair{&a.dest_options, &b.dest_options}}) {
            EXPECT_EQ(x->length, y->length) << what;
            EXPECT_EQ(x->count, y->count) << what;
            EXPECT_EQ(x->types, y->types) << what;
            EXPECT_EQ(x->lengths, y->lengths) << what;
        }
        EXPECT_EQ(a.ah.present, b.ah.present) << what;
        EXPECT_EQ(a.ah.spi, b.ah.spi) << what;
        EXPECT_EQ(a.ah.length, b.ah.length) << what;
        EXPECT_EQ(a.ah.reserved_zero, b.ah.reserved_zero) << what;
        EXPECT_EQ(a.esp_spi, b.esp_spi) << what;
        EXPECT_EQ(a.ipcomp_cpi, b.ipcomp_cpi) << what;
        EXPECT_EQ(a.sctp_chunks.count, b.sctp_chunks.count) << what;
        EXPECT_EQ(a.sctp_chunks.types, b.sctp_chunks.types) << what;
        EXPECT_EQ(a.sctp_chunks.flags, b.sctp_chunks.flags) << what;
        EXPECT_EQ(a.sctp_chunks.malformed, b.sctp_chunks.malformed) << what;
        EXPECT_EQ(a.dccp_type, b.dccp_type) << what;
        EXPECT_EQ(a.dccp_options, b.dccp_options) << what;
        EXPECT_EQ(a.dccp_options_bad, b.dccp_options_bad) << what;
        EXPECT_EQ(a.sport, b.sport) << what;
        EXPECT_EQ(a.dport, b.dport) << what;
        EXPECT_EQ(a.mh_type, b.mh_type) << what;
        EXPECT_EQ(a.mh_payload_proto, b.mh_payload_proto) << what;
        EXPECT_EQ(a.ip_header_len, b.ip_header_len) << what;
        EXPECT_EQ(a.length, b.length) << what;
    };
    for (const char* d : descriptions) {
        const Packet p = parse_packet_description(d).packet;
        const auto frame = build_datagram(p);
        const ParsedDatagram back = parse_datagram(frame.data(), frame.size());
        ASSERT_EQ(back.error, Malformation::none) << d;
        same(p, back.packet, std::string(d) + " (built and parsed)");
        const std::string printed = format_packet_description(p, false);
        same(p, parse_packet_description(printed).packet, std::string(d) + " (printed as " + printed + ")");
    }
    // The padding a sender adds: hopopts=5:2 takes 6 bytes, PadN of none makes 8.
    const Packet p = parse_packet_description(descriptions[0]).packet;
    EXPECT_EQ(p.hop_options.length, 8);
    ASSERT_EQ(p.hop_options.count, 2);
    EXPECT_EQ(int(p.hop_options.types[1]), 1);
    EXPECT_EQ(p.dest_options.length, 16);  // 2 + 12, then PadN of none
    EXPECT_EQ(p.ip_header_len, 40 + 8 + 16 + 24);
}

// A described segment routing header is built as described and read back the same: its fields,
// its Next Header (the header after it), and the three segments ip6t_srh reads.
TEST(Ipv6Codec, DescribedSegmentRoutingHeaderReadsBack) {
    const char* descriptions[] = {
        "udp [2001:db8::1]:1 > [2001:db8::2]:2 rt=4/1 sids=2001:db8::a,2001:db8::b,2001:db8::c srhtag=258",
        "udp [2001:db8::1]:1 > [2001:db8::2]:2 rt=4/0 sids=2001:db8::a ext=route,dst",
        "tcp [2001:db8::1]:1 > [2001:db8::2]:2 rt=4/3 sids=2001:db8::a,2001:db8::b lastentry=0",
    };
    for (const char* d : descriptions) {
        const Packet p = parse_packet_description(d).packet;
        const auto frame = build_ipv6(p);
        const ParsedDatagram back = parse_datagram(frame.data(), frame.size());
        ASSERT_EQ(back.error, Malformation::none) << d;
        const RoutingHeader &a = p.rt, &b = back.packet.rt;
        EXPECT_TRUE(b.present) << d;
        EXPECT_EQ(a.next_header, b.next_header) << d;
        EXPECT_EQ(a.type, b.type) << d;
        EXPECT_EQ(a.segments_left, b.segments_left) << d;
        EXPECT_EQ(a.hdr_len_bytes, b.hdr_len_bytes) << d;
        EXPECT_EQ(a.last_entry, b.last_entry) << d;
        EXPECT_EQ(a.tag, b.tag) << d;
        for (auto which : {RoutingHeader::previous_sid, RoutingHeader::next_sid, RoutingHeader::last_sid}) {
            if (!a.has_sid(which)) continue;
            EXPECT_EQ(a.sids[which], b.sids[which]) << d << " segment " << int(which);
        }
    }
    // Worked out by hand from the first: 3 segments, Last Entry 2, 8 + 48 bytes, UDP after it.
    const Packet p = parse_packet_description(descriptions[0]).packet;
    EXPECT_EQ(p.rt.hdr_len_bytes, 56);
    EXPECT_EQ(p.rt.last_entry, 2);
    EXPECT_EQ(p.rt.next_header, 17);
    EXPECT_EQ(format_ip(IpAddr{Family::ipv6, p.rt.sids[RoutingHeader::previous_sid]}), "2001:db8::c");
    EXPECT_EQ(format_ip(IpAddr{Family::ipv6, p.rt.sids[RoutingHeader::next_sid]}), "2001:db8::a");
    EXPECT_EQ(parse_packet_description(descriptions[1]).packet.rt.next_header, 60);
    // What a description of one cannot say.
    for (const char* bad :
         {"udp [2001:db8::1]:1 > [2001:db8::2]:2 rt=4/1", "udp [2001:db8::1]:1 > [2001:db8::2]:2 rt=0/1 sids=2001:db8::a",
          "udp [2001:db8::1]:1 > [2001:db8::2]:2 rt=4/1 sids=2001:db8::a lastentry=1", "udp [2001:db8::1]:1 > [2001:db8::2]:2 rt=4/1 sids=192.0.2.1",
          "udp 192.0.2.1:1 > 192.0.2.2:2 rt=4/0 sids=2001:db8::a", "udp 192.0.2.1:1 > 192.0.2.2:2 rt=0/1"})
        EXPECT_THROW(parse_packet_description(bad), ParseError) << bad;
}

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// An IPv4 datagram from 192.0.2.1 to 192.0.2.2 carrying `payload` as protocol `proto`, its
// header's lengths and checksum right.
std::vector<std::uint8_t> ipv4_carrying(std::uint8_t proto, const std::vector<std::uint8_t>& payload) {
    std::vector<std::uint8_t> ip(20 + payload.size(), 0);
    std::copy(payload.begin(), payload.end(), ip.begin() + 20);
    ip[0] = 0x45;
    ip[8] = 64;
    ip[9] = proto;
    const std::uint8_t addrs[8] = {192, 0, 2, 1, 192, 0, 2, 2};
    std::copy(addrs, addrs + 8, ip.begin() + 12);
    ip[2] = static_cast<std::uint8_t>(ip.size() >> 8);
    ip[3] = static_cast<std::uint8_t>(ip.size());
    const std::uint16_t sum = test::internet_checksum(ip.data(), 20);
    ip[10] = static_cast<std::uint8_t>(sum >> 8);
    ip[11] = static_cast<std::uint8_t>(sum);
    return ip;
}

// xt_sctp's walk over hand-made chunk lists (after a 12-byte common header): each row the chunk
// bytes, then the distinct type/flags pairs it must find and whether the walk ends malformed.
TEST(SctpChunkWalk, ChunksAreWalkedAsXtSctpWalksThem) {
    const struct {
        const char* what;
        std::vector<std::uint8_t> chunks;
        std::vector<std::pair<int, int>> seen;
        bool malformed;
    } rows[] = {
        {"one chunk to the end", {0, 3, 0, 8, 1, 2, 3, 4}, {{0, 3}}, false},
        {"a length of 5 is padded to 8", {1, 0, 0, 5, 9, 0, 0, 0, 6, 1, 0, 4}, {{1, 0}, {6, 1}}, false},
        {"a repeated chunk is kept once", {0, 0, 0, 4, 0, 0, 0, 4, 3, 0, 0, 4}, {{0, 0}, {3, 0}}, false},
        {"a length of 0 ends the walk", {0, 0, 0, 4, 7, 0, 0, 0, 1, 0, 0, 4}, {{0, 0}}, true},
        {"a header cut short at the end", {0, 0, 0, 4, 9, 9}, {{0, 0}}, true},
        {"no chunk at all", {}, {}, true},
        {"a length past the end ends it cleanly", {4, 0, 0, 200}, {{4, 0}}, false},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(r.what);
        std::vector<std::uint8_t> sctp(12, 0);  // the common header: ports, tag and checksum unread
        sctp.insert(sctp.end(), r.chunks.begin(), r.chunks.end());
        const std::vector<std::uint8_t> ip = ipv4_carrying(proto::sctp, sctp);
        const ParsedDatagram d = parse_datagram(ip.data(), ip.size());
        ASSERT_EQ(d.error, Malformation::none);
        const SctpChunks& c = d.packet.sctp_chunks;
        ASSERT_EQ(c.count, r.seen.size());
        for (std::size_t i = 0; i < r.seen.size(); ++i) {
            EXPECT_EQ(c.types[i], r.seen[i].first);
            EXPECT_EQ(c.flags[i], r.seen[i].second);
        }
        EXPECT_EQ(c.malformed, r.malformed);
        EXPECT_FALSE(c.overflow);
    }
}

// xt_dccp's option walk over hand-made headers (byte 4 the data offset in words, byte 8 the type
// shifted by one with X in bit 0): the kinds it meets, or a walk it cannot make.
TEST(DccpOptionWalk, OptionsAreWalkedAsXtDccpWalksThem) {
    const struct {
        const char* what;
        std::vector<std::uint8_t> header;  // the DCCP header and options
        std::vector<int> kinds;
        bool bad;
    } rows[] = {
        {"DATA with no options", {0, 1, 0, 2, 3, 0, 0, 0, 2 << 1, 0, 0, 0}, {}, false},
        {"DATA: a single-byte kind, then one with its length", {0, 1, 0, 2, 4, 0, 0, 0, 2 << 1, 0, 0, 0, 1, 40, 3, 9}, {1, 40}, false},
        {"a length of 0 steps one byte", {0, 1, 0, 2, 4, 0, 0, 0, 2 << 1, 0, 0, 0, 33, 0, 44, 2}, {33, 0, 44}, false},
        {"a long kind in the last byte ends the walk", {0, 1, 0, 2, 4, 0, 0, 0, 2 << 1, 0, 0, 0, 0, 0, 0, 50}, {0, 50}, false},
        {"REQUEST's service code comes before the options", {0, 1, 0, 2, 5, 0, 0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 45, 2, 0, 0}, {45, 0}, false},
        {"X adds 4 bytes of sequence number", {0, 1, 0, 2, 5, 0, 0, 0, (2 << 1) | 1, 0, 0, 0, 9, 9, 9, 9, 46, 2, 0, 0}, {46, 0}, false},
        {"a data offset short of the type's header", {0, 1, 0, 2, 4, 0, 0, 0, 1 << 1, 0, 0, 0, 0, 0, 0, 0}, {}, true},
        {"options past the datagram's end", {0, 1, 0, 2, 5, 0, 0, 0, 2 << 1, 0, 0, 0, 1, 1, 1, 1}, {}, true},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(r.what);
        const std::vector<std::uint8_t> ip = ipv4_carrying(proto::dccp, r.header);
        const ParsedDatagram d = parse_datagram(ip.data(), ip.size());
        ASSERT_EQ(d.error, Malformation::none);
        EXPECT_EQ(d.packet.dccp_options_bad, r.bad);
        std::vector<int> seen;
        for (int k = 0; k < 256; ++k)
            if (d.packet.has_dccp_option(static_cast<std::uint8_t>(k))) seen.push_back(k);
        std::vector<int> want = r.kinds;
        std::sort(want.begin(), want.end());
        EXPECT_EQ(seen, want);
    }
}

}  // namespace
}  // namespace fwbench
