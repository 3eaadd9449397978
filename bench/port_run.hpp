#pragma once
// `fwbench --port DEV=IFACE ...`: packets from DPDK ports through the packet path, forwarded out
// of the port of their exit interface (docs/dataplane.md).

#include <cstdint>
#include <string>
#include <vector>

#include "fwbench/compiled_engine.hpp"
#include "sources.hpp"

namespace fwbench {

struct PortRunCli {
    SourceOptions sources;
    std::vector<std::string> ports;  // DEV=IFACE
    std::string local_port, counters, json;
    std::uint64_t seed = 1;
    bool quiet = false, no_forward = false, null_path = false;
    EngineKind engine = EngineKind::linear;
    std::vector<std::string> eal_args;
    double duration_s = 0, idle_stop_s = 0;
    unsigned mbufs = 8191;
    unsigned workers = 1;
};

int run_port_mode(const PortRunCli& o);

}  // namespace fwbench
