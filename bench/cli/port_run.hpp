#pragma once
// `fwbench --port DEV=IFACE ...`: packets from DPDK ports through the packet path, forwarded out
// of the port of their exit interface (docs/dataplane.md).

#include <cstdint>
#include <string>
#include <vector>

#include "run_common.hpp"

namespace fwbench {

struct PortRunCli : RunCommon {
    std::vector<std::string> ports;  // DEV=IFACE
    std::string local_port;
    bool no_forward = false, null_path = false;
    double duration_s = 0, idle_stop_s = 0;
    unsigned mbufs = 8191;
    unsigned workers = 1;
};

int run_port_mode(const PortRunCli& o);

}  // namespace fwbench
