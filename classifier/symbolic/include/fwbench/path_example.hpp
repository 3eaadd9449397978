#pragma once
// path_example: a packet of a hook's region that the whole packet path (and the kernel) can be
// given — from the wire on one of the host's devices, or sent by the host itself — for lint's
// findings and compare's differences, which a replay then shows.
//
// The region is narrowed to what a replay can produce: a connection's first packet (NEW), no
// mark or connection mark, not a fragment, an input device the host has (none, or lo: the
// host's own, which reaches lo only by being looped back); then the typical packet of it (HeaderSpace::pick_typical). nullopt when nothing is left.

#include <optional>
#include <string>
#include <vector>

#include "fwbench/header_space.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench {

struct PathExample {
    Packet packet;
    Origin origin = Origin::wire;
    std::string text;  // as `fwbench explain` takes it
};

// With `host`, a packet of a hook with a way out goes to an address the host routes through the
// device the region wants (routing, not the region, picks a packet's way out).
std::optional<PathExample> path_example(const HeaderSpace& space, Hook hook, const bdd& region, const std::vector<IpAddr>& local, const Host* host);

}  // namespace fwbench
