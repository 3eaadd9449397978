#pragma once
// ClassBench header traces as a packet source: one header per line,
// "SRC DST SPORT DPORT PROTO [FLAGS] [RULE]" in unsigned decimal. Each header becomes a Packet
// (IPv4, no fragments, ports present for every protocol as dpdk-test-acl assumes) with a
// nominal datagram length, since a trace carries none.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fwbench/packet.hpp"

namespace fwbench {

struct ClassBenchTrace {
    std::vector<Packet> packets;
    std::vector<std::uint32_t> generating_rule;  // the RULE column (1-based), 0 when absent
};

constexpr std::uint32_t classbench_packet_length = 64;

// Throws ParseError (file:line:column) on a malformed line.
ClassBenchTrace parse_classbench_trace(std::string_view text, const std::string& source);
ClassBenchTrace read_classbench_trace(const std::string& path);

}  // namespace fwbench
