#pragma once
// `fwbench --pcap CAPTURE --workers K --repeat N | --duration S`: the replay dataplane — the
// capture loaded once, replayed through the packet path by K worker lcores, with rates per
// worker, a progress line, and the merged counters.

#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/compiled_engine.hpp"
#include "sources.hpp"

namespace fwbench {

struct ReplayRunOptions {
    SourceOptions sources;
    std::string pcap, iface, counters, json;
    std::uint64_t seed = 1;
    bool quiet = false;
    EngineKind engine = EngineKind::linear;
    std::vector<std::string> eal_args;
    unsigned workers = 1;
    std::uint64_t repeat = 1;
    double duration_s = 0;
    bool null_path = false;
};

int run_replay_mode(const ReplayRunOptions& o);

}  // namespace fwbench
