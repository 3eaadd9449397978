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

// The rules that forbade recording most often, most first.
std::vector<std::pair<std::size_t, std::uint64_t>> top_refusing_rules(const FlowCacheStats& stats, std::size_t top) {
    std::vector<std::pair<std::size_t, std::uint64_t>> rules;
    for (std::size_t i = 0; i < stats.refused_by_rule.size(); ++i)
        if (stats.refused_by_rule[i]) rules.emplace_back(i, stats.refused_by_rule[i]);
    std::stable_sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (rules.size() > top) rules.resize(top);
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
    const Ruleset& rs = path.ruleset();
    for (const auto& [index, n] : top_refusing_rules(stats, top)) {
        const auto ref = path.flow_facts().locate(index);
        const Table& t = rs.tables[ref.table];
        const Chain& c = t.chains[ref.chain];
        rules.push_back({{"table", t.name},
                         {"chain", c.name},
                         {"rule", ref.rule + 1},
                         {"text", c.rules[ref.rule].text},
                         {"why", path.flow_facts().why_not(ref.table, ref.chain, ref.rule)},
                         {"paths_not_recorded", n}});
    }
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
    const Ruleset& rs = path.ruleset();
    for (const auto& [index, n] : top_refusing_rules(stats, top)) {
        const auto ref = path.flow_facts().locate(index);
        const Table& t = rs.tables[ref.table];
        const Chain& c = t.chains[ref.chain];
        os << indent << "  not recorded " << n << " times: " << t.name << " " << c.name << " rule " << ref.rule + 1 << " (" << c.rules[ref.rule].text
           << ") " << path.flow_facts().why_not(ref.table, ref.chain, ref.rule) << "\n";
    }
    return os.str();
}

}  // namespace fwbench
