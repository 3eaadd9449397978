// compare's counterexamples held to the kernel: each difference the proof finds that has a packet
// the path can be given (path_example) is replayed into a kernel router under layout A and under
// layout B. The kernel must agree with fwbench under both (counters, nf_tables traces); where
// fwbench's two paths differ, the kernel has then confirmed the difference.

#include <gtest/gtest.h>

#include <cstdio>

#include "fwbench/kernel_oracle.hpp"
#include "fwbench/layout_equivalence.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "lint_cases.hpp"
#include "random_cases.hpp"
#include "require_kernel.hpp"

namespace fwbench {
namespace {

struct Replayed {
    std::size_t replays = 0, confirmed = 0;
};

// fwbench's path result of the packet under `rs`, checked against the kernel's replay of it.
PathResult replay(const Host& host, const Ruleset& rs, const std::string& text, const PathExample& e) {
    PacketPath path(rs, host, nullptr);
    PathState st(rs, EngineOptions{}, host.sysctl());
    KernelOracleOptions kopt;
    kopt.ruleset_text = text;
    DifferentialRun run(host, rs, kopt);
    PathResult r = path.process(e.packet, e.origin, st, true);
    run.send(e.packet, e.origin, r);
    const DifferentialResult result = run.finish(st.engine);
    EXPECT_TRUE(result.agree()) << e.text << "\n" << result.report();
    return r;
}

void replay_differences(const Host& host, const std::string& a_text, const std::string& b_text, Replayed& out) {
    const Ruleset a = parse_ruleset(a_text, {}), b = parse_ruleset(b_text, {});
    const EquivalenceReport report = prove_equivalence({&a, nullptr}, {&b, nullptr}, &host, 1);
    for (const auto& d : report.differences) {
        if (!d.replay) continue;
        SCOPED_TRACE(std::string(hook_chain_name(d.hook)) + ": " + d.replay->text);
        const PathResult ra = replay(host, a, a_text, *d.replay), rb = replay(host, b, b_text, *d.replay);
        ++out.replays;
        out.confirmed += ra.fate != rb.fate || !(ra.final_packet.dst == rb.final_packet.dst) || !(ra.final_packet.src == rb.final_packet.src) ||
                         ra.final_packet.mark != rb.final_packet.mark || !(ra.out_iface == rb.out_iface);
    }
}

TEST(KernelCompare, EachDifferencesPacketDoesInTheKernelWhatFwbenchSays) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const Host host = Host::from_json(test::forwarding_router_host_json(), "router.json");
    Replayed seen;
    // The hand-written pairs: the seed's loopback rule, a forward without its device, marks.
    const std::string nat = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n";
    replay_differences(host, test::lint_filter("-A INPUT -s 127.0.0.0/8 -i lo -j ACCEPT\n", "DROP"),
                       test::lint_filter("-A INPUT -i lo -j ACCEPT\n", "DROP"), seen);
    replay_differences(host, nat + "-A PREROUTING -i wan1 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.0.2.10:22\nCOMMIT\n",
                       nat + "-A PREROUTING -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.0.2.10:22\nCOMMIT\n", seen);
    replay_differences(host,
                       "*mangle\n:PREROUTING ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n-A FORWARD -p tcp -j MARK --set-xmark 0x7/0xffffffff\nCOMMIT\n",
                       "*mangle\n:PREROUTING ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j MARK --set-xmark 0x7/0xffffffff\nCOMMIT\n", seen);
    EXPECT_GE(seen.confirmed, 3u) << seen.replays << " replayed";
    // Random rulesets against themselves with one rule's ACCEPT and DROP exchanged.
    for (int seed = 1; seed <= 40; ++seed) {
        SCOPED_TRACE("random case " + std::to_string(seed));
        test::RandomCase rc = test::make_modelled_random_case(static_cast<std::uint64_t>(seed));
        const Host rhost = Host::from_json(rc.host_json, "router.json");
        std::string edited = rc.rules;
        const auto filter = edited.find("*filter");
        const auto at = filter == std::string::npos ? std::string::npos : edited.find(" -j ACCEPT", filter);
        if (at == std::string::npos || at > edited.find("COMMIT", filter)) continue;
        edited.replace(at, 10, " -j DROP");
        replay_differences(rhost, rc.rules, edited, seen);
    }
    EXPECT_GE(seen.replays, 12u);
    EXPECT_GE(seen.confirmed, 6u);
    std::printf("replayed %zu differences into the kernel, %zu of them changing the packet's path\n", seen.replays, seen.confirmed);
}

}  // namespace
}  // namespace fwbench

#include "fwbench/ruleset_optimize.hpp"
#include "fwbench/walk_cost.hpp"
#include "router_workload.hpp"
#include "rule_traffic.hpp"

namespace fwbench {
namespace {

// optimize on the router workload: its 300-address blocklist becomes one set rule and hot rules
// move up; the result (rules and new ipsets as written) replayed into the kernel with the
// traffic it was optimized for agrees with fwbench counter for counter and rule by rule, and
// tests fewer rules per packet.
TEST(KernelOptimize, TheOptimizedRouterWorkloadRunsInTheKernelAsFwbenchSays) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    RouterWorkloadOptions wopt;
    wopt.blocklist = 40;
    const Host host = Host::from_json(router_host_json(), "router.json");
    const Ruleset rs = parse_ruleset(router_ruleset(wopt), {});
    const auto traffic = traffic_for_ruleset(rs, host, 7, 100, true);
    // The traffic's hits, and what its walks test, under a ruleset.
    auto run = [&](const Ruleset& r, const IpsetRegistry* sets, RuleHits* hits) {
        PacketPath path(r, host, sets);
        PathState st(r, EngineOptions{}, host.sysctl());
        WalkCost cost;
        for (const auto& [p, origin] : traffic) cost += walk_cost(r, path.process(p, origin, st, true), host, sets);
        if (hits) *hits = rule_hits(r, st.engine);
        return cost;
    };
    RuleHits hits;
    const WalkCost before = run(rs, nullptr, &hits);
    const OptimizeResult result = optimize_ruleset(rs, hits, &host, nullptr);
    ASSERT_TRUE(result.rules.has_value()) << result.refused;
    EXPECT_EQ(result.sets, 1u);
    const WalkCost after = run(*result.rules, &*result.ipsets, nullptr);
    EXPECT_LT(after.rules, before.rules);

    PacketPath path(*result.rules, host, &*result.ipsets);
    PathState st(*result.rules, EngineOptions{}, host.sysctl());
    KernelOracleOptions kopt;
    kopt.ruleset_text = result.text;
    kopt.ipsets = result.ipsets_text;
    DifferentialRun kernel(host, *result.rules, kopt);
    for (const auto& [p, origin] : traffic) kernel.send(p, origin, path.process(p, origin, st, true));
    const DifferentialResult d = kernel.finish(st.engine, &*result.ipsets);
    EXPECT_TRUE(d.agree()) << d.report();
    std::printf("optimized router workload: %zu rules tested before, %zu after, %zu packets replayed\n", static_cast<std::size_t>(before.rules),
                static_cast<std::size_t>(after.rules), traffic.size());
}

}  // namespace
}  // namespace fwbench

#include "fwbench/ruleset_lint.hpp"
#include "shared_ruleset_cases.hpp"

namespace fwbench {
namespace {

// The three subcommands on every real ruleset of ../shared/data (as the kernel replays prepared
// them: a host, made-up sets, their aimed traffic): lint runs and each of its findings' packets
// does in the kernel what the finding says (up to three per ruleset); optimize gives a result the
// proof accepts wherever the proof covers the whole header space, and the result tests no more
// rules on the traffic than the original.
TEST(KernelRealRulesets, LintAndOptimizeHoldOnEveryRealRuleset) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    std::filesystem::path dir;
    test::SharedRulesetNotes notes;
    const auto cases = test::shared_ruleset_cases(dir, notes);
    ASSERT_GE(cases.size(), 13u) << "the real rulesets under " << dir;
    std::size_t demos = 0, optimized = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.rel);
        const Host host = Host::from_json(c.host_json, c.rel);
        const IpsetRegistry* sets = c.ipsets ? &*c.ipsets : nullptr;
        const LintReport report = lint_ruleset(c.rs, &host, sets);
        std::size_t replayed = 0;
        for (const auto& f : report.findings) {
            if (!f.demo || replayed == 3) continue;
            ++replayed;
            const Demonstration& d = *f.demo;
            PacketPath path(c.rs, host, sets);
            PathState st(c.rs, EngineOptions{}, host.sysctl());
            DifferentialRun run(host, c.rs, c.kopt);
            run.send(d.packet, d.origin, path.process(d.packet, d.origin, st, true));
            const std::string saved = run.kernel().counters();
            const DifferentialResult result = run.finish(st.engine, sets);
            EXPECT_TRUE(result.agree()) << f.message << "\n" << d.text << "\n" << result.report();
            const Ruleset kernel = parse_ruleset(saved, RulesetParseOptions{.source = "kernel", .family = c.rs.family, .ipsets = sets});
            auto count = [&](const RuleRef& r) -> std::uint64_t {
                const Table* kt = kernel.table(c.rs.tables[r.table].name);
                const Chain* kc = kt ? kt->chain(c.rs.tables[r.table].chains[r.chain].name) : nullptr;
                if (!kc) return 0;
                return r.rule < 0 ? kc->input_counters.packets : kc->rules.at(static_cast<std::size_t>(r.rule)).input_counters.packets;
            };
            for (const auto& r : d.counts) EXPECT_GT(count(r), 0u) << f.message << ": " << d.text;
            for (const auto& r : d.never_counts) EXPECT_EQ(count(r), 0u) << f.message << ": " << d.text;
        }
        demos += replayed;

        PacketPath path(c.rs, host, sets);
        PathState st(c.rs, EngineOptions{}, host.sysctl());
        WalkCost before;
        for (const auto& [p, origin] : c.traffic) before += walk_cost(c.rs, path.process(p, origin, st, true), host, sets);
        const OptimizeResult o = optimize_ruleset(c.rs, rule_hits(c.rs, st.engine), &host, sets);
        if (!o.proof.complete()) continue;
        ASSERT_TRUE(o.rules.has_value()) << o.refused;
        ++optimized;
        PacketPath opath(*o.rules, host, &*o.ipsets);
        PathState ost(*o.rules, EngineOptions{}, host.sysctl());
        WalkCost after;
        for (const auto& [p, origin] : c.traffic) after += walk_cost(*o.rules, opath.process(p, origin, ost, true), host, &*o.ipsets);
        EXPECT_LE(after.rules, before.rules);
    }
    std::printf("real rulesets: %zu, lint packets replayed into the kernel: %zu, optimized and proved: %zu\n", cases.size(), demos, optimized);
    EXPECT_GE(demos, 5u);
    EXPECT_GE(optimized, 10u);
}

}  // namespace
}  // namespace fwbench
