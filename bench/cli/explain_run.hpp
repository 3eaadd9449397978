#pragma once
// `fwbench explain PACKET...`: each packet's whole way through the host, told rule by rule
// (format_explanation, explain.hpp); a PACKET is a description or, with --pcap, a capture index.

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sources.hpp"

namespace fwbench {

struct ExplainCli {
    SourceOptions sources;
    std::vector<std::string> packets;
    std::uint64_t seed = 1;
    std::string pcap, iface;
    std::string rules6;  // --rules6: the ip6tables ruleset of a dual-stack run (--rules: the iptables one)
};

// Adds the subcommand and its options, filling `cli` when parsed.
CLI::App* add_explain_command(CLI::App& app, ExplainCli& cli);
int run_explain(const ExplainCli& cli);

}  // namespace fwbench
