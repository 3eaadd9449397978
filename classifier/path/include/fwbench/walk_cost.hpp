#pragma once
// What a ruleset's walks cost the kernel, estimated from what each walk tested: every rule whose
// ipt_ip part the kernel tested, and every match module it then called (ipt_do_table stops at a
// rule's first match that fails). The per-rule and per-match costs are the kernel's marginal
// costs measured by bench/kernel_cost's paired-baseline method (docs/kernel-oracle.md, "The
// kernel's matching cost"): a rule of addresses only, and a rule with a port match, per backend.
// A set lookup (-m set) counts as one match: its own cost is not calibrated.

#include <cstdint>

#include "fwbench/packet_path.hpp"

namespace fwbench {

struct KernelCostModel {
    double rule_ns = 0;  // an ipt_ip test (addresses, interfaces, protocol)
    double match_ns = 0;  // a match module called
    const char* basis = "";
    static KernelCostModel for_backend(Backend b);
};

struct WalkCost {
    std::uint64_t rules = 0, matches = 0;
    WalkCost& operator+=(const WalkCost& o) {
        rules += o.rules;
        matches += o.matches;
        return *this;
    }
    double ns(const KernelCostModel& m) const { return static_cast<double>(rules) * m.rule_ns + static_cast<double>(matches) * m.match_ns; }
};

// The walks of one traced path result (PacketPath::process with trace): rules tested and matches
// called, answers' walks included (the kernel walks those too).
WalkCost walk_cost(const Ruleset& rs, const PathResult& r, const HostView& host, const IpsetRegistry* ipsets);

}  // namespace fwbench
