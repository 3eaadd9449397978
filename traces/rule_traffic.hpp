#pragma once
// Traffic aimed at a real ruleset: for every rule in a chain some hook reaches, a packet built
// to satisfy its addresses, interfaces, protocol, ports, TCP flags and ICMP type (matches it
// cannot satisfy, such as marks or rates, are left to chance), optionally the packets just
// outside its ranges and prefixes, plus random packets; and a host made from the interfaces the
// rules name (documentation addresses, one /28 each).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

// The host JSON for a ruleset: lo plus every interface its -i/-o name (a wildcard "eth+"
// becomes "eth0"), up, with 192.0.2.(16k+1)/28 and Linux's default MTU (lo's 65536); a default
// route through the first; forwarding on.
std::string host_for_ruleset(const Ruleset& rs);

// With `boundaries`, each aimed packet is followed by its neighbours just outside the rule: a port
// range's lo - 1 and hi + 1, an IPv4 prefix's address before its first and after its last (the
// host's own packets keep their source), each the aimed packet with that one field moved.
std::vector<std::pair<Packet, Origin>> traffic_for_ruleset(const Ruleset& rs, const Host& host, std::uint64_t seed, int random_packets,
                                                           bool boundaries = false);

}  // namespace fwbench
