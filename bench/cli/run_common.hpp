#pragma once
// What every fwbench run over a ruleset and a host shares, whatever the packets' source
// (a capture analysed, a capture replayed, DPDK ports): inputs, outputs, engine, EAL arguments.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fwbench/compiled_engine.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "sources.hpp"

namespace fwbench {

struct RunCommon {
    SourceOptions sources;
    std::string counters, json;  // file or "-"
    std::uint64_t seed = 1;  // -m statistic --mode random
    bool quiet = false;
    EngineKind engine = EngineKind::linear;
    std::vector<std::string> eal_args;  // appended to fwbench's EAL defaults
};

// --counters, when asked for: the ruleset with these counters, in iptables-save -c form.
void write_counters(const RunCommon& o, const Ruleset& rs, const CounterSource& counters);

// The fates that happened, with their counts (indexed by Fate): a JSON object, and " fate n"
// pairs for a summary line.
nlohmann::ordered_json fates_json(const std::uint64_t (&fates)[6]);
std::string fates_text(const std::uint64_t (&fates)[6]);

}  // namespace fwbench
