// Capture reading, one hand-made file per case: every link type, both pcap resolutions and
// byte orders, pcapng interfaces/directions/resolutions, and each malformation with its name.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "fwbench/capture.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/parse_error.hpp"
#include "must_run.hpp"
#include "checksum.hpp"

namespace fwbench {
namespace {

// Named for this process: two test runs at once (a release and an ASan build) must not share them.
std::string write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::string path = testing::TempDir() + std::to_string(getpid()) + "_" + name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return path;
}

std::vector<std::uint8_t> datagram(const char* description) { return build_ipv4(parse_packet_description(description).packet); }

std::vector<CaptureRecord> read_all(const std::string& path, bool* truncated = nullptr) {
    CaptureReader r(path);
    std::vector<CaptureRecord> out;
    CaptureRecord rec;
    while (r.next(rec)) out.push_back(rec);
    if (truncated) *truncated = r.truncated();
    return out;
}

const MacAddr mac_a{{0x02, 0, 0, 0, 0, 0x0a}}, mac_b{{0x02, 0, 0, 0, 0, 0x0b}};

TEST(Capture, BuiltDatagramsParseBackWithValidChecksums) {
    auto d = datagram("tcp 192.0.2.1:1234 > 198.51.100.2:22 flags=SA len=80 ttl=17 tos=16");
    ASSERT_EQ(d.size(), 80u);
    EXPECT_EQ(test::internet_checksum(d.data(), 20), 0);
    // TCP checksum over the pseudo-header verifies to zero as well.
    std::uint32_t pseudo = (192u << 8 | 0) + (2u << 8 | 1) + (198u << 8 | 51) + (100u << 8 | 2) + 6 + 60;
    EXPECT_EQ(test::internet_checksum(d.data() + 20, 60, pseudo), 0);
    ParsedDatagram p = parse_ipv4(d.data(), d.size());
    ASSERT_EQ(p.error, Malformation::none);
    EXPECT_EQ(format_ip(p.packet.src), "192.0.2.1");
    EXPECT_EQ(p.packet.dport, 22);
    EXPECT_EQ(p.packet.tcp_flags, tcp_flag::syn | tcp_flag::ack);
    EXPECT_EQ(p.packet.length, 80u);
    EXPECT_EQ(p.packet.ttl, 17);
    EXPECT_EQ(p.packet.tos, 16);

    auto e = datagram("icmp 198.51.100.7 > 203.0.113.1 type=3/3 quoted=udp:203.0.113.1:4000>198.51.100.7:53");
    ParsedDatagram q = parse_ipv4(e.data(), e.size());
    ASSERT_EQ(q.error, Malformation::none);
    EXPECT_TRUE(q.packet.icmp_quoted.present);
    EXPECT_EQ(q.packet.icmp_quoted.proto, proto::udp);
    EXPECT_EQ(q.packet.icmp_quoted.sport, 4000);
    EXPECT_EQ(q.packet.icmp_quoted.dport, 53);
}

// The fields window tracking reads travel through the bytes: sequence numbers, the unscaled
// window and the options, padded to a 4-byte multiple, as the wire carries them.
TEST(Capture, TcpSequenceWindowAndOptionsSurviveTheBytes) {
    auto d = datagram("tcp 192.0.2.1:1234 > 198.51.100.2:22 flags=SA seq=4000000000 ack=17 win=512 mss=1460 sackok wscale=7 len=100");
    ASSERT_EQ(d.size(), 100u);
    // 20 IP + 20 TCP + 4 MSS + 2 SACK-permitted + 3 window scale, padded to 12: the data offset is 8 words.
    EXPECT_EQ(d[20 + 12] >> 4, 8);
    const std::uint8_t want_options[] = {2, 4, 0x05, 0xb4, 4, 2, 3, 3, 7, 0, 0, 0};
    EXPECT_EQ(std::vector<std::uint8_t>(d.begin() + 40, d.begin() + 52), std::vector<std::uint8_t>(std::begin(want_options), std::end(want_options)));
    std::uint32_t pseudo = (192u << 8 | 0) + (2u << 8 | 1) + (198u << 8 | 51) + (100u << 8 | 2) + 6 + 80;
    EXPECT_EQ(test::internet_checksum(d.data() + 20, 80, pseudo), 0);
    ParsedDatagram p = parse_ipv4(d.data(), d.size());
    ASSERT_EQ(p.error, Malformation::none);
    EXPECT_EQ(p.packet.tcp_seq, 4000000000u);
    EXPECT_EQ(p.packet.tcp_ack, 17u);
    EXPECT_EQ(p.packet.tcp_window, 512);
    EXPECT_EQ(p.packet.tcp_header_len, 32);
    EXPECT_EQ(p.packet.tcp_payload_len(), 48u);
    EXPECT_TRUE(p.packet.has_tcp_option(2));
    EXPECT_TRUE(p.packet.has_tcp_option(4));
    EXPECT_TRUE(p.packet.has_tcp_option(3));
    EXPECT_FALSE(p.packet.has_tcp_option(8));
    // The description of the parsed packet gives the same bytes back.
    EXPECT_EQ(build_ipv4(parse_packet_description(format_packet_description(p.packet, false) + "").packet), d);
    // A SACK option holds its blocks' edges; options that do not fit refuse with the count.
    auto sack = parse_packet_description("tcp 192.0.2.1:1 > 198.51.100.2:2 flags=A sack=10-20,30-40").packet;
    ASSERT_EQ(sack.tcp_option_len, 20);
    EXPECT_EQ(sack.tcp_option_bytes[0], 5);
    EXPECT_EQ(sack.tcp_option_bytes[1], 18);
    EXPECT_EQ(sack.tcp_option_bytes[17], 40);
    EXPECT_THROW(parse_packet_description("tcp 192.0.2.1:1 > 198.51.100.2:2 sack=1-2,3-4,5-6,7-8,9-10"), ParseError);
    EXPECT_THROW(parse_packet_description("udp 192.0.2.1:1 > 198.51.100.2:2 wscale=7"), ParseError);
}

TEST(Capture, PcapMicroAndNanoEthernetWithVlan) {
    auto l3 = datagram("udp 192.0.2.1:1000 > 198.51.100.2:53");
    for (bool nanos : {false, true}) {
        std::vector<CaptureFrame> frames = {{1700000000123456789ull, ethernet_frame(mac_a, mac_b, l3), 0, Direction::unknown, 0},
                                            {1700000001000000000ull, ethernet_frame(mac_a, mac_b, l3, 42), 0, Direction::unknown, 0}};
        auto recs = read_all(write_temp(nanos ? "ns.pcap" : "us.pcap", write_pcap(linktype::ethernet, frames, nanos)));
        ASSERT_EQ(recs.size(), 2u);
        EXPECT_EQ(recs[0].timestamp_ns, nanos ? 1700000000123456789ull : 1700000000123456000ull);
        EXPECT_EQ(recs[0].ethertype, 0x0800);
        EXPECT_EQ(recs[0].l3, l3);
        EXPECT_EQ(*recs[0].src_mac, mac_a);
        EXPECT_EQ(recs[1].l3, l3) << "the VLAN tag is skipped";
        EXPECT_TRUE(recs[1].problem.empty());
    }
}

TEST(Capture, PcapBigEndian) {
    auto l3 = datagram("udp 192.0.2.1:1000 > 198.51.100.2:53");
    auto le = write_pcap(linktype::raw, {{5000000000ull, l3, 0, Direction::unknown, 0}});
    // Swap every header field to big-endian.
    auto swap = [](std::uint8_t* p, int n) { std::reverse(p, p + n); };
    std::vector<std::uint8_t> be = le;
    swap(&be[0], 4);
    swap(&be[4], 2);
    swap(&be[6], 2);
    for (int off : {8, 12, 16, 20}) swap(&be[static_cast<std::size_t>(off)], 4);
    for (int off : {24, 28, 32, 36}) swap(&be[static_cast<std::size_t>(off)], 4);
    auto recs = read_all(write_temp("be.pcap", be));
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].timestamp_ns, 5000000000ull);
    EXPECT_EQ(recs[0].l3, l3);
}

TEST(Capture, RawIpLinkTypes) {
    auto l3 = datagram("tcp 192.0.2.1:1 > 198.51.100.2:2 flags=S");
    for (std::uint16_t lt : {linktype::raw, linktype::ipv4}) {
        auto recs = read_all(write_temp("raw.pcap", write_pcap(lt, {{0, l3, 0, Direction::unknown, 0}})));
        ASSERT_EQ(recs.size(), 1u);
        EXPECT_EQ(recs[0].ethertype, 0x0800);
        EXPECT_EQ(recs[0].l3, l3);
    }
}

TEST(Capture, LinuxSllAndSll2CarryDirectionAndInterface) {
    auto l3 = datagram("tcp 192.0.2.1:1 > 198.51.100.2:2 flags=S");
    auto sll = read_all(write_temp("sll.pcap", write_pcap(linktype::linux_sll, {{0, sll_frame(4, l3), 0, Direction::unknown, 0},
                                                                                {0, sll_frame(1, l3), 0, Direction::unknown, 0}})));
    ASSERT_EQ(sll.size(), 2u);
    EXPECT_EQ(sll[0].direction, Direction::outbound);
    EXPECT_EQ(*sll[1].pkttype, PktType::broadcast);
    EXPECT_EQ(sll[1].direction, Direction::inbound);
    EXPECT_EQ(sll[0].l3, l3);
    auto sll2 = read_all(write_temp("sll2.pcap", write_pcap(linktype::linux_sll2, {{0, sll2_frame(7, 0, l3), 0, Direction::unknown, 0}})));
    ASSERT_EQ(sll2.size(), 1u);
    EXPECT_EQ(sll2[0].ifindex, 7);
    EXPECT_EQ(sll2[0].direction, Direction::inbound);
    EXPECT_EQ(sll2[0].l3, l3);
}

TEST(Capture, PcapngInterfacesNamesDirections) {
    auto l3 = datagram("udp 192.0.2.1:1000 > 198.51.100.2:53");
    std::vector<CaptureInterface> itfs = {{linktype::ethernet, "wan1"}, {linktype::raw, "lan0"}};
    std::vector<CaptureFrame> frames = {{1000, ethernet_frame(mac_a, mac_b, l3), 0, Direction::inbound, 0},
                                        {2000, l3, 1, Direction::outbound, 0},
                                        {3000, l3, 1, Direction::unknown, 0}};
    auto recs = read_all(write_temp("x.pcapng", write_pcapng(itfs, frames)));
    ASSERT_EQ(recs.size(), 3u);
    EXPECT_EQ(recs[0].iface, "wan1");
    EXPECT_EQ(recs[0].direction, Direction::inbound);
    EXPECT_EQ(recs[1].iface, "lan0");
    EXPECT_EQ(recs[1].direction, Direction::outbound);
    EXPECT_EQ(recs[2].direction, Direction::unknown);
    EXPECT_EQ(recs[1].timestamp_ns, 2000u) << "if_tsresol 9: nanoseconds";
    EXPECT_EQ(recs[1].l3, l3);
}

TEST(Capture, PcapngTwoSectionsResetInterfaces) {
    auto l3 = datagram("udp 192.0.2.1:1000 > 198.51.100.2:53");
    auto a = write_pcapng({{linktype::raw, "one"}}, {{1, l3, 0, Direction::inbound, 0}});
    auto b = write_pcapng({{linktype::raw, "two"}}, {{2, l3, 0, Direction::inbound, 0}});
    a.insert(a.end(), b.begin(), b.end());
    auto recs = read_all(write_temp("two.pcapng", a));
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].iface, "one");
    EXPECT_EQ(recs[1].iface, "two");
    EXPECT_EQ(recs[1].index, 1u);
}

TEST(Capture, FileLevelErrorsNameThePacket) {
    auto l3 = datagram("udp 192.0.2.1:1000 > 198.51.100.2:53");
    EXPECT_THROW(CaptureReader(write_temp("empty.pcap", {})), CaptureError);
    EXPECT_THROW(CaptureReader(write_temp("junk.pcap", {'h', 'e', 'l', 'l', 'o', 0, 0, 0})), CaptureError);
    auto unknown_link = write_pcap(147, {{0, l3, 0, Direction::unknown, 0}});
    try {
        CaptureReader r(write_temp("dlt147.pcap", unknown_link));
        FAIL();
    } catch (const CaptureError& e) {
        EXPECT_NE(std::string(e.what()).find("unsupported link type 147"), std::string::npos) << e.what();
    }
    // A pcapng block whose trailing length disagrees.
    auto ng = write_pcapng({{linktype::raw, "x"}}, {{0, l3, 0, Direction::inbound, 0}, {0, l3, 0, Direction::inbound, 0}});
    ng[ng.size() - 4] ^= 0x04;
    try {
        read_all(write_temp("badlen.pcapng", ng));
        FAIL();
    } catch (const CaptureError& e) {
        EXPECT_NE(std::string(e.what()).find("packet 1"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("lengths at start and end differ"), std::string::npos) << e.what();
    }
    // A packet block naming an interface that was never described.
    auto noidb = write_pcapng({}, {{0, l3, 0, Direction::inbound, 0}});
    EXPECT_THROW(read_all(write_temp("noidb.pcapng", noidb)), CaptureError);
}

TEST(Capture, TruncatedFileEndsReadingAndSaysSo) {
    auto l3 = datagram("udp 192.0.2.1:1000 > 198.51.100.2:53");
    auto whole = write_pcap(linktype::raw, {{0, l3, 0, Direction::unknown, 0}, {0, l3, 0, Direction::unknown, 0}});
    whole.resize(whole.size() - 5);
    bool truncated = false;
    auto recs = read_all(write_temp("cut.pcap", whole), &truncated);
    EXPECT_EQ(recs.size(), 1u);
    EXPECT_TRUE(truncated);
}

TEST(Capture, PacketLevelProblemsAreNamed) {
    auto good = datagram("udp 192.0.2.1:1000 > 198.51.100.2:53 len=100");
    struct Case {
        std::vector<std::uint8_t> l3;
        std::uint32_t origlen_extra;
        Malformation want;
    };
    std::vector<Case> cases;
    auto bad_version = good;
    bad_version[0] = 0x55;
    cases.push_back({bad_version, 0, Malformation::bad_version});
    auto bad_ihl = good;
    bad_ihl[0] = 0x44;
    cases.push_back({bad_ihl, 0, Malformation::bad_ihl});
    auto short_total = good;
    short_total[2] = 0;
    short_total[3] = 10;
    cases.push_back({short_total, 0, Malformation::bad_total_length});
    auto bad_sum = good;
    bad_sum[10] ^= 0xff;
    cases.push_back({bad_sum, 0, Malformation::bad_ip_checksum});
    auto cut = std::vector<std::uint8_t>(good.begin(), good.begin() + 40);
    cases.push_back({cut, 60, Malformation::snaplen_cut});
    auto lying = std::vector<std::uint8_t>(good.begin(), good.begin() + 40);
    cases.push_back({lying, 0, Malformation::bad_total_length});
    cases.push_back({std::vector<std::uint8_t>(good.begin(), good.begin() + 12), 0, Malformation::truncated_ip_header});
    for (const auto& c : cases) {
        // Ethernet type 0x0800 says IPv4 whatever the bytes say, as on the wire.
        auto frame = ethernet_frame(mac_a, mac_b, c.l3);
        auto file = write_temp(
            "bad.pcap",
            write_pcap(linktype::ethernet, {{0, frame, 0, Direction::unknown, static_cast<std::uint32_t>(frame.size() + c.origlen_extra)}}));
        auto recs = read_all(file);
        ASSERT_EQ(recs.size(), 1u);
        ParsedDatagram d = parse_ipv4(recs[0].l3.data(), recs[0].l3.size(), recs[0].l3_wire_length);
        EXPECT_EQ(malformation_name(d.error), std::string(malformation_name(c.want)));
    }
    // Link-level problems: a frame shorter than its header, and a non-IP frame.
    auto recs = read_all(
        write_temp("short.pcap", write_pcap(linktype::ethernet, {{0, {1, 2, 3}, 0, Direction::unknown, 0},
                                                                 {0, ethernet_frame(mac_a, mac_b, {0, 1}, 0, 0x0806), 0, Direction::unknown, 0}})));
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0].problem, "truncated_ethernet_header");
    EXPECT_EQ(recs[1].problem, "not_ip_arp");
}

TEST(Capture, TransportTruncationLeavesNoPorts) {
    auto d = datagram("tcp 192.0.2.1:1234 > 198.51.100.2:22 flags=S");
    // Claim a 24-byte datagram: the TCP header is cut, so ports are unknown (no match on them).
    d.resize(24);
    d[2] = 0;
    d[3] = 24;
    d[10] = d[11] = 0;
    std::uint16_t sum = test::internet_checksum(d.data(), 20);
    d[10] = static_cast<std::uint8_t>(sum >> 8);
    d[11] = static_cast<std::uint8_t>(sum);
    ParsedDatagram p = parse_ipv4(d.data(), d.size());
    ASSERT_EQ(p.error, Malformation::none);
    EXPECT_FALSE(p.packet.l4_present);
}

// The committed capture (env `committed`) holds what the build's make_seed_capture wrote (env
// `committed` + "_BUILT"), byte for byte.
void expect_committed_as_built(const std::string& committed, const std::string& how) {
    const char* stored = std::getenv(committed.c_str());
    const char* built = std::getenv((committed + "_BUILT").c_str());
    if (!stored || !built) FWBENCH_CANNOT_RUN("run through meson test (" << committed << "* not set)");
    std::ifstream a(stored, std::ios::binary), b(built, std::ios::binary);
    std::string sa((std::istreambuf_iterator<char>(a)), {}), sb((std::istreambuf_iterator<char>(b)), {});
    ASSERT_FALSE(sa.empty());
    EXPECT_EQ(sa, sb) << stored << " differs from what " << how << " writes: regenerate it";
}

TEST(Capture, SeedCaptureIsReproducible) { expect_committed_as_built("FWBENCH_SEED_CAPTURE", "make_seed_capture"); }

TEST(Capture, SeedDualStackCaptureIsReproducible) { expect_committed_as_built("FWBENCH_SEED_DUAL_CAPTURE", "make_seed_capture --dual-stack"); }

}  // namespace
}  // namespace fwbench

namespace fwbench {
namespace {

// What a reader gives, record by record, up to its end or its error: for comparing two readers.
std::string reading_of(CaptureReader& reader) {
    std::string out;
    try {
        CaptureRecord rec;
        while (reader.next(rec))
            out +=
                std::to_string(rec.index) + " " + std::to_string(rec.timestamp_ns) + " " + rec.iface + " " + std::to_string(rec.origlen) + " " +
                std::to_string(std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(rec.frame.data()), rec.frame.size()))) +
                " " + rec.problem + "\n";
        out += reader.truncated() ? "truncated\n" : "end\n";
    } catch (const std::exception& e) {
        out += std::string("error: ") + e.what() + "\n";
    }
    return out;
}

// The file is read through a window that slides a chunk (1 MiB) at a time; reading the same
// bytes from memory in one piece gives the same records, where records straddle chunks, where
// one record is larger than a chunk, and where the file is cut inside a record.
TEST(Capture, StreamingReadsAsTheWholeFileDoes) {
    std::mt19937_64 rng(7);
    std::vector<CaptureFrame> frames;
    for (std::uint64_t i = 0; i < 400; ++i) {
        std::vector<std::uint8_t> data(20 + rng() % 20000, static_cast<std::uint8_t>(i));
        if (i == 200) data.resize(3 << 20);  // three chunks in one record
        frames.push_back({1000 * i, std::move(data), static_cast<std::uint32_t>(i % 2), i % 3 ? Direction::inbound : Direction::outbound, 0});
    }
    const std::vector<std::pair<const char*, std::vector<std::uint8_t>>> files = {
        {"pcap", write_pcap(linktype::raw, frames, true, 1 << 26)},
        {"pcapng", write_pcapng({{linktype::raw, "one"}, {linktype::ethernet, "two"}}, frames)},
    };
    for (const auto& [kind, bytes] : files) {
        ASSERT_GT(bytes.size(), 6u << 20) << kind;
        for (std::size_t cut : {bytes.size(), bytes.size() / 2 + 3, std::size_t{(1u << 20) + 1}}) {
            SCOPED_TRACE(std::string(kind) + " cut at " + std::to_string(cut));
            std::vector<std::uint8_t> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
            CaptureReader from_file(write_temp("streamed.cap", part));
            CaptureReader from_memory(part, "streamed.cap");
            const std::string streamed = reading_of(from_file), whole = reading_of(from_memory);
            EXPECT_EQ(streamed, whole);
            EXPECT_EQ(streamed.substr(streamed.rfind('\n', streamed.size() - 2) + 1), cut == bytes.size() ? "end\n" : "truncated\n");
        }
    }
}

TEST(CaptureMutation, DamagedFilesNeverCrash) {
    // Seeded damage to pcap and pcapng files of every link type: reading must end with records,
    // a CaptureError, or a truncation — never a crash or a read past the buffer (ASan checks).
    auto l3 = datagram("tcp 192.0.2.1:1234 > 198.51.100.2:22 flags=S len=70");
    auto icmp = datagram("icmp 198.51.100.7 > 203.0.113.1 type=3/3 quoted=udp:203.0.113.1:4000>198.51.100.7:53");
    std::vector<std::vector<std::uint8_t>> seeds = {
        write_pcap(linktype::ethernet, {{1, ethernet_frame(mac_a, mac_b, l3, 7), 0, Direction::unknown, 0},
                                        {2, ethernet_frame(mac_a, mac_b, icmp), 0, Direction::unknown, 0}}),
        write_pcap(linktype::linux_sll2, {{1, sll2_frame(2, 0, l3), 0, Direction::unknown, 0}, {2, sll2_frame(3, 4, icmp), 0, Direction::unknown, 0}},
                   true),
        write_pcap(linktype::linux_sll, {{1, sll_frame(0, l3), 0, Direction::unknown, 0}}),
        write_pcapng({{linktype::raw, "wan1"}, {linktype::ethernet, "lan0"}},
                     {{1, l3, 0, Direction::inbound, 0}, {2, ethernet_frame(mac_a, mac_b, icmp), 1, Direction::outbound, 0}}),
    };
    std::mt19937_64 rng(424242);
    int records = 0, errors = 0;
    for (int i = 0; i < 3000; ++i) {
        auto bytes = seeds[static_cast<std::size_t>(i) % seeds.size()];
        int edits = 1 + static_cast<int>(rng() % 6);
        for (int e = 0; e < edits && !bytes.empty(); ++e) {
            std::size_t pos = rng() % bytes.size();
            switch (rng() % 3) {
                case 0: bytes[pos] = static_cast<std::uint8_t>(rng()); break;
                case 1: bytes.resize(pos); break;
                case 2: bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<std::uint8_t>(rng())); break;
            }
        }
        try {
            // The streaming reader and the in-memory one read damage alike.
            CaptureReader streamed(write_temp("mutant.cap", bytes)), whole(bytes, write_temp("mutant.cap", bytes));
            EXPECT_EQ(reading_of(streamed), reading_of(whole)) << "damaged file " << i;
        } catch (const CaptureError&) {
        }
        try {
            CaptureReader reader(write_temp("mutant.cap", bytes));
            CaptureRecord rec;
            while (reader.next(rec)) {
                ++records;
                parse_ipv4(rec.l3.data(), rec.l3.size(), rec.l3_wire_length);
            }
        } catch (const CaptureError&) {
            ++errors;
        } catch (const std::runtime_error&) {
            ++errors;
        }
    }
    EXPECT_GT(records, 500);
    EXPECT_GT(errors, 100);
}

TEST(CaptureMutation, DamagedDatagrams) {
    std::mt19937_64 rng(99);
    auto seed = datagram("tcp 192.0.2.1:1234 > 198.51.100.2:22 flags=S len=80");
    for (int i = 0; i < 20000; ++i) {
        auto d = seed;
        for (int e = 0; e < 3; ++e) d[rng() % d.size()] = static_cast<std::uint8_t>(rng());
        d.resize(rng() % (d.size() + 1));
        ParsedDatagram p = parse_ipv4(d.data(), d.size(), rng() % 200);
        if (p.error == Malformation::none) {
            EXPECT_LE(p.packet.length, d.size());
        }
    }
}

}  // namespace
}  // namespace fwbench
