#pragma once
// `fwbench explain`: a packet's whole way through the host, as a kernel TRACE would show it,
// offline: routing decisions, each hook and table, each rule tested (and why a rule did not
// match), conntrack and NAT changes, and the final fate.

#include <string>

#include "fwbench/packet_description.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench {

std::string format_explanation(const PacketPath& path, const PathResult& r, const std::string& description, bool local);

}  // namespace fwbench
