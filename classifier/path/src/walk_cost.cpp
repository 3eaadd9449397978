#include "fwbench/walk_cost.hpp"

#include "fwbench/linear_engine.hpp"

namespace fwbench {

KernelCostModel KernelCostModel::for_backend(Backend b) {
    // docs/kernel-oracle.md: iptables-legacy 3.1 ns per -s rule and 18 ns per -p udp --dport rule,
    // iptables-nft 3.6 ns (3.4-3.8) and 14 ns; the match's share is the difference.
    if (b == Backend::legacy) return {3.1, 14.9, "iptables-legacy: 3.1 ns per rule tested, 14.9 ns per match called"};
    return {3.6, 10.4, "iptables-nft: 3.6 ns per rule tested, 10.4 ns per match called"};
}

WalkCost walk_cost(const Ruleset& rs, const PathResult& r, const HostView& host, const IpsetRegistry* ipsets) {
    WalkCost cost;
    EngineState scratch(rs, EngineOptions{});
    for (const HookWalk& w : r.walks) {
        if (!w.seen) continue;  // recorded without tracing: no visits either
        Packet seen = *w.seen;
        seen.in = w.in;
        seen.out = w.out;
        const Table& t = rs.tables[w.table];
        for (const RuleVisit& v : w.visits) {
            if (v.rule < 0) continue;  // the policy
            const Rule& rule = t.chains[static_cast<std::size_t>(v.chain)].rules[static_cast<std::size_t>(v.rule)];
            ++cost.rules;
            if (v.matched) {
                cost.matches += rule.matches.size();
                continue;
            }
            if (!ip_header_matches(rule.ip, seen)) continue;
            // Called in order up to the first that fails; one that keeps state is called and
            // taken as the one that failed (asking it again would change its state).
            MatchContext ctx{w.hook, host, ipsets, scratch};
            for (const Match& m : rule.matches) {
                ++cost.matches;
                if (has_effect(m.spec) || !evaluate_match(m, seen, ctx)) break;
            }
        }
    }
    return cost;
}

}  // namespace fwbench
