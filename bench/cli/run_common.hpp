#pragma once
// What every fwbench run over a ruleset and a host shares, whatever the packets' source
// (a capture analysed, a capture replayed, DPDK ports): inputs, outputs, engine, EAL arguments.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fwbench/classifier.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "sources.hpp"

namespace fwbench {

struct RunCommon {
    SourceOptions sources;
    std::string counters, json;  // file or "-"
    std::string list;  // --list: iptables -L -v -n -x --line-numbers form (file or "-")
    std::uint64_t seed = 1;  // -m statistic --mode random
    bool quiet = false;
    bool keep_going = false;  // --keep-going: count packets on interfaces the host lacks, do not stop
    std::string engine = "linear";  // --engine: linear, compiled or acl (classifier_factory.hpp)
    bool flow_cache = true;  // --no-flow-cache: every packet walks the whole path (flow_cache.hpp)
    std::vector<std::string> eal_args;  // appended to fwbench's EAL defaults
};

// The --engine engine on the loaded ruleset (acl needs the EAL: call ensure_eal first).
std::shared_ptr<const Classifier> make_engine(const RunCommon& o, const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets);
// What an engine reports about itself, as --json shows it.
nlohmann::ordered_json stats_json(const ClassifierStats& stats);

// --counters and --list, when asked for: the ruleset with these counters, in iptables-save -c
// form, and as iptables -L -v -n -x --line-numbers lists it.
void write_counters(const RunCommon& o, const Ruleset& rs, const CounterSource& counters);

// The fates that happened, with their counts (indexed by Fate): a JSON object, and " fate n"
// pairs for a summary line.
nlohmann::ordered_json fates_json(const std::uint64_t (&fates)[fate_count]);
std::string fates_text(const std::uint64_t (&fates)[fate_count]);

// The flow cache's tallies (flow_cache.hpp): packets replayed and walked, why packets missed, why
// walked paths were not recorded, and the rules that forbade it most (at most `top`), named.
nlohmann::ordered_json flow_cache_json(const FlowCacheStats& stats, const PacketPath& path, bool enabled, std::size_t top = 10);
// The same in a few lines of the summary, each starting with `indent`.
std::string flow_cache_text(const FlowCacheStats& stats, const PacketPath& path, bool enabled, const std::string& indent, std::size_t top = 3);

}  // namespace fwbench
