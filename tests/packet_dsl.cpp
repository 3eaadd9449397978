#include "packet_dsl.hpp"

#include "fwbench/packet_description.hpp"

namespace fwbench::test {

Packet packet(const std::string& text) { return parse_packet_description(text, "fixture").packet; }

}  // namespace fwbench::test
