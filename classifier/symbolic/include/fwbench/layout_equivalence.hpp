#pragma once
// prove_equivalence: do two layouts of a ruleset decide alike for every packet, at every hook?
//
// What: for each hook, both layouts' HookDecisions are computed over one HeaderSpace; every pair
// of regions (A's outcome, B's outcome) that overlap and whose outcomes differ — verdict, reject
// type, queue, translation, NOTRACK/CT, rewrites, or the mark, connection mark or TOS they leave —
// is a difference region. Each is reported with its share of the hook's packets, one cube of it
// in readable form, and one concrete packet, which the linear engine then walks under A and under
// B (concrete_outcome): a difference the engine confirms is certain; one it does not (the
// packet's atoms — matches taken as free variables — cannot all hold together) is reported as
// unconfirmed. Regions either layout cannot take exactly are left out of the proof and reported.
//
// Scope (said in the report): conntrack state and the status bits are free variables; history
// matches (limit, recent, ...) are atoms assumed to answer alike wherever their text is the same;
// LOG and counters are not compared. A proof covers the hook decisions; since the packet path
// between hooks (routing, conntrack, NAT bindings) is the same for both, equal decisions at every
// hook mean equal paths.
//
// Invariants: the report holds plain data only (the BDD session lives inside the call).
// Costs: dominated by the HookDecisions; see docs/compare.md for measured times.

#include <cstddef>
#include <string>
#include <vector>

#include "fwbench/hook_decision.hpp"
#include "fwbench/path_example.hpp"

namespace fwbench {

struct RegionDifference {
    Hook hook = Hook::input;
    std::string a, b;  // the two outcomes as HookOutcome::describe gives them
    double share = 0;  // of the hook's packets (all fields, atoms included)
    std::string region;  // one cube of the region, as HeaderSpace::describe_cube writes it
    Packet example;  // a packet of that cube, with its in/out, conntrack view and mark
    ConcreteOutcome concrete_a, concrete_b;  // the linear engine's walk of the example
    bool confirmed = false;  // the linear engine's outcomes differ too
    // A packet of the region the whole path (and the kernel) can be given: a first packet from
    // one of the host's devices or from the host itself (path_example); nullopt when the region
    // holds none (it needs a state, a mark or a device a replay cannot give).
    std::optional<PathExample> replay;
};

struct HookProof {
    Hook hook = Hook::input;
    std::size_t regions_a = 0, regions_b = 0;  // outcomes each layout has at this hook
    std::size_t differences = 0;  // difference regions (pairs of outcomes)
    double differing_share = 0;
    double unmodelled_share = 0;  // left out of the proof
    std::vector<std::string> unmodelled_reasons;
};

struct EquivalenceReport {
    Family family = Family::ipv4;
    std::vector<HookProof> hooks;
    std::vector<RegionDifference> differences;  // up to `examples` per hook
    ProofLimits limits;
    std::vector<std::string> interfaces;  // the interface witnesses, each with what it stands for
    double seconds = 0;
    long bdd_nodes = 0;
    bool equivalent() const {
        for (const auto& h : hooks)
            if (h.differences) return false;
        return true;
    }
    bool complete() const {
        for (const auto& h : hooks)
            if (h.unmodelled_share > 0) return false;
        return true;
    }
};

struct LayoutInput {
    const Ruleset* rules = nullptr;
    const IpsetRegistry* ipsets = nullptr;
};

// `host` may be null: then addrtype is an atom and the interfaces are the rules' own.
EquivalenceReport prove_equivalence(const LayoutInput& a, const LayoutInput& b, const Host* host, std::size_t examples);

}  // namespace fwbench
