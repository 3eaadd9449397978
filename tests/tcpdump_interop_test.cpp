// fwbench's capture files against an independent implementation, both ways: tcpdump (libpcap and
// its dissectors) reads what fwbench's writer produces, and fwbench reads what tcpdump captured
// from a real kernel. Expected values come from the frames the test builds or the datagrams it
// sends, never from fwbench's reader.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "fwbench/capture.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/capture_filter.hpp"
#include "fwbench/netns.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/subprocess.hpp"
#include "must_run.hpp"

namespace fwbench {
namespace {

std::string scratch_file(const std::string& name) { return testing::TempDir() + "fwbench-tcpdump-" + std::to_string(getpid()) + "-" + name; }

void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool have_tcpdump() { return !find_program("tcpdump").empty(); }

std::vector<std::uint8_t> datagram(const char* description) {
    Packet p = parse_packet_description(description).packet;
    p.ip_id = 7;
    return build_ipv4(p);
}

const MacAddr mac_a{{2, 0, 0, 0, 0, 1}}, mac_b{{2, 0, 0, 0, 0, 2}};

// What tcpdump -nn prints for each packet the test writes: the same three datagrams in every file.
// clang-format off
const struct { const char* packet; const char* tcpdump; } datagrams[] = {
    {"udp 192.0.2.9:40000 > 198.51.100.7:9 len=60", "192.0.2.9.40000 > 198.51.100.7.9: UDP, length 32"},
    {"tcp 198.51.100.7:443 > 192.0.2.9:40000 flags=SA len=52", "198.51.100.7.443 > 192.0.2.9.40000: Flags [S.], seq 0:12, ack 0, win 64240, length 12"},
    {"icmp 192.0.2.9 > 198.51.100.7 type=8/0 len=84", "192.0.2.9 > 198.51.100.7: ICMP echo request"},
};
// clang-format on
constexpr std::uint64_t t0 = 1700000000123456789ull;  // 1700000000.123456 µs, .123456789 ns

TEST(TcpdumpReads, ThePcapAndPcapngFilesFwbenchWrites) {
    if (!have_tcpdump()) FWBENCH_CANNOT_RUN("tcpdump is not installed (scripts/setup.sh installs it)");
    std::vector<CaptureFrame> ethernet, sll2;
    for (std::size_t i = 0; i < std::size(datagrams); ++i) {
        const auto l3 = datagram(datagrams[i].packet);
        const std::uint64_t ts = t0 + i * 1000000000ull;
        ethernet.push_back({ts, ethernet_frame(i % 2 ? mac_b : mac_a, i % 2 ? mac_a : mac_b, l3), static_cast<std::uint32_t>(i % 2),
                            i % 2 ? Direction::outbound : Direction::inbound, 0});
        sll2.push_back({ts, sll2_frame(static_cast<std::uint32_t>(2 + i % 2), i % 2 ? 4 : 0, l3), 0, Direction::unknown, 0});
    }
    // A frame cut short of its length on the wire: tcpdump reports the wire length.
    CaptureFrame cut = ethernet[0];
    cut.origlen = 1514;
    // clang-format off
    const struct { const char* name; std::vector<std::uint8_t> bytes; std::vector<std::string> options; const char* link; const char* fraction; } files[] = {
        {"ethernet.pcap", write_pcap(linktype::ethernet, ethernet), {"-e"}, "EN10MB", ".123456"},
        {"ethernet-ns.pcap", write_pcap(linktype::ethernet, ethernet, true), {"-e", "--nano"}, "EN10MB", ".123456789"},
        {"two-interfaces.pcapng", write_pcapng({{linktype::ethernet, "wan1"}, {linktype::ethernet, "lan0"}}, ethernet), {"-e"}, "EN10MB", ".123456"},
        {"any.pcap", write_pcap(linktype::linux_sll2, sll2), {"-e"}, "LINUX_SLL2", ".123456"},
        {"cut.pcap", write_pcap(linktype::ethernet, {cut}), {"-e"}, "EN10MB", ".123456"},
    };
    // clang-format on
    for (const auto& f : files) {
        SCOPED_TRACE(f.name);
        const std::string path = scratch_file(f.name);
        write_file(path, f.bytes);
        std::vector<std::string> argv{"tcpdump", "-r", path, "-nn", "-tt"};
        argv.insert(argv.end(), f.options.begin(), f.options.end());
        ProgramResult r = run_program({argv, {}, -1});
        unlink(path.c_str());
        ASSERT_EQ(r.exit_status, 0) << r.err;
        EXPECT_NE(r.err.find(std::string("link-type ") + f.link), std::string::npos) << r.err;
        const auto lines = lines_of(r.out);
        const bool single = std::string(f.name) == "cut.pcap";
        ASSERT_EQ(lines.size(), single ? 1u : std::size(datagrams)) << r.out;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string& line = lines[i];
            SCOPED_TRACE(line);
            const std::string stamp = std::to_string(1700000000 + i) + f.fraction + " ";
            EXPECT_EQ(line.compare(0, stamp.size(), stamp), 0);
            EXPECT_NE(line.find(datagrams[i].tcpdump), std::string::npos);
            const std::size_t wire = (single ? 1514 : 0);
            if (std::string(f.link) == "EN10MB") {
                EXPECT_NE(line.find(i % 2 ? "02:00:00:00:00:02 > 02:00:00:00:00:01" : "02:00:00:00:00:01 > 02:00:00:00:00:02"), std::string::npos);
                const std::size_t length = wire ? wire : 14 + datagram(datagrams[i].packet).size();
                EXPECT_NE(line.find("length " + std::to_string(length) + ":"), std::string::npos);
            } else {
                EXPECT_NE(line.find(i % 2 ? "Out ifindex 3" : "In  ifindex 2"), std::string::npos);
            }
        }
    }
}

// IPv6 as fwbench writes it, extension headers included, read by tcpdump's own dissectors: the
// headers it walks and, for TCP, UDP and ICMPv6, the upper-layer checksum it verifies over
// RFC 8200's pseudo-header (-vv says "correct" or "sum ok"; not inside a fragment).
TEST(TcpdumpReads, TheIpv6DatagramsFwbenchWrites) {
    if (!have_tcpdump()) FWBENCH_CANNOT_RUN("tcpdump is not installed (scripts/setup.sh installs it)");
    // clang-format off
    const struct { const char* packet; std::vector<std::uint8_t> ext; std::vector<const char*> tcpdump; } cases[] = {
        {"tcp [2001:db8::1]:40000 > [2001:db8::2]:443 flags=S len=100", {},
         {"IP6 (hlim 64, next-header TCP (6) payload length: 60) 2001:db8::1.40000 > 2001:db8::2.443: Flags [S]", "(correct)"}},
        {"udp [2001:db8::1]:5000 > [2001:db8::2]:53 len=80", {0, 60},
         {"next-header Options (0) payload length: 40) 2001:db8::1 > 2001:db8::2: HBH (padn) DSTOPT (padn) 5000 > 53: [udp sum ok]"}},
        {"icmpv6 2001:db8::3 > 2001:db8::4 type=128 len=64", {},
         {"IP6 (hlim 64, next-header ICMPv6 (58) payload length: 24) 2001:db8::3 > 2001:db8::4: [icmp6 sum ok] ICMP6, echo request"}},
        {"tcp [2001:db8::1]:1 > [2001:db8::2]:2 flags=A", {51},
         {"next-header AH (51) payload length: 36) 2001:db8::1 > 2001:db8::2: AH(length=2(16-bytes),spi=0x00000000,seq=0x0,icv=0x00000000): 1 > 2: "
          "Flags [.]", "(correct)"}},
        {"udp [2001:db8::1]:5001 > [2001:db8::2]:5002", {44},
         {"next-header Fragment (44) payload length: 20) 2001:db8::1 > 2001:db8::2: frag (0x00000000:0|12) 5001 > 5002: UDP, length 4"}},
    };
    // clang-format on
    std::vector<CaptureFrame> frames;
    for (std::size_t i = 0; i < std::size(cases); ++i) {
        Packet p = parse_packet_description(cases[i].packet).packet;
        for (std::uint8_t e : cases[i].ext) p.ext_headers[p.ext_header_count++] = e;
        frames.push_back({t0 + i * 1000000000ull, build_ipv6(p), 0, Direction::unknown, 0});
    }
    const std::string path = scratch_file("ipv6.pcap");
    write_file(path, write_pcap(linktype::raw, frames));
    ProgramResult r = run_program({{"tcpdump", "-r", path, "-nn", "-vv"}, {}, -1});
    unlink(path.c_str());
    ASSERT_EQ(r.exit_status, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), std::size(cases)) << r.out;
    for (std::size_t i = 0; i < lines.size(); ++i)
        for (const char* want : cases[i].tcpdump) EXPECT_NE(lines[i].find(want), std::string::npos) << cases[i].packet << "\n" << lines[i];
}

// tcpdump -i any in a namespace of the test's own while it sends three datagrams over lo:
// libpcap keeps only the incoming copy of a looped packet, as SLL2 (what `tcpdump -i any` writes
// since libpcap 1.10). fwbench must read each one, find it generated by the host, and see the
// datagram that was sent.
// --filter keeps what tcpdump keeps: the same expression over the same file, record by record
// (tcpdump -tt prints each kept record's timestamp; each record's is its own). Three link types,
// since a filter program depends on where the IP header starts.
TEST(TcpdumpFilters, CaptureFilterKeepsWhatTcpdumpKeeps) {
    if (!have_tcpdump()) FWBENCH_CANNOT_RUN("tcpdump is not installed (scripts/setup.sh installs it)");
    const char* packets[] = {"udp 192.0.2.9:40000 > 198.51.100.7:53 len=60",  "tcp 198.51.100.7:443 > 192.0.2.9:40000 flags=SA len=52",
                             "icmp 192.0.2.9 > 198.51.100.7 type=8/0 len=84", "tcp 192.0.2.10:22 > 198.51.100.8:5000 flags=A len=52",
                             "udp 198.51.100.8:123 > 192.0.2.10:123 len=76",  "tcp 192.0.2.9:40001 > 198.51.100.7:443 flags=S len=60"};
    const char* expressions[] = {"tcp port 443",
                                 "udp",
                                 "icmp or port 22",
                                 "host 192.0.2.9 and not icmp",
                                 "net 198.51.100.0/24 and dst port 123",
                                 "tcp[tcpflags] & tcp-syn != 0"};
    const std::pair<const char*, std::uint16_t> link_types[] = {
        {"ethernet", linktype::ethernet}, {"raw", linktype::raw}, {"sll2", linktype::linux_sll2}};
    for (const auto& [name, link] : link_types) {
        std::vector<CaptureFrame> frames;
        for (std::size_t i = 0; i < std::size(packets); ++i) {
            auto l3 = datagram(packets[i]);
            auto frame = link == linktype::ethernet ? ethernet_frame(mac_a, mac_b, l3) : link == linktype::raw ? l3 : sll2_frame(2, 0, l3);
            frames.push_back({t0 + i * 1000000000ull, frame, 0, Direction::unknown, 0});
        }
        const std::string file = scratch_file(std::string("filter-") + name + ".pcap");
        write_file(file, write_pcap(link, frames));
        for (const char* expression : expressions) {
            SCOPED_TRACE(std::string(name) + ": " + expression);
            ProgramResult r = run_program({{"tcpdump", "-nn", "-tt", "-r", file, expression}, {}, -1});
            ASSERT_EQ(r.exit_status, 0) << r.err;
            std::vector<std::uint64_t> by_tcpdump, by_fwbench;
            for (const auto& line : lines_of(r.out)) by_tcpdump.push_back((std::stoull(line) - t0 / 1000000000ull));
            CaptureFilter filter(expression);
            CaptureReader reader(file);
            CaptureRecord rec;
            while (reader.next(rec))
                if (filter.keeps(rec.link_type, rec.frame.data(), rec.caplen, rec.origlen)) by_fwbench.push_back(rec.index);
            EXPECT_EQ(by_fwbench, by_tcpdump);
            EXPECT_FALSE(by_tcpdump.empty());
        }
    }
    EXPECT_THROW(CaptureFilter("tcp port"), std::runtime_error);
    std::remove(scratch_file("filter-ethernet.pcap").c_str());
    std::remove(scratch_file("filter-raw.pcap").c_str());
    std::remove(scratch_file("filter-sll2.pcap").c_str());
}

TEST(FwbenchReads, WhatTcpdumpCapturedFromTheKernel) {
    if (!have_tcpdump()) FWBENCH_CANNOT_RUN("tcpdump is not installed (scripts/setup.sh installs it)");
    if (geteuid() != 0) FWBENCH_CANNOT_RUN("capturing in a network namespace needs root");
    const std::size_t sizes[] = {10, 20, 30};
    NetNamespace ns;
    run_program_checked({{"ip", "link", "set", "lo", "up"}, {}, ns.fd()});
    const std::string file = scratch_file("any.pcap"), out = scratch_file("tcpdump.out"), err = scratch_file("tcpdump.err");
    RunningProgram tcpdump(
        {{"tcpdump", "-i", "any", "--immediate-mode", "-c", std::to_string(std::size(sizes)), "-nn", "-w", file, "udp and port 40002"}, {}, ns.fd()},
        out, err);
    auto stderr_text = [&] {
        std::ifstream e(err);
        return std::string(std::istreambuf_iterator<char>(e), {});
    };
    for (int i = 0; i < 100 && stderr_text().find("listening on") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_NE(stderr_text().find("listening on"), std::string::npos) << stderr_text();
    {
        EnterNamespace inside(ns);
        auto udp_socket = [](std::uint16_t port) {
            int fd = socket(AF_INET, SOCK_DGRAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
            return std::make_pair(fd, a);
        };
        auto [receiver, to] = udp_socket(40002);
        auto [sender, from] = udp_socket(40001);
        (void)from;
        for (std::size_t n : sizes) {
            std::string payload(n, 'x');
            EXPECT_EQ(sendto(sender, payload.data(), n, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), static_cast<ssize_t>(n));
        }
        close(sender);
        close(receiver);
    }
    // -c: tcpdump ends by itself once it has written them all (--immediate-mode: without waiting
    // for a ring block to fill or time out).
    EXPECT_EQ(tcpdump.wait(20), 0) << stderr_text();

    CaptureReader reader(file);
    std::vector<CaptureRecord> records;
    for (CaptureRecord rec; reader.next(rec);) records.push_back(rec);
    const std::string said = stderr_text();
    unlink(file.c_str());
    unlink(out.c_str());
    unlink(err.c_str());
    ASSERT_EQ(records.size(), std::size(sizes)) << "tcpdump said: " << said;
    Host host = Host::from_json(R"([{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback",
        "addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]}])",
                                "lo.json");
    Ruleset rs = parse_ruleset("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", {});
    PacketPath path(rs, host);
    PathState st(rs, EngineOptions{}, host.sysctl());
    CaptureAnalysis analysis(path, st, {});
    for (std::size_t i = 0; i < records.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(records[i].link_type, linktype::linux_sll2);
        AnalyzedPacket a;
        analysis.feed(records[i], a);
        EXPECT_EQ(a.iface, "lo");
        EXPECT_EQ(a.origin, CaptureOrigin::local);
        EXPECT_EQ(format_ip(a.input.src), "127.0.0.1");
        EXPECT_EQ(format_ip(a.input.dst), "127.0.0.1");
        EXPECT_EQ(a.input.sport, 40001);
        EXPECT_EQ(a.input.dport, 40002);
        EXPECT_EQ(a.input.length, 28 + sizes[i]);
        EXPECT_EQ(a.result.fate, Fate::delivered);
    }
}

}  // namespace
}  // namespace fwbench
