// The port dataplane with a receive queue per worker: net_ring ports with two rings each, filled
// as a NIC's symmetric RSS fills its queues (rss.hpp). LAN clients open connections through
// MASQUERADE; the servers' replies come back on the WAN port, whose hash puts about half of them
// on the other worker's queue: those must be handed to the worker holding their connection, so
// every reply is ESTABLISHED and forwarded, exactly as with one worker. The test feeds in phases
// (the replies only once every SYN has left), so nothing it asserts depends on the workers' pace.
#include <gtest/gtest.h>

#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <chrono>
#include <functional>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "fwbench/capture.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_source.hpp"
#include "fwbench/port_dataplane.hpp"
#include "router_workload.hpp"
#include "fwbench/rss.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "must_run.hpp"
#include "ring_port.hpp"

namespace fwbench {
namespace {

using test::RingPort;
using test::run_while_feeding;
using test::wait_for;

const MacAddr lan_mac{{0x02, 0, 0x5e, 0, 0x02, 0x01}}, wan_mac{{0x02, 0, 0x5e, 0, 0x01, 0x01}}, peer_mac{{0x02, 0xaa, 0, 0, 0, 0x50}};
constexpr int connections = 40;

Host seed_host() {
    std::ifstream in(std::string(FWBENCH_SOURCE_DIR) + "/traces/seed/host.json");
    return Host::from_json(std::string(std::istreambuf_iterator<char>(in), {}), "traces/seed/host.json");
}

struct Fed {
    Packet packet;
    MacAddr to;
};

// Each packet into the ring of the queue a NIC's symmetric RSS would give it; the queue of each.
std::vector<unsigned> feed(RingPort& port, rte_mempool* pool, const std::vector<Fed>& packets) {
    std::vector<unsigned> queues;
    for (const Fed& f : packets) {
        const unsigned q = rss_queue(symmetric_rss_hash(f.packet), port.queues);
        const std::vector<std::uint8_t> bytes = ethernet_frame(peer_mac, f.to, build_ipv4(f.packet));
        rte_mbuf* m = rte_pktmbuf_alloc(pool);
        if (!m) throw std::runtime_error("mbuf pool empty");
        std::memcpy(rte_pktmbuf_append(m, static_cast<std::uint16_t>(bytes.size())), bytes.data(), bytes.size());
        if (rte_ring_sp_enqueue(port.rx[q], m) != 0) throw std::runtime_error("ring full");
        queues.push_back(q);
    }
    return queues;
}

struct Outcome {
    PortRunResult res;
    std::string counters;
    std::multiset<std::string> to_wan, to_lan;
    unsigned crossing = 0;  // replies whose queue is not their connection's
};

Outcome run(const PacketPath& path, unsigned workers, const std::string& tag, rte_mempool* pool) {
    RingPort lan("pq_lan" + tag, workers), wan("pq_wan" + tag, workers);
    std::vector<Fed> syns, replies;
    for (int i = 0; i < connections; ++i) {
        const std::string client = "192.0.2." + std::to_string(20 + i), port = std::to_string(41000 + i);
        syns.push_back({parse_packet_description("tcp " + client + ":" + port + " > 198.51.100.7:443 flags=S seq=1000 len=60").packet, lan_mac});
        replies.push_back(
            {parse_packet_description("tcp 198.51.100.7:443 > 203.0.113.1:" + port + " flags=SA seq=5000 ack=1001 len=60").packet, wan_mac});
    }
    PortRunOptions opt;
    opt.ports = {{lan.name, "lan0"}, {wan.name, "wan1"}};
    opt.workers = workers;
    Outcome out{PortRunResult(path.ruleset()), {}, {}, {}, 0};
    out.res = run_while_feeding(path, opt, [&] {
        const std::vector<unsigned> syn_q = feed(lan, pool, syns);
        if (!wait_for([&] { return wan.sent() == connections; })) throw std::runtime_error("the SYNs did not all leave by wan1");
        const std::vector<unsigned> reply_q = feed(wan, pool, replies);
        for (int i = 0; i < connections; ++i) out.crossing += syn_q[static_cast<std::size_t>(i)] != reply_q[static_cast<std::size_t>(i)];
        if (!wait_for([&] { return lan.sent() == connections; })) throw std::runtime_error("the replies did not all leave by lan0");
    });
    out.counters = format_ruleset(path.ruleset(), &out.res.counters);
    out.to_wan = wan.take_sent();
    out.to_lan = lan.take_sent();
    return out;
}

TEST(PortQueues, NatRepliesOnAnotherWorkersQueueReachTheirConnection) {
    ensure_eal();
    if (rte_lcore_count() < 3) FWBENCH_CANNOT_RUN("EAL has " << rte_lcore_count() - 1 << " worker lcore(s); the test needs 2 (one per CPU)");
    const Host host = seed_host();
    const Ruleset rs = parse_ruleset(
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
        "-A POSTROUTING -o wan1 -j MASQUERADE\nCOMMIT\n"
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A FORWARD -i lan0 -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n",
        {});
    const PacketPath path(rs, host);
    MbufPool pool("pq_pool", 1023);
    const Outcome one = run(path, 1, "1", pool.get()), two = run(path, 2, "2", pool.get());
    for (const Outcome* o : {&one, &two}) {
        SCOPED_TRACE(o == &one ? "one worker" : "two workers");
        EXPECT_EQ(o->res.fates[static_cast<int>(Fate::forwarded)], 2u * connections) << "every SYN and every reply";
        EXPECT_EQ(o->to_wan.size(), static_cast<std::size_t>(connections));
        EXPECT_EQ(o->to_lan.size(), static_cast<std::size_t>(connections));
    }
    EXPECT_EQ(two.counters, one.counters);
    EXPECT_TRUE(two.to_wan == one.to_wan) << "the same frames leave wan1";
    EXPECT_TRUE(two.to_lan == one.to_lan) << "the same replies, translated back, leave lan0";
    ASSERT_EQ(two.res.workers.size(), 2u);
    EXPECT_GT(two.res.workers[0].connections, 0u);
    EXPECT_GT(two.res.workers[1].connections, 0u);
    EXPECT_GT(two.crossing, 5u) << "the hash sends replies to the other queue";
    EXPECT_EQ(two.res.handed_off, two.crossing) << "exactly the replies whose queue is not their connection's";
    EXPECT_EQ(one.res.handed_off, 0u);
    EXPECT_EQ(two.res.handoff_full, 0u);
}

// The whole router workload (300 flows: TCP through MASQUERADE, DNAT port forwards, DNS,
// connections to the router, pings, blocklisted sources, scans) arriving on three ring ports as
// a NIC's symmetric RSS spreads it, in lockstep (each frame once the one before is done, as a
// link's pace gives): two workers send exactly the frames one worker sends, out of the same
// ports, and count the same. (Against the kernel itself, frame by frame:
// KernelOraclePorts.TwoWorkersSendWhatTheKernelSends.)
TEST(PortQueues, RouterWorkloadInLockstepLeavesAsWithOneWorker) {
    ensure_eal();
    if (rte_lcore_count() < 3) FWBENCH_CANNOT_RUN("EAL has " << rte_lcore_count() - 1 << " worker lcore(s); the test needs 2 (one per CPU)");
    const RouterWorkloadOptions wopt = test::lockstep_workload();
    const RouterWorkload workload = make_router_workload(wopt);
    const Host host = Host::from_json(workload.host_json, "router_workload host");
    const Ruleset rs = parse_ruleset(workload.rules, {});
    const PacketPath path(rs, host);
    const std::vector<test::Arrival> arrivals = test::router_workload_arrivals(wopt);
    ASSERT_GT(arrivals.size(), 2000u);
    MbufPool pool("pq_pool_rw", 4095);
    const std::vector<std::string> ifaces = {"wan1", "lan0", "dmz0"};
    struct Leaving {
        std::string counters;
        std::map<std::string, std::multiset<std::string>> frames;  // by interface
        PortRunResult res;
    };
    auto run = [&](unsigned workers) {
        test::LockstepRun r = test::run_in_lockstep(path, arrivals, ifaces, workers, pool.get(), "rw");
        Leaving out{format_ruleset(rs, &r.res.counters), {}, std::move(r.res)};
        for (const auto& left : r.left)
            for (const auto& f : left) out.frames[f.iface].insert(f.frame);
        return out;
    };
    const Leaving one = run(1), two = run(2);
    EXPECT_GT(one.res.fates[static_cast<int>(Fate::forwarded)], 1500u);
    EXPECT_EQ(two.counters, one.counters);
    for (const std::string& iface : ifaces) {
        SCOPED_TRACE(iface);
        EXPECT_GT(one.frames.count(iface) ? one.frames.at(iface).size() : 0, 100u);
        EXPECT_TRUE(two.frames == one.frames) << "the same frames leave";
    }
    for (int f = 0; f < static_cast<int>(fate_count); ++f) EXPECT_EQ(two.res.fates[f], one.res.fates[f]) << fate_name(static_cast<Fate>(f));
    EXPECT_GT(two.res.handed_off, 100u) << "replies hashed to the other worker";
    EXPECT_EQ(two.res.shared_tuples.refused_claims, 0u);
}

}  // namespace
}  // namespace fwbench
