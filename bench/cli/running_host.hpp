#pragma once
// Reading the host fwbench runs on: its addresses, routes, rules and sysctls as the JSON
// `--host` takes (what `fwbench dump-host` prints), and its ruleset (iptables-save).

#include <string>

namespace fwbench {

// Runs `ip -j ...` and reads /proc/sys; throws std::runtime_error naming what failed.
std::string dump_running_host();
// Runs iptables-save (or ip6tables-save); throws std::runtime_error naming what failed, or
// naming the native nftables tables beside (`nft -j list ruleset`) that iptables-save omits.
std::string running_ruleset(bool ipv6);

}  // namespace fwbench
