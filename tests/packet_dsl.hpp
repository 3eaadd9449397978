#pragma once
// Fixture packets in the notation of fwbench/packet_description.hpp, e.g.
//   "tcp 192.0.2.1:1234 > 198.51.100.2:22 in=eth0 flags=S ct=NEW len=60"

#include <string>

#include "fwbench/packet.hpp"

namespace fwbench::test {

Packet packet(const std::string& text);

}  // namespace fwbench::test
