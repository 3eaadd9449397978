#pragma once
// `fwbench --rules R [--format classbench --trace T] [--engine E|all]`: the engines over a
// ClassBench header trace, each timed on the same preloaded packets (keys, lookup and counters
// in bursts of 64), checked against each other packet by packet, with verdicts, counters, JSON
// and a summary. Without a trace, the ruleset is parsed and the engines built (build time,
// memory, what was compiled).

#include <cstdint>
#include <string>
#include <vector>

namespace fwbench {

struct ClassifyRunOptions {
    std::string rules_path, format = "iptables", trace_path, ipsets_path;
    std::string policy = "DROP";  // the ClassBench chain's
    std::string engine = "linear";  // linear, compiled, acl or all
    int family = 0;  // 0: from the ruleset
    bool lenient = false, quiet = false;
    std::uint64_t seed = 1;
    std::string verdicts, counters, json;  // file or "-"
    std::string list;  // iptables -L -v -n -x --line-numbers form (file or "-")
    std::vector<std::string> eal_args;
};

// Exit status: 0, or 3 when engines disagree on a packet.
int run_classify(const ClassifyRunOptions& o);

}  // namespace fwbench
