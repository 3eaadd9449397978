#include "run_common.hpp"

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

}  // namespace fwbench
