#include "run_report.hpp"

#include <iomanip>

#include <nlohmann/json.hpp>

namespace fwbench {

std::map<std::string, std::uint64_t> verdict_counts(const EngineRun& e) {
    std::map<std::string, std::uint64_t> counts;
    for (const auto& o : e.outcomes) ++counts[verdict_name(o.verdict)];
    return counts;
}

void write_verdicts(std::ostream& os, const RunReport& r) {
    const Table& t = r.ruleset->tables[r.table];
    const EngineRun& e = r.engines.front();
    std::string line;
    for (std::size_t i = 0; i < e.outcomes.size(); ++i) {
        const auto& o = e.outcomes[i];
        line.clear();
        line += std::to_string(i);
        line += '\t';
        line += verdict_name(o.verdict);
        line += '\t';
        line += t.name;
        line += ':';
        line += o.chain >= 0 ? t.chains[static_cast<std::size_t>(o.chain)].name : hook_chain_name(r.hook);
        line += ':';
        line += std::to_string(o.rule + 1);
        line += '\n';
        os << line;
    }
}

void write_json(std::ostream& os, const RunReport& r) {
    nlohmann::ordered_json j;
    j["rules"] = r.rules_path;
    j["format"] = r.format;
    if (!r.trace_path.empty()) j["trace"] = r.trace_path;
    const std::size_t packets = r.engines.empty() ? 0 : r.engines.front().outcomes.size();
    j["packets"] = packets;
    j["rule_count"] = r.ruleset->rule_count();
    if (!r.engines.empty()) j["verdicts"] = verdict_counts(r.engines.front());
    j["random"] = {{"deterministic", true}, {"seed", r.seed}, {"used", r.used_random}};
    auto engines = nlohmann::ordered_json::array();
    for (const auto& e : r.engines) {
        nlohmann::ordered_json je = {{"name", e.name},
                                     {"build_seconds", e.build_seconds},
                                     {"memory_bytes", e.memory_bytes},
                                     {"ns_per_packet", e.ns_per_packet},
                                     {"mpps", e.ns_per_packet > 0 ? 1000.0 / e.ns_per_packet : 0.0},
                                     {"rules_evaluated_per_packet", e.rules_evaluated_per_packet}};
        if (e.lookup_ns_per_packet > 0) {
            je["lookup_ns_per_packet"] = e.lookup_ns_per_packet;
            je["lookup_disagreements"] = e.lookup_disagreements;
        }
        if (!e.details.is_null()) je[e.name == "compiled" ? "compiled" : "details"] = e.details;
        engines.push_back(je);
    }
    j["engines"] = engines;
    j["timing"] = {{"ns_per_packet", "the whole walk from packets: each key made, looked up, the counters bumped (every engine the same)"},
                   {"lookup_ns_per_packet",
                    "the lookup alone over keys made beforehand, bursts of 64: each key's first matching rule "
                    "(rte_acl_classify's question), where an engine has one and the first match decides"}};
    if (r.engines.size() > 1) j["engines_agree"] = r.disagreement_count == 0;
    if (r.disagreement_count) j["packets_where_engines_disagree"] = r.disagreement_count;
    if (r.has_generating_rules) j["first_match_differs_from_generating_rule"] = r.generating_rule_disagreements;
    if (!r.ruleset->warnings.empty()) {
        auto warnings = nlohmann::ordered_json::array();
        for (const auto& w : r.ruleset->warnings) warnings.push_back({{"line", w.line}, {"column", w.column}, {"message", w.message}});
        j["warnings"] = warnings;
    }
    if (!r.ruleset->skipped.empty()) {
        auto skipped = nlohmann::ordered_json::array();
        for (const auto& s : r.ruleset->skipped) skipped.push_back({{"line", s.line}, {"reason", s.reason}});
        j["skipped_rules"] = skipped;
    }
    os << j.dump(2) << '\n';
}

void write_summary(std::ostream& os, const RunReport& r) {
    os << "fwbench: " << r.rules_path << " (" << r.format << ", " << r.ruleset->rule_count() << " rules)";
    if (!r.trace_path.empty()) os << ", trace " << r.trace_path;
    os << '\n';
    if (!r.ruleset->skipped.empty()) os << "  skipped " << r.ruleset->skipped.size() << " rules that did not parse (--lenient)\n";
    if (r.trace_path.empty()) {
        // Nothing was classified: a table of engines timed over no packets would say nothing.
        os << "  read and checked; no packets given (--trace with a ClassBench trace, or --pcap with --host for iptables)\n";
        return;
    }
    if (r.engines.empty()) return;
    const EngineRun& ref = r.engines.front();
    os << "  packets: " << ref.outcomes.size() << '\n';
    for (const auto& [name, n] : verdict_counts(ref)) {
        double pct = ref.outcomes.empty() ? 0 : 100.0 * static_cast<double>(n) / static_cast<double>(ref.outcomes.size());
        os << "    " << std::left << std::setw(8) << name << std::right << std::setw(12) << n << "  (" << std::fixed << std::setprecision(1) << pct
           << "%)\n";
    }
    if (r.has_generating_rules)
        os << "  first match differs from the trace's generating rule for " << r.generating_rule_disagreements
           << " packets (expected: ClassBench's RULE column names the generating rule, not the first match)\n";
    os << "  engine        build s   memory MiB   ns/packet     Mpps   rules evaluated/packet\n";
    for (const auto& e : r.engines) {
        if (e.details.contains("not_applicable")) {
            os << "  " << std::left << std::setw(12) << e.name << std::right << "  not applicable: " << e.details["not_applicable"].get<std::string>()
               << '\n';
            continue;
        }
        os << "  " << std::left << std::setw(12) << e.name << std::right << std::setw(9) << std::setprecision(3) << e.build_seconds << std::setw(13)
           << std::setprecision(2) << static_cast<double>(e.memory_bytes) / (1 << 20) << std::setw(12) << std::setprecision(1) << e.ns_per_packet
           << std::setw(9) << std::setprecision(2) << (e.ns_per_packet > 0 ? 1000.0 / e.ns_per_packet : 0.0) << std::setw(15) << std::setprecision(1)
           << e.rules_evaluated_per_packet;
        if (e.details.contains("algorithm")) os << "   (" << e.details["algorithm"].get<std::string>() << ")";
        os << '\n';
    }
    os << "  ns/packet: the whole walk from packets (keys made, looked up, counters bumped), the same for every engine\n";
    bool lookups = false;
    for (const auto& e : r.engines) lookups |= e.lookup_ns_per_packet > 0;
    if (lookups) {
        os << "  the lookup alone, over keys made beforehand (bursts of 64, first matching rule):\n";
        for (const auto& e : r.engines) {
            if (e.details.contains("not_applicable")) continue;
            os << "    " << std::left << std::setw(10) << e.name << std::right;
            if (e.lookup_ns_per_packet <= 0) {
                os << "  none apart from its walk\n";
                continue;
            }
            os << std::setw(8) << std::setprecision(1) << e.lookup_ns_per_packet << " ns/packet" << std::setw(9) << std::setprecision(2)
               << 1000.0 / e.lookup_ns_per_packet << " Mpps";
            if (e.lookup_disagreements) os << "   DISAGREES with its own walk on " << e.lookup_disagreements << " packets";
            os << '\n';
        }
    }
    if (r.engines.size() > 1) {
        if (r.disagreement_count == 0) os << "  the engines agree on every packet (verdict and deciding rule)\n";
        else os << "  the engines DISAGREE on " << r.disagreement_count << " packets\n";
    }
    if (r.used_random) os << "  statistic --mode random was evaluated with seed " << r.seed << " (deterministic)\n";
}

}  // namespace fwbench
