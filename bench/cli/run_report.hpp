#pragma once
// What one fwbench run produced, and the writers for its outputs: per-packet verdict lines,
// the ruleset with counters in iptables-save -c form, JSON, and the terminal summary.

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fwbench/linear_engine.hpp"

namespace fwbench {

struct PacketOutcome {
    Verdict verdict;
    std::int32_t chain;  // deciding chain (table-relative)
    std::int32_t rule;  // -1 = policy
    std::uint32_t rules_evaluated;
};

struct EngineRun {
    std::string name;
    double build_seconds = 0;
    std::size_t memory_bytes = 0;  // the engine's own structures (the ruleset not counted)
    nlohmann::ordered_json details;  // engine-specific report (what was compiled)
    double ns_per_packet = 0;
    double rules_evaluated_per_packet = 0;
    std::vector<PacketOutcome> outcomes;
    // The lookup alone over prepared keys (0: the engine has none apart from its walk), and the
    // packets whose first match there was not the walk's deciding rule (a bug if ever not 0).
    double lookup_ns_per_packet = 0;
    std::uint64_t lookup_disagreements = 0;
};

struct RunReport {
    std::string rules_path, trace_path, format;
    const Ruleset* ruleset = nullptr;
    std::size_t table = 0;  // the table the packets were walked through
    Hook hook = Hook::forward;
    std::uint64_t seed = 0;
    bool used_random = false;
    std::vector<EngineRun> engines;
    const EngineState* state = nullptr;  // counters of the reference run
    std::uint64_t generating_rule_disagreements = 0;
    bool has_generating_rules = false;
    // --engine all: the packets on which the engines disagreed (index), up to a few.
    std::vector<std::size_t> disagreements;
    std::uint64_t disagreement_count = 0;
};

void write_verdicts(std::ostream& os, const RunReport& r);
void write_json(std::ostream& os, const RunReport& r);
void write_summary(std::ostream& os, const RunReport& r);
std::map<std::string, std::uint64_t> verdict_counts(const EngineRun& e);

}  // namespace fwbench
