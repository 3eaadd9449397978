// The replay dataplane: one worker gives exactly the analysis pass's counters; several workers
// give the same counters as one (flows, NATed ones included, stay on one worker); passes add up;
// flows are joined across NAT and ICMP errors; bad requests are clear errors.

#include <gtest/gtest.h>

#include <rte_lcore.h>

#include <fstream>

#include "fwbench/classifier_factory.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/replay_dataplane.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "router_workload.hpp"
#include "must_run.hpp"

namespace fwbench {
namespace {

std::string write_temp(const std::string& name, const std::vector<std::uint8_t>& bytes) {
    std::string file = testing::TempDir() + name;
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file;
}

struct Router {
    RouterWorkload workload;
    Host host;
    Ruleset rs;
    std::string capture;
    explicit Router(std::uint64_t flows, std::uint64_t seed = 3)
        : workload(make_router_workload({flows, seed, 300, 20})),
          host(Host::from_json(workload.host_json, "router_workload host")),
          rs(parse_ruleset(workload.rules, {})),
          capture(write_temp("router" + std::to_string(seed) + ".pcapng", workload.capture)) {}
};

unsigned worker_lcores() {
    ensure_eal();
    return rte_lcore_count() - 1;
}

// What --pcap reports: the capture through CaptureAnalysis once, counters as iptables-save -c.
std::string analysis_counters(const PacketPath& path, const Router& r) {
    PathState st(r.rs, EngineOptions{}, r.host.sysctl());
    CaptureAnalysis replay(path, st, {});
    CaptureReader reader(r.capture);
    CaptureRecord rec;
    while (reader.next(rec)) replay.feed(rec);
    return format_ruleset(r.rs, &st.engine);
}

TEST(ReplayDataplane, OneWorkerGivesTheAnalysisCountersAndTwoWorkersTheSame) {
    if (worker_lcores() < 2) FWBENCH_CANNOT_RUN("this machine gives EAL " << worker_lcores() << " worker lcore(s); the test needs 2 (one per CPU)");
    Router r(800);
    // Every engine behind the path, rte_acl included (on the chains it takes; the reference on the rest).
    for (const char* engine : classifier_names) {
        SCOPED_TRACE(engine);
        PacketPath path(r.rs, r.host, nullptr, make_classifier(engine, r.rs, r.host));
        LoadedCapture cap = load_capture(path, r.capture, {}, EngineOptions{});
        ASSERT_GT(cap.flow_count, 700u);
        ASSERT_EQ(cap.records, r.workload.packets);
        const std::string want = analysis_counters(path, r);
        ReplayOptions one;
        ReplayResult a = run_replay(path, cap, one);
        EXPECT_EQ(format_ruleset(r.rs, &a.counters), want) << "one worker, one pass = the analysis pass";
        ReplayOptions two;
        two.workers = 2;
        ReplayResult b = run_replay(path, cap, two);
        ASSERT_EQ(b.workers.size(), 2u);
        EXPECT_GT(b.workers[0].packets, cap.packets.size() / 5) << "flows are spread over both workers";
        EXPECT_GT(b.workers[1].packets, cap.packets.size() / 5);
        EXPECT_EQ(b.packets, cap.packets.size());
        EXPECT_EQ(format_ruleset(r.rs, &b.counters), want) << "two workers = one";
        // The equality holds here (no two connections compete for a port, no peer's answers
        // reach its rate limit), but fwbench cannot know that in general, and says so.
        EXPECT_FALSE(a.per_worker_state);
        EXPECT_FALSE(a.nat_across_workers);
        EXPECT_TRUE(b.per_worker_state) << "the workload's REJECTs answer through per-peer ICMP buckets";
        EXPECT_TRUE(b.nat_across_workers) << "MASQUERADE and DNAT";
        EXPECT_GT(b.shared_tuples.claims, cap.flow_count / 2) << "the workers' connections registered";
        EXPECT_EQ(b.shared_tuples.refused_claims, 0u);
        std::uint64_t fates_one = 0, fates_two = 0;
        for (const auto& w : a.workers) fates_one += w.fates[static_cast<int>(Fate::forwarded)];
        for (const auto& w : b.workers) fates_two += w.fates[static_cast<int>(Fate::forwarded)];
        EXPECT_EQ(fates_one, fates_two);
        EXPECT_GT(fates_one, 0u);
    }
}

// Both tuples of a masqueraded connection and an ICMP error quoting it are one flow; another
// connection is another flow.
TEST(ReplayDataplane, FlowsJoinAcrossNatAndIcmpErrors) {
    Router r(1);
    PacketPath path(r.rs, r.host);
    auto l3 = [](const char* d) { return build_ipv4(parse_packet_description(d).packet); };
    std::vector<CaptureFrame> frames = {
        {1000, l3("tcp 192.0.2.50:40000 > 198.51.100.140:443 flags=S"), 1, Direction::inbound, 0},
        {2000, l3("tcp 198.51.100.140:443 > 203.0.113.1:40000 flags=SA ttl=52"), 0, Direction::inbound, 0},
        {3000, l3("tcp 192.0.2.51:40001 > 198.51.100.140:443 flags=S"), 1, Direction::inbound, 0},
        {4000, l3("icmp 198.51.100.99 > 203.0.113.1 type=3/3 quoted=tcp:203.0.113.1:40000>198.51.100.140:443"), 0, Direction::inbound, 0},
    };
    std::string file = write_temp("flows.pcapng", write_pcapng({{linktype::raw, "wan1"}, {linktype::raw, "lan0"}}, frames));
    LoadedCapture cap = load_capture(path, file, {}, EngineOptions{});
    ASSERT_EQ(cap.packets.size(), 4u);
    EXPECT_EQ(cap.flows[0], cap.flows[1]) << "the reply comes to the masqueraded tuple";
    EXPECT_NE(cap.flows[0], cap.flows[2]);
    EXPECT_EQ(cap.flows[0], cap.flows[3]) << "the ICMP error quotes the connection";
    EXPECT_EQ(cap.flow_count, 2u);
}

// A ruleset with -m string: the loaded capture keeps each packet's bytes (the record's buffer is
// reused while loading), and each pass searches them as the analysis did.
TEST(ReplayDataplane, StringRulesSearchTheLoadedBytes) {
    if (worker_lcores() < 1) FWBENCH_CANNOT_RUN("EAL has no worker lcore");
    Router r(1);
    const Ruleset rs = parse_ruleset(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A FORWARD -m string --string \"needle\" --algo kmp\nCOMMIT\n",
        {});
    PacketPath path(rs, r.host);
    std::vector<CaptureFrame> frames;
    for (const char* d : {"udp 192.0.2.50:4000 > 198.51.100.9:53 payload=hay-needle-hay", "udp 192.0.2.50:4001 > 198.51.100.9:53 payload=hay",
                          "udp 192.0.2.50:4002 > 198.51.100.9:53 payload=needle"}) {
        const PacketDescription pd = parse_packet_description(d);
        frames.push_back({1000u * (frames.size() + 1), build_ipv4(pd.packet, pd.payload), 1, Direction::inbound, 0});
    }
    const std::string file = write_temp("string.pcapng", write_pcapng({{linktype::raw, "wan1"}, {linktype::raw, "lan0"}}, frames));
    const LoadedCapture cap = load_capture(path, file, {}, EngineOptions{});
    ASSERT_EQ(cap.packets.size(), 3u);
    ASSERT_TRUE(cap.bytes);
    EXPECT_EQ(cap.packets[1].bytes.size(), 31u);  // 20 + 8 + "hay"
    ReplayOptions twice;
    twice.repeat = 2;
    const ReplayResult res = run_replay(path, cap, twice);
    EXPECT_EQ(res.counters.rule(0, 1, 0).packets, 4u);  // two of the three, each pass
}

TEST(ReplayDataplane, PassesAddUpAndTheNullPathCountsNothing) {
    if (worker_lcores() < 1) FWBENCH_CANNOT_RUN("EAL has no worker lcore");
    Router r(200);
    // No conntrack, no stateful match: every pass counts the same.
    Ruleset stateless = parse_ruleset(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A FORWARD -i lan0 -p tcp -j ACCEPT\n-A FORWARD -p udp\n-A INPUT -p icmp\nCOMMIT\n",
        {});
    PacketPath path(stateless, r.host);
    LoadedCapture cap = load_capture(path, r.capture, {}, EngineOptions{});
    ReplayOptions once, thrice;
    thrice.repeat = 3;
    ReplayResult a = run_replay(path, cap, once), b = run_replay(path, cap, thrice);
    EXPECT_EQ(b.packets, 3 * a.packets);
    EXPECT_EQ(b.workers[0].passes, 3u);
    const Table& filter = stateless.tables[0];
    for (std::size_t c = 0; c < filter.chains.size(); ++c) {
        for (std::size_t i = 0; i < filter.chains[c].rules.size(); ++i) {
            EXPECT_GT(a.counters.rule(0, c, i).packets, 0u) << filter.chains[c].name << " rule " << i + 1;
            EXPECT_EQ(b.counters.rule(0, c, i).packets, 3 * a.counters.rule(0, c, i).packets);
            EXPECT_EQ(b.counters.rule(0, c, i).bytes, 3 * a.counters.rule(0, c, i).bytes);
        }
    }
    ReplayOptions null_path;
    null_path.null_path = true;
    ReplayResult n = run_replay(path, cap, null_path);
    EXPECT_EQ(n.packets, a.packets);
    EXPECT_EQ(n.bytes, a.bytes);
    EXPECT_EQ(n.counters.rule(0, 1, 0).packets, 0u);
    // --duration: passes until the time is up, then stops.
    ReplayOptions timed;
    timed.duration_s = 0.2;
    ReplayResult t = run_replay(path, cap, timed);
    EXPECT_GT(t.workers[0].passes, 1u);
    EXPECT_GE(t.seconds, 0.2);
}

TEST(ReplayDataplane, ClearErrors) {
    Router r(20);
    PacketPath path(r.rs, r.host);
    LoadedCapture cap = load_capture(path, r.capture, {}, EngineOptions{});
    ReplayOptions many;
    many.workers = 64;
    try {
        run_replay(path, cap, many);
        FAIL() << "64 workers on this machine";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("64 workers need as many EAL worker lcores"), std::string::npos) << e.what();
    }
    LoadedCapture empty;
    EXPECT_THROW(run_replay(path, empty, {}), std::runtime_error);
}

}  // namespace
}  // namespace fwbench
