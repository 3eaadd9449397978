#pragma once
// What a run says about the built-in chains the kernel does not have, or has without a policy
// counter (ChainPresence): iptables-nft creates only the base chains the restored text names,
// and a reader of the counters must know which policies could not count.

#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fwbench/ruleset.hpp"

namespace fwbench {

// "base chains: ..." lines, each starting with `indent`; nothing when every built-in chain of
// every table exists and counts.
void write_base_chain_note(std::ostream& os, const Ruleset& rs, std::string_view indent);

// {"source": where presence was read, "absent": ["nat INPUT", ...], "uncounted": [...]}.
nlohmann::ordered_json base_chains_json(const Ruleset& rs);

}  // namespace fwbench
