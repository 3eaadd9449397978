#pragma once
// `fwbench compare --rules A --rules B`: do two ruleset layouts behave the same on the host?
//
// What: the same traffic through the host's packet path under A and under B, each layout with
// its own state (conntrack, counters, rates), as two kernels would keep it; every packet whose
// outcome differs — its fate, drop reason, the device it left by, its addresses and ports after
// NAT, its mark, the answers the kernel sent for it — is grouped by how it differs, and the first
// few of each kind are explained side by side (A's path, then B's).
// The traffic: a capture (--pcap), or packets aimed at every rule of both layouts
// (traffic_for_ruleset) when none is given. Rule numbers differ between layouts by construction:
// behaviour is compared, never positions.
// Limits, said in the output: agreement on this traffic is not a proof over all traffic.
// Exit status: 0 the same, 1 a difference, 2 bad input (as diff(1)).

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace fwbench {

struct CompareCli {
    std::vector<std::string> rules;  // exactly two: A and B
    std::string host_path, ipsets_path, pcap, iface, backend, json;
    int family = 0;
    std::uint64_t seed = 1;
    int random_packets = 200;  // generated traffic: random packets beside those aimed at rules
    std::size_t examples = 3;  // explained per kind of difference (and difference regions per hook)
    bool no_proof = false, no_traffic = false, kernel = false;
    int cost_repetitions = 5;
};

CLI::App* add_compare_command(CLI::App& app, CompareCli& cli);
int run_compare(const CompareCli& cli);

}  // namespace fwbench
