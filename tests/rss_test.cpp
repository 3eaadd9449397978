// RSS's Toeplitz hash (rss.hpp) against the verification vectors of Microsoft's RSS
// specification ("Verifying the RSS Hash Calculation": its key, IPv4 with and without the TCP
// ports), and the symmetric key's promise: a flow's two directions hash alike, so they meet on
// one queue.
#include <gtest/gtest.h>

#include <array>

#include "fwbench/packet_description.hpp"
#include "fwbench/rss.hpp"

namespace fwbench {
namespace {

constexpr std::array<std::uint8_t, 40> microsoft_key = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
                                                        0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
                                                        0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

TEST(Rss, MicrosoftsVerificationVectors) {
    const struct {
        const char* src;
        const char* dst;
        std::uint32_t ip_only, with_tcp;
    } rows[] = {
        {"66.9.149.187:2794", "161.142.100.80:1766", 0x323e8fc2, 0x51ccc178},   {"199.92.111.2:14230", "65.69.140.83:4739", 0xd718262a, 0xc626b0ea},
        {"24.19.198.95:12898", "12.22.207.184:38024", 0xd2d0a5de, 0x5c2b394a},  {"38.27.205.30:48228", "209.142.163.6:2217", 0x82989176, 0xafc7327f},
        {"153.39.163.191:44251", "202.188.127.2:1303", 0x5d1809c5, 0x10e828a2},
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(std::string(r.src) + " > " + r.dst);
        const Packet tcp = parse_packet_description(std::string("tcp ") + r.src + " > " + r.dst).packet;
        EXPECT_EQ(rss_hash(tcp, microsoft_key.data()), r.with_tcp);
        Packet other = tcp;
        other.proto = proto::gre;  // no ports in the hash
        EXPECT_EQ(rss_hash(other, microsoft_key.data()), r.ip_only);
        Packet fragment = tcp;
        fragment.fragment = true;  // a later fragment: its addresses alone
        fragment.frag_offset = 1480;
        EXPECT_EQ(rss_hash(fragment, microsoft_key.data()), r.ip_only);
    }
}

TEST(Rss, TheSymmetricKeyHashesBothDirectionsAlike) {
    const char* flows[][2] = {
        {"tcp 192.0.2.50:40000 > 198.51.100.7:443", "tcp 198.51.100.7:443 > 192.0.2.50:40000"},
        {"udp 203.0.113.1:5353 > 198.51.100.9:53", "udp 198.51.100.9:53 > 203.0.113.1:5353"},
        {"tcp [2001:db8::1]:1000 > [2001:db8:9::7]:22", "tcp [2001:db8:9::7]:22 > [2001:db8::1]:1000"},
        {"icmp 192.0.2.50 > 198.51.100.7 type=8", "icmp 198.51.100.7 > 192.0.2.50 type=0"},
    };
    for (const auto& f : flows) {
        SCOPED_TRACE(f[0]);
        const std::uint32_t there = symmetric_rss_hash(parse_packet_description(f[0]).packet);
        EXPECT_EQ(there, symmetric_rss_hash(parse_packet_description(f[1]).packet));
    }
    // And the flows do not all land alike: 64 clients over 4 queues reach every queue.
    std::array<int, 4> per_queue{};
    for (int c = 0; c < 64; ++c)
        ++per_queue[rss_queue(symmetric_rss_hash(parse_packet_description("tcp 192.0.2." + std::to_string(c) + ":40000 > 198.51.100.7:443").packet),
                              4)];
    for (int n : per_queue) EXPECT_GT(n, 4);
}

}  // namespace
}  // namespace fwbench
