// make_seed_capture: writes the seed scenario's capture, as `tcpdump -i any -w` (LINUX_SLL2)
// would record it on the router of traces/seed/host.json (lo = 1, wan1 = 2, lan0 = 3):
//  - the router's own `ssh 203.0.113.1`: its SYN on lo, retransmitted after 1 s and 3 s
//    (the INPUT rules drop it, so no SYN-ACK ever comes);
//  - the same connection from outside, on wan1: SYN in, the router's SYN-ACK out, ACK in;
//  - a LAN host's HTTPS connection forwarded to the WAN: each packet incoming on one NIC and
//    outgoing (TTL - 1) on the other;
//  - one ARP request, which is not IP.
// With --dual-stack, the same router's dual-stack capture (capture-dual.pcap): the packets above,
// then the story again in IPv6 — the router's own `ssh 2001:db8:1::1` on lo (from that address,
// not ::1: dropped, retransmitted), the same from outside on wan1, a LAN host's HTTPS forwarded
// (hop limit - 1) — and a neighbour solicitation for the router's WAN address (UNTRACKED).
// Deterministic: the same bytes on every run.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "fwbench/capture.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"

using namespace fwbench;

int main(int argc, char** argv) {
    const bool dual = argc == 3 && std::string(argv[1]) == "--dual-stack";
    if (argc != 2 && !dual) {
        std::cerr << "usage: make_seed_capture [--dual-stack] OUTPUT.pcap\n";
        return 2;
    }
    const std::uint64_t base = 1700000000ull * 1000000000ull;
    std::vector<CaptureFrame> frames;
    auto add = [&](double t, std::uint32_t ifindex, std::uint8_t pkttype, const char* description, std::uint32_t seq, std::uint32_t ack) {
        Packet p = parse_packet_description(description).packet;
        p.tcp_seq = seq;
        p.tcp_ack = ack;
        CaptureFrame f;
        f.timestamp_ns = base + static_cast<std::uint64_t>(t * 1e9);
        p.ip_id = static_cast<std::uint16_t>(frames.size() + 1);
        const bool v6 = p.family == Family::ipv6;
        f.data = sll2_frame(ifindex, pkttype, v6 ? build_ipv6(p) : build_ipv4(p), 1, v6 ? 0x86dd : 0x0800);
        frames.push_back(f);
    };
    const std::uint8_t in = 0, out = 4;
    add(0.000, 1, in, "tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S len=60", 1000, 0);
    add(1.000, 1, in, "tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S len=60", 1000, 0);
    add(3.000, 1, in, "tcp 203.0.113.1:40000 > 203.0.113.1:22 flags=S len=60", 1000, 0);
    add(5.000, 2, in, "tcp 198.51.100.7:50000 > 203.0.113.1:22 flags=S len=60 ttl=52", 5000, 0);
    add(5.001, 2, out, "tcp 203.0.113.1:22 > 198.51.100.7:50000 flags=SA len=60", 9000, 5001);
    add(5.040, 2, in, "tcp 198.51.100.7:50000 > 203.0.113.1:22 flags=A len=52 ttl=52", 5001, 9001);
    add(6.000, 3, in, "tcp 192.0.2.50:40001 > 198.51.100.7:443 flags=S len=60 ttl=64", 7000, 0);
    add(6.0001, 2, out, "tcp 192.0.2.50:40001 > 198.51.100.7:443 flags=S len=60 ttl=63", 7000, 0);
    add(6.030, 2, in, "tcp 198.51.100.7:443 > 192.0.2.50:40001 flags=SA len=60 ttl=52", 3000, 7001);
    add(6.0301, 3, out, "tcp 198.51.100.7:443 > 192.0.2.50:40001 flags=SA len=60 ttl=51", 3000, 7001);
    add(6.031, 3, in, "tcp 192.0.2.50:40001 > 198.51.100.7:443 flags=A len=52 ttl=64", 7001, 3001);
    add(6.0311, 2, out, "tcp 192.0.2.50:40001 > 198.51.100.7:443 flags=A len=52 ttl=63", 7001, 3001);
    {
        // ARP who-has 192.0.2.1 tell 192.0.2.50, on lan0.
        std::vector<std::uint8_t> arp = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x32, 192, 0, 2, 50, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1};
        CaptureFrame f;
        f.timestamp_ns = base + 7000000000ull;
        f.data = sll2_frame(3, 1, arp, 1, 0x0806);
        frames.push_back(f);
    }
    if (dual) {
        add(8.000, 1, in, "tcp [2001:db8:1::1]:40002 > [2001:db8:1::1]:22 flags=S len=80", 2000, 0);
        add(9.000, 1, in, "tcp [2001:db8:1::1]:40002 > [2001:db8:1::1]:22 flags=S len=80", 2000, 0);
        add(10.000, 2, in, "tcp [2001:db8:9::7]:50002 > [2001:db8:1::1]:22 flags=S len=80 ttl=52", 6000, 0);
        add(10.001, 2, out, "tcp [2001:db8:1::1]:22 > [2001:db8:9::7]:50002 flags=SA len=80", 8000, 6001);
        add(10.040, 2, in, "tcp [2001:db8:9::7]:50002 > [2001:db8:1::1]:22 flags=A len=72 ttl=52", 6001, 8001);
        add(11.000, 3, in, "tcp [2001:db8:2::50]:40003 > [2001:db8:9::7]:443 flags=S len=80 ttl=64", 4000, 0);
        add(11.0001, 2, out, "tcp [2001:db8:2::50]:40003 > [2001:db8:9::7]:443 flags=S len=80 ttl=63", 4000, 0);
        add(11.030, 2, in, "tcp [2001:db8:9::7]:443 > [2001:db8:2::50]:40003 flags=SA len=80 ttl=52", 3500, 4001);
        add(11.0301, 3, out, "tcp [2001:db8:9::7]:443 > [2001:db8:2::50]:40003 flags=SA len=80 ttl=51", 3500, 4001);
        add(12.000, 2, in, "icmpv6 [fe80::99] > [ff02::1:ff00:1] type=135 ttl=255", 0, 0);
    }
    auto bytes = write_pcap(linktype::linux_sll2, frames);
    std::ofstream outf(argv[dual ? 2 : 1], std::ios::binary);
    outf.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return outf ? 0 : 1;
}
