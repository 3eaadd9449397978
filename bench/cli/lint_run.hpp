#pragma once
// `fwbench lint --rules R [--host H] [--pcap P]`: what is likely wrong with a ruleset on its host
// (lint_ruleset, classifier/symbolic/ruleset_lint.hpp), each finding with the rules it is about and
// a packet that shows it; with a capture, also the rules no packet of it hit.
// Exit status: 0 no warning (notes may be printed), 1 warnings, 2 bad input.

#include <string>

#include <CLI/CLI.hpp>

namespace fwbench {

struct LintCli {
    std::string rules, host_path, ipsets_path, pcap, iface, backend, json;
    int family = 0;
};

CLI::App* add_lint_command(CLI::App& app, LintCli& cli);
int run_lint(const LintCli& cli);

}  // namespace fwbench
