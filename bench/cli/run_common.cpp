#include "run_common.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "fwbench/classifier_factory.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "fwbench/ruleset_listing.hpp"
#include "output.hpp"

namespace fwbench {

std::shared_ptr<const Classifier> make_engine(const RunCommon& o, const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets) {
    return make_classifier(o.engine, rs, host, ipsets);
}

nlohmann::ordered_json stats_json(const ClassifierStats& stats) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [name, n] : stats.counts) j[name] = n;
    for (const auto& [name, text] : stats.notes) j[name] = text;
    if (stats.rules_not_exact) {
        auto rules = nlohmann::ordered_json::array();
        for (const auto& nr : *stats.rules_not_exact)
            rules.push_back({{"table", nr.table},
                             {"chain", nr.chain},
                             {"rule", nr.rule},
                             {"how", rule_compilation_name(nr.how)},
                             {"evaluated_at_run_time", nr.evaluated_at_run_time}});
        j["rules_not_exact"] = rules;
    }
    return j;
}

void write_counters(const RunCommon& o, const Ruleset& rs, const CounterSource& counters) {
    if (!o.counters.empty()) {
        Output out(o.counters);
        out.stream() << format_ruleset(rs, &counters);
    }
    if (!o.list.empty()) {
        Output out(o.list);
        out.stream() << format_listing(rs, &counters);
    }
}

nlohmann::ordered_json fates_json(const std::uint64_t (&fates)[fate_count]) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < fate_count; ++k)
        if (fates[k]) j[fate_name(static_cast<Fate>(k))] = fates[k];
    return j;
}

std::string fates_text(const std::uint64_t (&fates)[fate_count]) {
    std::string out;
    for (std::size_t k = 0; k < fate_count; ++k)
        if (fates[k]) out += std::string(" ") + fate_name(static_cast<Fate>(k)) + " " + std::to_string(fates[k]);
    return out;
}

namespace {

// A rule that forbade recording a flow's path, as both reports name it.
struct RefusingRule {
    const Table* table;
    const Chain* chain;
    std::size_t rule;  // 0-based
    const char* why;
    std::uint64_t paths;
};

// The rules that forbade recording most often, most first (at most `top`).
std::vector<RefusingRule> top_refusing_rules(const FlowCacheStats& stats, const PacketPath& path, std::size_t top) {
    std::vector<std::pair<std::size_t, std::uint64_t>> counted;
    for (std::size_t i = 0; i < stats.refused_by_rule.size(); ++i)
        if (stats.refused_by_rule[i]) counted.emplace_back(i, stats.refused_by_rule[i]);
    std::stable_sort(counted.begin(), counted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (counted.size() > top) counted.resize(top);
    std::vector<RefusingRule> rules;
    for (const auto& [index, n] : counted) {
        const auto ref = path.flow_facts().locate(index);
        const Table& t = path.ruleset().tables[ref.table];
        rules.push_back({&t, &t.chains[ref.chain], ref.rule, path.flow_facts().why_not(ref.table, ref.chain, ref.rule), n});
    }
    return rules;
}

}  // namespace

nlohmann::ordered_json flow_cache_json(const FlowCacheStats& stats, const PacketPath& path, bool enabled, std::size_t top) {
    nlohmann::ordered_json j;
    j["enabled"] = enabled;
    j["replayed"] = stats.replayed;
    j["walked"] = stats.walked;
    j["recorded"] = stats.recorded;
    auto& misses = j["misses"] = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < flow_miss_count; ++i) misses[flow_miss_name(static_cast<FlowMiss>(i))] = stats.misses[i];
    auto& refusals = j["not_recorded"] = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < flow_refusal_count; ++i) refusals[flow_refusal_name(static_cast<FlowRefusal>(i))] = stats.refusals[i];
    auto& rules = j["rules_that_forbid_caching"] = nlohmann::ordered_json::array();
    for (const RefusingRule& r : top_refusing_rules(stats, path, top))
        rules.push_back({{"table", r.table->name},
                         {"chain", r.chain->name},
                         {"rule", r.rule + 1},
                         {"text", r.chain->rules[r.rule].text},
                         {"why", r.why},
                         {"paths_not_recorded", r.paths}});
    return j;
}

std::string flow_cache_text(const FlowCacheStats& stats, const PacketPath& path, bool enabled, const std::string& indent, std::size_t top) {
    if (!enabled) return indent + "flow cache: off (--no-flow-cache): every packet walked its whole path\n";
    const std::uint64_t total = stats.replayed + stats.walked;
    std::ostringstream os;
    os << indent << "flow cache: " << stats.replayed << " of " << total << " packets replayed their flow's recorded path (" << std::fixed
       << std::setprecision(1) << (total ? 100.0 * static_cast<double>(stats.replayed) / static_cast<double>(total) : 0.0) << "%); " << stats.recorded
       << " paths recorded";
    for (std::size_t i = 0; i < flow_miss_count; ++i)
        if (stats.misses[i]) os << ", " << stats.misses[i] << " " << flow_miss_name(static_cast<FlowMiss>(i));
    os << "\n";
    for (const RefusingRule& r : top_refusing_rules(stats, path, top))
        os << indent << "  not recorded " << r.paths << " times: " << r.table->name << " " << r.chain->name << " rule " << r.rule + 1 << " ("
           << r.chain->rules[r.rule].text << ") " << r.why << "\n";
    return os.str();
}

}  // namespace fwbench
