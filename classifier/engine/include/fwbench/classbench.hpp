#pragma once
// ClassBench filter sets as a classifier workload: rule i of the file becomes rule i of one chain
// (filter FORWARD, policy DROP unless told otherwise), first match wins, no match falls to the
// policy. All five fields are compared as dpdk-test-acl compares them: source and destination
// prefixes, source and destination port ranges, and the protocol under its mask (0x00 = any);
// the flags column is read and ignored, as dpdk-test-acl does. A set may be IPv6 (ClassBench-ng's
// IPv6 format: the same columns, IPv6 prefixes); one set is one family.

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
RuleBox6 classbench_box6(const ClassBenchRule& r);  // an IPv6 set's

// An IPv4 rule carried into IPv6 with its structure (docs/compiled-engine.md, IPv6 workloads): the
// address bits go, in order, to the places IPv6 address plans give them, so prefixes keep their
// nesting and overlaps and their lengths land where IPv6 rules have them: /16 -> /32 (an
// allocation), /24 -> /48 (a site), /28 -> /60, /32 -> /128 (a host), /30 -> /126 (a link);
// /1-/16 -> /17-/32, /17-/24 -> /41-/48, /25-/28 -> /57-/60, /29-/32 -> /125-/128, /0 stays /0.
// The fixed bits: 2001 in the first 16, zeros elsewhere. Ports and protocol stay.
ClassBenchRule classbench_to_ipv6(const ClassBenchRule& r);
// An IPv4 address's place under that embedding (the host bits a header draws are the same).
IpAddr classbench_ipv6_address(std::uint32_t v4);
int classbench_ipv6_length(int v4_length);

// A header inside the rule (tests and benchmarks): source, destination and ports drawn from
// `rng` in that order, a 64-byte length, and the rule's protocol — 0 when the rule takes any,
// for the caller to choose.
Packet classbench_header(const ClassBenchRule& r, std::mt19937_64& rng);

}  // namespace fwbench
