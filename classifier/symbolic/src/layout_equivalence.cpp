#include "fwbench/layout_equivalence.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace fwbench {

EquivalenceReport prove_equivalence(const LayoutInput& a, const LayoutInput& b, const Host* host, std::size_t examples) {
    if (a.rules->family != b.rules->family) throw std::invalid_argument("prove_equivalence: the layouts are of different families");
    const auto start = std::chrono::steady_clock::now();
    EquivalenceReport report;
    report.family = a.rules->family;
    BasicHostView basic;
    const HostView& view = host ? static_cast<const HostView&>(*host) : basic;

    std::vector<IpAddr> local;
    if (host)
        for (const auto& itf : host->interfaces())
            for (const auto& addr : itf.addrs) local.push_back(addr.addr);

    BddSession session(1);
    {
        HeaderSpace space = HeaderSpace::for_rulesets(session, report.family, host, {a.rules, b.rules});
        for (std::size_t w = 0; w < space.interfaces().size(); ++w) report.interfaces.push_back(space.interface_meaning(w));
        HookDecision da(space, *a.rules, host, a.ipsets, report.limits);
        HookDecision db(space, *b.rules, host, b.ipsets, report.limits);
        for (Hook hook : {Hook::prerouting, Hook::input, Hook::forward, Hook::output, Hook::postrouting}) {
            HookProof proof;
            proof.hook = hook;
            const std::vector<DecidedRegion> ra = da.decide(hook), rb = db.decide(hook);
            proof.regions_a = ra.size();
            proof.regions_b = rb.size();
            const bdd domain = da.hook_domain(hook);
            const double total = bdd_satcount(domain);
            bdd unmodelled = bdd_false();
            for (const auto* side : {&ra, &rb})
                for (const auto& d : *side)
                    if (d.outcome.verdict == HookOutcome::Verdict::unmodelled) {
                        unmodelled |= d.region;
                        proof.unmodelled_reasons.push_back(d.outcome.detail);
                    }
            proof.unmodelled_share = total > 0 ? bdd_satcount(unmodelled) / total : 0;
            bdd differing = bdd_false();
            std::size_t shown = 0;
            for (const auto& x : ra) {
                if (x.outcome.verdict == HookOutcome::Verdict::unmodelled) continue;
                for (const auto& y : rb) {
                    if (y.outcome.verdict == HookOutcome::Verdict::unmodelled) continue;
                    bdd overlap = x.region & y.region & !unmodelled;
                    if (overlap == bdd_false()) continue;
                    bdd diff = x.outcome.same_effects(y.outcome) ? x.outcome.bits_differ(y.outcome, overlap) : overlap;
                    if (diff == bdd_false()) continue;
                    ++proof.differences;
                    differing |= diff;
                    if (shown >= examples) continue;
                    ++shown;
                    RegionDifference d;
                    d.hook = hook;
                    d.a = x.outcome.describe();
                    d.b = y.outcome.describe();
                    d.share = total > 0 ? bdd_satcount(diff) / total : 0;
                    const Assignment pick = space.pick_typical(diff, local, hook != Hook::forward && hook != Hook::postrouting);
                    if (x.outcome.same_effects(y.outcome)) {
                        // Alike but for the bits they leave: say which, at the example.
                        const ConcreteOutcome ea = evaluate(x.outcome, space, pick), eb = evaluate(y.outcome, space, pick);
                        auto hex = [](const char* name, std::uint32_t v) {
                            char buf[40];
                            std::snprintf(buf, sizeof buf, ", %s 0x%x", name, v);
                            return std::string(buf);
                        };
                        if (ea.mark != eb.mark) d.a += hex("mark", ea.mark), d.b += hex("mark", eb.mark);
                        if (ea.ctmark != eb.ctmark) d.a += hex("ctmark", ea.ctmark), d.b += hex("ctmark", eb.ctmark);
                        if (ea.tos != eb.tos) d.a += hex("tos", ea.tos), d.b += hex("tos", eb.tos);
                    }
                    d.region = space.describe_cube(space.widen(pick, diff, domain));
                    d.example = space.packet_of(pick);
                    d.concrete_a = concrete_outcome(*a.rules, view, a.ipsets, hook, d.example);
                    d.concrete_b = concrete_outcome(*b.rules, view, b.ipsets, hook, d.example);
                    d.confirmed = !(d.concrete_a == d.concrete_b);
                    d.replay = path_example(space, hook, diff, local, host);
                    report.differences.push_back(std::move(d));
                }
            }
            proof.differing_share = total > 0 ? bdd_satcount(differing) / total : 0;
            report.hooks.push_back(std::move(proof));
        }
        report.bdd_nodes = session.nodes();
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace fwbench
