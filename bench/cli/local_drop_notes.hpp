#pragma once
// What a capture cannot show of the host's own packets that never left: `tcpdump -i any` records a
// locally generated packet as it goes out to a device, after POSTROUTING, so one that a rule or
// policy of OUTPUT or POSTROUTING dropped or rejected is not in the capture at all, while the
// kernel counted it in every chain it passed on the way to its end. fwbench cannot tell how many
// there were; it names the chains whose counters, read from a capture, may therefore be lower
// than the kernel's: every chain of the tables up to the last one (in hook order: OUTPUT's raw,
// mangle, nat, filter, security, then POSTROUTING's mangle, nat) in which something can drop.
// A ruleset that drops nothing there gets no note. Setup only: one pass over the rules.

#include <string>
#include <vector>

#include "fwbench/ruleset.hpp"

namespace fwbench {

// "TABLE CHAIN" of each such chain (base chains, and user chains with rules those hooks reach),
// in hook order; empty when nothing in OUTPUT or POSTROUTING can drop.
std::vector<std::string> chains_counting_unseen_local_drops(const Ruleset& rs);

}  // namespace fwbench
