// After warm-up, the packet path, CaptureAnalysis and the replay dataplane make no heap
// allocation per packet (tracing off): counted by replaced operator new (allocation_count.cpp)
// over the router workload, every engine. A pass over the capture warms up (connections, rule
// state, the result's storage); the next passes, time moved on as the replay dataplane moves it,
// must allocate nothing.

#include <gtest/gtest.h>

#include <rte_lcore.h>

#include <fstream>

#include "allocation_count.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/classifier_factory.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/replay_dataplane.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "must_run.hpp"
#include "router_workload.hpp"

namespace fwbench {
namespace {

struct Router {
    RouterWorkload workload;
    Host host;
    Ruleset rs;
    std::string capture;
    explicit Router(std::uint64_t flows)
        : workload(make_router_workload({flows, 5, 300, 20})),
          host(Host::from_json(workload.host_json, "router_workload host")),
          rs(parse_ruleset(workload.rules, {})),
          capture(testing::TempDir() + "alloc-router.pcapng") {
        std::ofstream(capture, std::ios::binary)
            .write(reinterpret_cast<const char*>(workload.capture.data()), static_cast<std::streamsize>(workload.capture.size()));
    }
};

const Router& router() {
    static const Router r(600);
    return r;
}

// Every engine the path can hold (acl needs the EAL).
std::vector<std::shared_ptr<const Classifier>> engines(const Router& r) {
    ensure_eal();
    std::vector<std::shared_ptr<const Classifier>> out;
    for (const char* name : classifier_names) out.push_back(make_classifier(name, r.rs, r.host));
    return out;
}

TEST(Allocations, PacketPathMakesNonePerPacketAfterWarmUp) {
    const Router& r = router();
    for (const auto& engine : engines(r)) {
        SCOPED_TRACE(engine->name());
        PacketPath path(r.rs, r.host, nullptr, engine);
        const LoadedCapture cap = load_capture(path, r.capture, {}, EngineOptions{});
        ASSERT_GT(cap.packets.size(), 3000u);
        PathState st(r.rs, EngineOptions{}, r.host.sysctl());
        PathResult res;
        std::uint64_t fates[fate_count] = {};
        auto pass = [&](std::uint64_t n) {
            const std::uint64_t shift = n * (cap.span_ns + 1000000000ull);
            for (std::size_t i = 0; i < cap.packets.size(); ++i) {
                Packet p = cap.packets[i];
                p.timestamp_ns += shift;
                path.process(p, cap.origins[i], st, res);
                ++fates[static_cast<std::size_t>(res.fate)];
            }
        };
        pass(0);
        test::CountAllocations count;
        for (std::uint64_t n = 1; n <= 3; ++n) pass(n);
        EXPECT_EQ(count.so_far(), 0u) << "over " << 3 * cap.packets.size() << " packets";
        // The workload takes every kind of path: the count covers them all.
        for (Fate f : {Fate::delivered, Fate::forwarded, Fate::sent, Fate::dropped, Fate::rejected})
            EXPECT_GT(fates[static_cast<std::size_t>(f)], 0u) << fate_name(f);
    }
}

TEST(Allocations, CaptureAnalysisMakesNonePerRecordAfterWarmUp) {
    const Router& r = router();
    PacketPath path(r.rs, r.host);
    PathState st(r.rs, EngineOptions{}, r.host.sysctl());
    CaptureAnalysis analysis(path, st, {});
    std::vector<CaptureRecord> records;
    {
        CaptureReader reader(r.capture);
        CaptureRecord rec;
        while (reader.next(rec)) records.push_back(rec);
    }
    ASSERT_GT(records.size(), 3000u);
    const std::uint64_t span = records.back().timestamp_ns - records.front().timestamp_ns + 1000000000ull;
    AnalyzedPacket out;
    std::uint64_t forwarded = 0;
    auto pass = [&](std::uint64_t n) {
        for (CaptureRecord& rec : records) {
            if (n) rec.timestamp_ns += span;
            analysis.feed(rec, out);
            forwarded += out.result.fate == Fate::forwarded;
        }
    };
    pass(0);
    test::CountAllocations count;
    pass(1);
    pass(2);
    EXPECT_EQ(count.so_far(), 0u) << "over " << 2 * records.size() << " records";
    // Every forwarded packet was predicted an outbound copy (this capture shows none): the
    // prediction ring filled and expired in the counted passes.
    EXPECT_GT(forwarded, 0u);
    EXPECT_EQ(analysis.unseen_predicted_copies(), forwarded);
}

// run_replay allocates to set up (worker states, indexes) and while the first pass creates
// connections; more passes must not add a single allocation.
TEST(Allocations, ReplayDataplaneMakesNonePerPacket) {
    const Router& r = router();
    ensure_eal();
    if (rte_lcore_count() < 2) FWBENCH_CANNOT_RUN("EAL has no worker lcore");
    for (const auto& engine : engines(r)) {
        SCOPED_TRACE(engine->name());
        PacketPath path(r.rs, r.host, nullptr, engine);
        const LoadedCapture cap = load_capture(path, r.capture, {}, EngineOptions{});
        auto allocations_for = [&](std::uint64_t passes) {
            ReplayOptions opt;
            opt.repeat = passes;
            test::CountAllocations count;
            ReplayResult res = run_replay(path, cap, opt);
            EXPECT_EQ(res.packets, passes * cap.packets.size());
            return count.so_far();
        };
        const std::uint64_t two = allocations_for(2), six = allocations_for(6);
        EXPECT_EQ(six, two) << "4 more passes (" << 4 * cap.packets.size() << " packets) made " << (six - two) << " more allocations";
    }
}

}  // namespace
}  // namespace fwbench
