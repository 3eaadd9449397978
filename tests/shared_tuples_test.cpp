// Workers with conntrack tables of their own, joined by SharedTuples (shared_tuples.hpp): NAT binds
// as one table would, confirmation refuses another worker's live tuple, and a worker's tuples
// leave the registry with its connections. Packets go one at a time here, so the order is the
// test's: two workers must give exactly what one table gives in that order.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fwbench/ip_addr_text.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/shared_tuples.hpp"
#include "packet_dsl.hpp"

namespace fwbench {
namespace {

Host snat_router() {
    return Host::from_json(R"({"addr":[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"link_type":"loopback",
        "addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},
      {"ifindex":2,"ifname":"lan0","flags":["BROADCAST","UP"],"addr_info":[{"family":"inet","local":"192.0.2.1","prefixlen":24}]},
      {"ifindex":3,"ifname":"wan1","flags":["BROADCAST","UP"],"addr_info":[{"family":"inet","local":"203.0.113.1","prefixlen":24}]}],
     "route":[{"dst":"default","gateway":"203.0.113.254","dev":"wan1"},{"dst":"192.0.2.0/24","dev":"lan0","prefsrc":"192.0.2.1"},
              {"dst":"203.0.113.0/24","dev":"wan1","prefsrc":"203.0.113.1"}],
     "sysctl":{"ip_forward":1}})",
                           "snat.json");
}

Ruleset snat_ruleset() {
    return parse_ruleset(
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
        "-A POSTROUTING -o wan1 -j SNAT --to-source 203.0.113.1\nCOMMIT\n",
        {});
}

// Every client of the LAN asks one resolver from the same source port: after the first, each
// needs another port of the one address (nf_nat_l4proto_unique_tuple's search).
std::string client_query(int client) { return "udp 192.0.2." + std::to_string(10 + client) + ":1000 > 198.51.100.7:53 in=lan0"; }

TEST(SharedTuples, TwoWorkersBindPortsAsOneTableDoes) {
    const Host host = snat_router();
    const Ruleset rs = snat_ruleset();
    const PacketPath path(rs, host);
    PathState one(rs, EngineOptions{}, host.sysctl());
    SharedTuples shared;
    PathState w0(rs, EngineOptions{}, host.sysctl()), w1(rs, EngineOptions{}, host.sysctl());
    w0.conntrack.share(&shared, 0);
    w1.conntrack.share(&shared, 1);
    std::set<int> ports;
    for (int client = 0; client < 40; ++client) {
        SCOPED_TRACE(client_query(client));
        const Packet p = test::packet(client_query(client));
        const PathResult alone = path.process(p, Origin::wire, one);
        const PathResult split = path.process(p, Origin::wire, client % 3 ? w1 : w0);
        ASSERT_EQ(alone.fate, Fate::forwarded);
        ASSERT_EQ(split.fate, Fate::forwarded);
        EXPECT_EQ(format_ip(split.final_packet.src), "203.0.113.1");
        EXPECT_EQ(split.final_packet.sport, alone.final_packet.sport) << "the same search over the same tuples";
        ports.insert(split.final_packet.sport);
        if (client == 0) {
            EXPECT_EQ(split.final_packet.sport, 1000) << "the first keeps its port";
        }
    }
    EXPECT_EQ(ports.size(), 40u) << "forty connections, forty reply tuples";
    const SharedTuples::Stats s = shared.stats();
    EXPECT_EQ(s.claims, 40u);
    EXPECT_EQ(s.refused_claims, 0u);
    EXPECT_GT(s.taken_elsewhere, 0u) << "worker 1's searches met worker 0's ports";
    EXPECT_EQ(shared.size(), 80u) << "two tuples a connection";
}

// A tuple another worker's live connection holds is refused at confirmation (the kernel's
// insert_failed); once that connection is past its time the tuple is free; a worker's state going
// away takes its tuples out of the registry.
TEST(SharedTuples, ConfirmationRefusesAnotherWorkersLiveTupleUntilItExpires) {
    const Host host = snat_router();
    // A conntrack match: the kernel tracks connections once something asks for their state.
    const Ruleset rs = parse_ruleset(
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n", {});
    const PacketPath path(rs, host);
    SharedTuples shared;
    auto w0 = std::make_unique<PathState>(rs, EngineOptions{}, host.sysctl());
    PathState w1(rs, EngineOptions{}, host.sysctl());
    w0->conntrack.share(&shared, 0);
    w1.conntrack.share(&shared, 1);
    const auto at = [](const std::string& text, std::uint64_t second) {
        Packet p = test::packet(text);
        p.timestamp_ns = second * 1'000'000'000ull;
        return p;
    };
    const std::string query = "udp 192.0.2.10:1000 > 198.51.100.7:53 in=lan0";
    EXPECT_EQ(path.process(at(query, 1), Origin::wire, *w0).fate, Fate::forwarded);
    const PathResult clash = path.process(at(query, 2), Origin::wire, w1);
    EXPECT_EQ(clash.fate, Fate::dropped);
    EXPECT_EQ(clash.reason, DropReason::conntrack_clash);
    EXPECT_EQ(shared.stats().taken_elsewhere, 1u);
    // Unreplied UDP lives 30 s: then worker 1 takes the tuples over.
    EXPECT_EQ(path.process(at(query, 40), Origin::wire, w1).fate, Fate::forwarded);
    EXPECT_EQ(shared.size(), 2u);
    EXPECT_EQ(path.process(at("udp 192.0.2.11:1000 > 198.51.100.7:53 in=lan0", 41), Origin::wire, *w0).fate, Fate::forwarded);
    EXPECT_EQ(shared.size(), 4u);
    w0.reset();
    EXPECT_EQ(shared.size(), 2u) << "worker 0's tuples left with it; those worker 1 took over stay";
}

// Two workers on two threads at once, each with its own clients all asking one resolver from one
// source port: whatever the interleaving, no two forwarded connections share a reply tuple, and
// a packet not forwarded lost its port at confirmation (the kernel's insert_failed race). Under
// ThreadSanitizer (scripts/test.sh) this is where the registry's lock and the connections'
// expiry reads meet.
TEST(SharedTuples, WorkersOnTwoThreadsNeverBindOneTupleTwice) {
    const Host host = snat_router();
    const Ruleset rs = snat_ruleset();
    const PacketPath path(rs, host);
    SharedTuples shared;
    constexpr int per_worker = 120;
    struct Worker {
        std::unique_ptr<PathState> state;
        std::vector<PathResult> results;
    };
    Worker workers[2];
    for (unsigned w = 0; w < 2; ++w) {
        workers[w].state = std::make_unique<PathState>(rs, EngineOptions{}, host.sysctl());
        workers[w].state->conntrack.share(&shared, w);
    }
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < 2; ++w)
        threads.emplace_back([&, w] {
            for (int i = 0; i < per_worker; ++i) {
                const int client = static_cast<int>(w) * per_worker + i;
                const std::string text =
                    "udp 192.0.2." + std::to_string(client % 200 + 10) + ":" + std::to_string(1000 + client / 200) + " > 198.51.100.7:53 in=lan0";
                workers[w].results.push_back(path.process(test::packet(text), Origin::wire, *workers[w].state));
            }
        });
    for (auto& t : threads) t.join();
    std::set<int> ports;
    int forwarded = 0;
    for (const Worker& w : workers)
        for (const PathResult& r : w.results) {
            if (r.fate == Fate::forwarded) {
                ++forwarded;
                EXPECT_TRUE(ports.insert(r.final_packet.sport).second) << "reply port " << r.final_packet.sport << " bound twice";
            } else {
                EXPECT_EQ(r.reason, DropReason::conntrack_clash) << "lost its port at confirmation, or nothing";
            }
        }
    EXPECT_GT(forwarded, per_worker) << "most connections find a port";
    EXPECT_EQ(shared.stats().claims, static_cast<std::uint64_t>(forwarded));
}

}  // namespace
}  // namespace fwbench
