#pragma once
// Where a packet came from and what became of it: the words every consumer of the packet path
// counts by (PathResult, the flow cache's programs, the dataplanes' tallies).

#include <cstddef>
#include <cstdint>

namespace fwbench {

enum class Origin : std::uint8_t { wire, local };
const char* origin_name(Origin o);

// held: a fragment waiting in its reassembly queue (the datagram goes on with the last to come).
enum class Fate : std::uint8_t { delivered, forwarded, sent, dropped, rejected, queued, held };
constexpr std::size_t fate_count = 7;  // counts indexed by Fate
const char* fate_name(Fate f);

}  // namespace fwbench
