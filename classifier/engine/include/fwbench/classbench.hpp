#pragma once
// ClassBench filter sets as a classifier workload: rule i of the file becomes rule i of one chain
// (filter FORWARD, policy DROP unless told otherwise), first match wins, no match falls to the
// policy. All five fields are compared as dpdk-test-acl compares them: source and destination
// prefixes, source and destination port ranges, and the protocol under its mask (0x00 = any);
// the flags column is read and ignored, as dpdk-test-acl does.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "fwbench/box_index.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

struct ClassBenchRule {
    IpPrefix src, dst;
    PortRange sport, dport;
    std::uint8_t proto = 0, proto_mask = 0;
    int line = 0;
};

// Parses a filter file (lines starting with '@'); throws ParseError.
std::vector<ClassBenchRule> parse_classbench_rules(std::string_view text, const std::string& source);
std::vector<ClassBenchRule> read_classbench_rules(const std::string& path);

// The Ruleset view of a filter set: one chain, each rule ACCEPT ("-j ACCEPT" with the five
// fields as -s/-d/-p and tcp/udp-style port matches), policy as given.
Ruleset classbench_ruleset(const std::vector<ClassBenchRule>& rules, const std::string& source,
                           StandardTarget::Kind policy = StandardTarget::Kind::drop);

// The rule as a BoxIndex box (the same box the compiled engine derives from classbench_ruleset).
RuleBox classbench_box(const ClassBenchRule& r);

// A header inside the rule (tests and benchmarks): source, destination and ports drawn from
// `rng` in that order, a 64-byte length, and the rule's protocol — 0 when the rule takes any,
// for the caller to choose.
Packet classbench_header(const ClassBenchRule& r, std::mt19937_64& rng);

}  // namespace fwbench
