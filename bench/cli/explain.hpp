#pragma once
// `fwbench explain`: a packet's whole way through the host, as a kernel TRACE would show it,
// offline: routing decisions, each hook and table, each rule tested (and why a rule did not
// match), conntrack and NAT changes, the line each LOG rule writes to the kernel log, and the
// final fate.

#include <string>

#include "fwbench/packet_description.hpp"
#include "fwbench/packet_log.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench {

// `log`: the lines of r's LOG and NFLOG rules (logged_lines), shown under the rule that wrote each.
std::string format_explanation(const PacketPath& path, const PathResult& r, const std::string& description, bool local,
                               const std::vector<LoggedLine>& log = {});

}  // namespace fwbench
