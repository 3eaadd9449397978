#pragma once
// `fwbench --pcap CAPTURE --workers K --repeat N | --duration S`: the replay dataplane — the
// capture loaded once, replayed through the packet path by K worker lcores, with rates per
// worker, a progress line, and the merged counters.

#include <cstdint>
#include <string>
#include <vector>

#include "run_common.hpp"

namespace fwbench {

struct ReplayRunOptions : RunCommon {
    std::string pcap, iface;
    unsigned workers = 1;
    std::uint64_t repeat = 1;
    double duration_s = 0;
    bool null_path = false;
    bool bursts = true;
};

int run_replay_mode(const ReplayRunOptions& o);

}  // namespace fwbench
