#pragma once
// The text of `ip addr show` (`ip a`, `ip -4 a s`), as people paste it beside a ruleset, turned
// into the JSON of `ip -j addr show` so Host::from_json reads both the same way.
//
// Read: each interface header (`3: eth0.10@eth0: <FLAGS> mtu 1500 ...`: index, name without
// the @parent, flags, mtu), its `link/TYPE ADDRESS` line, and its `inet`/`inet6` lines (address,
// prefix length (32/128 when absent), `peer`, `brd`, `scope`, `secondary`, `noprefixroute`,
// label). Lifetimes, altnames and other detail lines carry no addressing and are passed over.
// An inet line whose address does not parse (anonymised dumps say `[PUBLIC IP HERE]`) is a
// ParseError at its line and column: a host with a guessed address would give wrong answers.

#include <string>
#include <string_view>

namespace fwbench {

// Whether a host file is text from `ip addr` rather than JSON (its first non-blank byte).
bool looks_like_ip_addr_text(std::string_view text);

// Throws ParseError(source, line, column, what was expected).
std::string ip_addr_text_to_json(std::string_view text, const std::string& source);

}  // namespace fwbench
