#pragma once
// lint_ruleset: what is likely wrong with a ruleset on its host, each finding with the rules it is
// about and a packet that shows it.
//
// What, in two families of checks:
// - On the host's packet path (the seed's pitfalls, found by sending packets, not by reading
//   rule text): the host's own connection to one of its addresses is dropped while the same to
//   127.0.0.1 is delivered (loopback accepted only from 127.0.0.0/8, an address accepted only on
//   the device that holds it: the host's own packets arrive on lo); a port-forward the host's
//   own connections (and, hairpin, the other networks') miss because it is written for one
//   input device in nat PREROUTING; NOTRACK in raw PREROUTING that the host's own packets meet
//   already tracked.
// - Over all packets (HookDecision with RuleReach): rules that never match (no packet that
//   reaches them fits, with the earlier rules that take their packets named), rules no packet
//   reaches, chains never jumped to, policies no packet gets to, rules whose removal changes no
//   decision (redundant), and interface names the host does not have.
// Each finding carries a Demonstration: a packet with its origin, the rules the kernel must count
// it under and those it must not; the kernel-oracle tests replay them.
//
// Invariants: the report holds plain data (the BDD session lives inside the call); findings come
// in the order above, rules in ruleset order.
// Costs: one path walk per local address and port for the first family; one HookDecision per
// hook, and up to LintOptions::redundancy_limit rules one per hook and rule for redundancy (above,
// a test per rule over the rules after it).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fwbench/hook_decision.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench {

struct RuleRef {
    std::size_t table = 0, chain = 0;
    int rule = -1;  // 0-based; -1: the chain's policy
    bool operator==(const RuleRef&) const = default;
};

struct Demonstration {
    Packet packet;
    Origin origin = Origin::wire;
    std::string text;  // as `fwbench explain` takes it
    std::vector<RuleRef> counts;  // rules (or policies) the kernel counts the packet under
    std::vector<RuleRef> never_counts;  // rules it must not count it under
    std::string outcome;  // what happens to it, in words
};

struct LintFinding {
    enum class Severity : std::uint8_t { warning, note };
    Severity severity = Severity::warning;
    std::string kind;  // own-connection-dropped, port-forward-misses-own, ..., as the output names it
    std::string message;  // one line
    std::vector<std::string> rules;  // rule labels (rule_label), the finding's rule first
    std::vector<std::string> details;  // why, and what would fix it
    std::optional<Demonstration> demo;
};

struct LintReport {
    std::vector<LintFinding> findings;
    ProofLimits limits;
    std::vector<std::string> skipped;  // checks not run, with why (no host, too many rules)
    std::size_t warnings() const;
};

struct LintOptions {
    // Redundancy is a proof per rule up to this many rules; above, a quick sufficient test (the
    // next rule that meets a rule's packets decides them all alike), and the report says so.
    std::size_t redundancy_limit = 300;
};

// `host` may be null: the path checks and unknown interfaces are then skipped (and said).
LintReport lint_ruleset(const Ruleset& rs, const Host* host, const IpsetRegistry* ipsets, const LintOptions& opt = {});

}  // namespace fwbench
