// lint held to the kernel: each lint fixture's finding packet (tests/lint_cases.hpp) replayed into
// a kernel router with the fixture's ruleset. The kernel must count the packet under the rules the
// finding says count it and under none of those it says never do, and agree with fwbench's walk
// of it, counter for counter and (nf_tables) rule by rule.

#include <gtest/gtest.h>

#include <map>

#include "fwbench/kernel_oracle.hpp"
#include "fwbench/ruleset_lint.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "lint_cases.hpp"
#include "require_kernel.hpp"

namespace fwbench {
namespace {

// The kernel's packet counter of a rule (or policy) from its iptables-save -c.
std::uint64_t kernel_count(const Ruleset& rs, const std::string& saved, const RuleRef& ref) {
    const Ruleset kernel = parse_ruleset(saved, {});
    const Table& t = rs.tables[ref.table];
    const Chain& c = t.chains[ref.chain];
    const Table* kt = kernel.table(t.name);
    const Chain* kc = kt ? kt->chain(c.name) : nullptr;
    if (!kc) return 0;
    if (ref.rule < 0) return kc->input_counters.packets;
    return kc->rules.at(static_cast<std::size_t>(ref.rule)).input_counters.packets;
}

TEST(KernelLint, EveryFindingsPacketDoesInTheKernelWhatTheFindingSays) {
    test::require_kernel();
    if (HasFatalFailure() || IsSkipped()) return;
    const Host host = Host::from_json(test::router_host_json(), "router.json");
    std::size_t replayed = 0;
    for (const auto& c : test::lint_cases()) {
        if (!c.packet) continue;
        SCOPED_TRACE(c.name);
        const Ruleset rs = parse_ruleset(c.rules, {});
        const LintReport report = lint_ruleset(rs, &host, nullptr);
        for (const auto& f : report.findings) {
            if (f.kind != c.kind || f.message.find(c.message) == std::string::npos) continue;
            ASSERT_TRUE(f.demo.has_value());
            const Demonstration& d = *f.demo;
            PacketPath path(rs, host, nullptr);
            PathState st(rs, EngineOptions{}, host.sysctl());
            KernelOracleOptions kopt;
            kopt.ruleset_text = c.rules;
            DifferentialRun run(host, rs, kopt);
            run.send(d.packet, d.origin, path.process(d.packet, d.origin, st, true));
            const std::string saved = run.kernel().counters();
            const DifferentialResult result = run.finish(st.engine);
            EXPECT_TRUE(result.agree()) << d.text << "\n" << result.report();
            for (const auto& r : d.counts)
                EXPECT_GT(kernel_count(rs, saved, r), 0u) << d.text << ": the kernel does not count it under rule " << r.rule + 1;
            for (const auto& r : d.never_counts)
                EXPECT_EQ(kernel_count(rs, saved, r), 0u) << d.text << ": the kernel counts it under rule " << r.rule + 1;
            ++replayed;
        }
    }
    // Every fixture that has a packet was replayed.
    std::size_t with_packets = 0;
    for (const auto& c : test::lint_cases()) with_packets += c.packet;
    EXPECT_EQ(replayed, with_packets);
}

}  // namespace
}  // namespace fwbench
