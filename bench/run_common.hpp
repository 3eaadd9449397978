#pragma once
// What every fwbench run over a ruleset and a host shares, whatever the packets' source
// (a capture analysed, a capture replayed, DPDK ports): inputs, outputs, engine, EAL arguments.

#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/compiled_engine.hpp"
#include "sources.hpp"

namespace fwbench {

struct RunCommon {
    SourceOptions sources;
    std::string counters, json;         // file or "-"
    std::uint64_t seed = 1;             // -m statistic --mode random
    bool quiet = false;
    EngineKind engine = EngineKind::linear;
    std::vector<std::string> eal_args;  // appended to fwbench's EAL defaults
};

}  // namespace fwbench
