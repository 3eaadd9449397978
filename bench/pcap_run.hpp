#pragma once
// `fwbench --pcap CAPTURE`: what the kernel did with every packet of a capture, as counters,
// verdicts, drop reasons and a summary per hook and origin.

#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/compiled_engine.hpp"
#include "sources.hpp"

namespace fwbench {

struct PcapRunOptions {
    SourceOptions sources;
    std::string pcap, iface, verdicts, counters, json;
    std::uint64_t seed = 1;
    bool quiet = false;
    EngineKind engine = EngineKind::linear;
    std::vector<std::string> eal_args;  // appended to fwbench's EAL defaults
};

int run_pcap(const PcapRunOptions& o);

}  // namespace fwbench
