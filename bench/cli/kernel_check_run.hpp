#pragma once
// `fwbench kernel-check`: the same inputs through fwbench and through the real kernel (network
// namespaces of its own), then where their counters, and with nf_tables traces the rules that
// counted each packet, differ; --shrink reduces a disagreement to a small reproduction.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sources.hpp"

namespace fwbench {

struct KernelCheckCli {
    SourceOptions sources;
    std::vector<std::string> packets;
    std::string pcap, iface, filter;
    std::string rules6;  // --rules6: the ip6tables ruleset of a dual-stack run (--rules: the iptables one)
    bool shrink = false, pace = false;
};

CLI::App* add_kernel_check_command(CLI::App& app, KernelCheckCli& cli);
int run_kernel_check(const KernelCheckCli& cli);

}  // namespace fwbench
