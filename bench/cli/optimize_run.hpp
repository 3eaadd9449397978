#pragma once
// `fwbench optimize --rules R --host H [--pcap P] -o R2`: a ruleset that decides exactly as R and
// tests fewer rules on the traffic (optimize_ruleset, classifier/symbolic/ruleset_optimize.hpp):
// multiport merges and hot rules moved up where they commute, the result proved alike at every
// hook before it is written. Reports the cost on the traffic before and after (rules tested per
// packet, the kernel estimate) and where each original rule went (the counters' side table).
// The traffic: the capture, else packets aimed at every rule (with their neighbours) and random
// ones. Exit status: 0 written, 1 refused (nothing written), 2 bad input.

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace fwbench {

struct OptimizeCli {
    std::string rules, host_path, ipsets_path, pcap, iface, output, json;
    int family = 0;
    std::uint64_t seed = 1;
    int random_packets = 200;
};

CLI::App* add_optimize_command(CLI::App& app, OptimizeCli& cli);
int run_optimize(const OptimizeCli& cli);

}  // namespace fwbench
