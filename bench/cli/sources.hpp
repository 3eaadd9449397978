#pragma once
// Loading fwbench's inputs: ruleset, host and ipsets from files, or from the running host.

#include <optional>
#include <string>

#include "fwbench/host.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/ruleset.hpp"
#include "fwbench/ruleset_parser.hpp"

namespace fwbench {

struct SourceOptions {
    std::string rules_path, host_path, ipsets_path;
    int family = 0;
    bool lenient = false;
    std::string backend;  // "nft" or "legacy" overrides what the ruleset's header says
};

std::string slurp(const std::string& path);
std::optional<IpsetRegistry> load_ipsets(const SourceOptions& o);
// parse_ruleset_file, where a file that fails to parse as `family` (4 or 6, as --family gave it;
// 0: the file decides) but parses as the other is reported as a family mismatch.
Ruleset parse_ruleset_file_of_family(const std::string& path, const RulesetParseOptions& opt, int family);
// Without rules_path: the running host's iptables-save.
Ruleset load_ruleset(const SourceOptions& o, const IpsetRegistry* ipsets);
// --rules6 for a dual-stack run: the ip6tables ruleset beside load_ruleset's iptables one `rs`
// (nullopt without `rules6`). Refused when `rs` is itself an IPv6 ruleset.
std::optional<Ruleset> load_ruleset6(const SourceOptions& o, const std::string& rules6, const Ruleset& rs, const IpsetRegistry* ipsets);
// Without host_path: the running host, unless rules_path was given (then an error says to give
// --host too: a ruleset from elsewhere with this machine's addresses would mislead).
Host load_host(const SourceOptions& o);

}  // namespace fwbench
