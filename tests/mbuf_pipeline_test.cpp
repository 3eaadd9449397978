// Packets enter as DPDK mbufs: a capture read through CaptureFileSource (mbufs, chained when a
// frame exceeds one mbuf) must give exactly what the direct record path gives.

#include <gtest/gtest.h>

#include <fstream>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_source.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "path_fixtures.hpp"

namespace fwbench {
namespace {

TEST(MbufPipeline, SameResultsAsTheRecordPathIncludingChainedFrames) {
    ensure_eal();
    Host host = Host::from_json(std::string("{\"addr\":") + test::router_addr + ",\"route\":" + test::router_routes +
                                    ",\"rule\":" + test::router_rules + ",\"sysctl\":{\"ip_forward\":1}}",
                                "router.json");
    Ruleset rs = parse_ruleset("*filter\n-A INPUT -m length --length 5000:65535 -j DROP\n-A INPUT -j ACCEPT\nCOMMIT\n", {});
    PacketPath path(rs, host);

    auto l3 = [](const char* d) { return build_ipv4(parse_packet_description(d).packet); };
    std::vector<CaptureFrame> frames = {
        {1, sll2_frame(2, 0, l3("udp 198.51.100.7:53 > 203.0.113.1:4000 len=100")), 0, Direction::unknown, 0},
        {2, sll2_frame(2, 0, l3("udp 198.51.100.7:53 > 203.0.113.1:4000 len=9000")), 0, Direction::unknown, 0},  // 4+ mbufs
        {3, sll2_frame(3, 0, l3("tcp 192.0.2.50:4000 > 198.51.100.7:443 flags=S")), 0, Direction::unknown, 0},
        {4, sll2_frame(2, 4, l3("tcp 192.0.2.50:4000 > 198.51.100.7:443 flags=S ttl=63")), 0, Direction::unknown, 0},
        {5, sll2_frame(3, 1, {0, 1, 8, 0}, 1, 0x0806), 0, Direction::unknown, 0},
    };
    auto bytes = write_pcap(linktype::linux_sll2, frames);
    std::string file = testing::TempDir() + "mbuf.pcap";
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));

    auto summarize = [&](const AnalyzedPacket& rp) {
        return std::to_string(rp.index) + " " + rp.iface + " " + capture_origin_name(rp.origin) + " " + rp.reason + " " + fate_name(rp.result.fate) +
               " " + drop_reason_name(rp.result.reason) + " " + std::to_string(rp.result.final_packet.length);
    };
    std::vector<std::string> direct, via_mbufs;
    {
        PathState st(rs, EngineOptions{}, host.sysctl());
        CaptureAnalysis replay(path, st, {});
        CaptureReader reader(file);
        CaptureRecord rec;
        while (reader.next(rec)) direct.push_back(summarize(replay.feed(rec)));
    }
    {
        PathState st(rs, EngineOptions{}, host.sysctl());
        CaptureAnalysis replay(path, st, {});
        MbufPool pool("mbuf_test", 255);
        CaptureFileSource source(file, pool.get());
        rte_mbuf* burst[2];  // small bursts: several calls
        std::vector<std::uint8_t> scratch;
        bool saw_chain = false;
        while (std::uint16_t n = source.rx_burst(burst, 2)) {
            for (std::uint16_t i = 0; i < n; ++i) {
                saw_chain |= burst[i]->nb_segs > 1;
                via_mbufs.push_back(summarize(replay.feed(frame_view(burst[i], scratch))));
            }
            rte_pktmbuf_free_bulk(burst, n);
        }
        EXPECT_TRUE(saw_chain) << "the 9000-byte frame should span several mbufs";
        EXPECT_EQ(rte_mempool_in_use_count(pool.get()), 0u) << "every mbuf went back to the pool";
    }
    ASSERT_EQ(direct.size(), 5u);
    EXPECT_EQ(via_mbufs, direct);
    EXPECT_EQ(direct[1], "1 wan1 wire  dropped netfilter 9000");
    EXPECT_EQ(direct[3], "3 wan1 forwarded_copy  dropped none 0");
    EXPECT_EQ(direct[4], "4 lan0 skipped not_ip_arp dropped none 0");
}

}  // namespace
}  // namespace fwbench
