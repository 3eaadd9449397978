#pragma once
// The ruleset as admins read it: `iptables -L -v -n -x --line-numbers` for every table, with
// the counters given (fwbench's after a run). Same columns, widths and words as iptables 1.8's
// listing (protocol as a number, as -n prints it; checked against iptables itself in
// tests/kernel_oracle_test.cpp), and the match and target words of the common modules (tcp,
// udp, icmp, conntrack, state, multiport, comment, set, mark, mac, limit, addrtype, iprange,
// length; DNAT, SNAT, MASQUERADE, REDIRECT, REJECT, LOG, MARK, NFLOG). A module whose listing
// words fwbench does not know is shown in iptables-save form (`-m NAME --opt ...`).

#include <string>

#include "fwbench/ruleset.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

// `counters` null: the counters the ruleset file carried (iptables-save -c), else zero.
std::string format_listing(const Ruleset& rs, const CounterSource* counters);
// One table, as `iptables -t TABLE -L -v -n -x --line-numbers` prints it.
std::string format_table_listing(const Ruleset& rs, std::size_t table, const CounterSource* counters);

}  // namespace fwbench
