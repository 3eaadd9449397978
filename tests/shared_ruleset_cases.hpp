#pragma once
// The real rulesets (IPv4 and IPv6) under ../shared/data/rulesets (FWBENCH_SHARED_DATA), made ready for the
// kernel: what the data lacks is made up (ipsets, a host where no `ip addr` dump reads), what the
// kernel here refuses or draws at random is taken out or made certain, and each gets traffic aimed
// at every rule. The replay tests (synthetic captures, real tcpdump captures) share this, and say
// what was made up through the notes it keeps.

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fwbench/host.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/packet.hpp"
#include "fwbench/ruleset.hpp"
#include "text_lines.hpp"

namespace fwbench::test {

// The iptables-save files with a filter table, by their path below `dir` (absent: none).
struct SharedRuleset {
    std::string rel, text;
};
std::vector<SharedRuleset> shared_rulesets(std::filesystem::path& dir);

// The sets a ruleset's --match-set names (the data does not include them); with
// `single_direction_only`, only those matched on one direction (a hash:net can stand in).
std::set<std::string> matched_set_names(const std::string& text, bool single_direction_only);

// A ruleset whose decisions depend on time: limit, hashlimit or recent --seconds. The kernel
// oracle replays its traffic paced as the timestamps say.
bool has_rate_match(const Ruleset& rs);

struct SharedRulesetCase {
    std::string rel;
    Ruleset rs;  // as replayed: without the rules this kernel refuses, statistic random made certain
    std::string host_json;
    std::optional<IpsetRegistry> ipsets;  // made up, and given to the kernel as kopt.ipsets
    KernelOracleOptions kopt;  // ruleset_text when the ruleset is replayed as written; pace for rate matches
    bool rated = false;  // limit, hashlimit or recent --seconds: paced 10 ms apart
    std::vector<std::pair<Packet, Origin>> traffic;
};

// What was made up or left out, for the tests to print.
struct SharedRulesetNotes {
    std::vector<std::string> skipped, hosts_from_dumps, certain, made_up, without, paced;
    void print(int replayed) const;
};

// Every case (iptables and ip6tables), in the data's order; those fwbench cannot replay go to
// notes.skipped, each with its reason.
std::vector<SharedRulesetCase> shared_ruleset_cases(std::filesystem::path& dir, SharedRulesetNotes& notes);

}  // namespace fwbench::test
