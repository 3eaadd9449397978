#pragma once
// optimize_ruleset: a ruleset that decides exactly as the given one and tests fewer rules on the
// given traffic — or none, when no rewrite could be proved.
//
// What, in order:
// - multiport merges: a run of adjacent rules of one chain that differ only in one TCP or UDP
//   destination port (same addresses, devices, other matches and target) becomes one rule with
//   -m multiport --dports (at most 15 ports per rule, as the kernel's xt_multiport holds);
// - ipset conversion: a run of at least 4 adjacent rules that differ only in their source
//   (-s, an address or prefix) becomes one rule with -m set --match-set NAME src over a hash:net
//   set of those sources (the new sets are written beside the ruleset, as `ipset save` does);
// - hot rules earlier: within a chain, a rule the traffic hits more often moves above the rule
//   before it when the two commute: both end the walk (ACCEPT, DROP, REJECT, NFQUEUE, NAT), and
//   either no packet matches both (their BDDs, at the hooks that reach the chain, are disjoint) or
//   they decide alike; rules with history matches (limit, recent, ...) never move, since moving
//   one changes which packets its state sees.
// - a jump tree by input device: a chain with at least 4 rules for each of two devices or more
//   (-i NAME) sends each such device's packets (-g) to a chain of its own with the rules they
//   can match, in order (rules for any device copied into each);
// Then the whole result is proved against the original by prove_equivalence at every hook; a
// result the proof does not call equivalent and complete is refused (the report says why).
//
// The side table maps each original rule to its place in the result, so counters of the result
// can be read as the original's.
//
// Invariants: the input is not changed; `hits` is indexed as the ruleset (table, chain, rule).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwbench/layout_equivalence.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

// Per table, chain and rule: how many packets of the traffic the rule counted.
using RuleHits = std::vector<std::vector<std::vector<std::uint64_t>>>;
// The packets each rule of `rs` counted, from an engine's (or any) counters.
RuleHits rule_hits(const Ruleset& rs, const CounterSource& counters);

// One rule of the result and the original rules it stands for: several when merged into one, none
// for a jump tree's goto. An original rule for any device appears in every branch of a jump tree
// (its counter is then the sum of its copies').
struct RuleMove {
    std::string table, chain;
    std::vector<int> from;  // 1-based rules of the original chain
    int to = 0;  // 1-based rule of the result
    std::string from_chain;  // the original chain (a branch's rules come from the chain it splits)
};

struct OptimizeResult {
    std::optional<Ruleset> rules;  // nullopt: refused
    std::string text;  // the result in iptables-save form
    std::vector<RuleMove> moves;  // every original rule's place in the result
    std::size_t merged = 0, moved = 0;  // rules merged away (multiport or set), rules moved above others
    std::size_t sets = 0;  // ipsets made
    std::size_t branches = 0;  // chains made for a jump tree by input device
    std::string ipsets_text;  // the sets the result's -m set rules name, in `ipset save` form
    std::optional<IpsetRegistry> ipsets;  // the original's sets and the new ones
    std::string refused;  // why there is no result
    EquivalenceReport proof;
};

OptimizeResult optimize_ruleset(const Ruleset& rs, const RuleHits& hits, const Host* host, const IpsetRegistry* ipsets);

}  // namespace fwbench
