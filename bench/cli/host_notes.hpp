#pragma once
// What fwbench assumed about a host the description left incomplete, in the words each command
// prints, and the hint a summary gives when many packets met a fate such an assumption decided
// (the described host does not forward, or has no default route).

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "fwbench/host.hpp"

namespace fwbench {

// "assumed: ..." lines, one per assumption, each line starting with `indent`; nothing when the
// description said everything.
void write_assumptions(std::ostream& os, const Host& host, std::string_view indent);

// For `count` of `processed` packets dropped for `reason` (a drop_reason_name): the input that
// would change it, when an assumption decided it and the share is large; else empty.
std::string assumption_hint(const Host& host, std::string_view reason, std::uint64_t count, std::uint64_t processed);

}  // namespace fwbench
