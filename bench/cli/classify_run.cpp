#include "classify_run.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>

#include "fwbench/acl_classifier.hpp"
#include "fwbench/classbench.hpp"
#include "fwbench/classbench_trace.hpp"
#include "fwbench/classifier_factory.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_listing.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "run_common.hpp"
#include "run_report.hpp"
#include "sources.hpp"

namespace fwbench {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

namespace {

// The ruleset, ClassBench or iptables-save, and the hook its timed chain sits at.
Ruleset load_ruleset(const ClassifyRunOptions& o, const IpsetRegistry* ipsets, RunReport& report) {
    if (o.format == "classbench") {
        auto rules = read_classbench_rules(o.rules_path);
        report.hook = Hook::forward;
        return classbench_ruleset(rules, o.rules_path, o.policy == "ACCEPT" ? StandardTarget::Kind::accept : StandardTarget::Kind::drop);
    }
    RulesetParseOptions opt;
    opt.source = o.rules_path;
    if (o.family) opt.family = o.family == 4 ? Family::ipv4 : Family::ipv6;
    opt.ipsets = ipsets;
    opt.lenient = o.lenient;
    Ruleset ruleset = parse_ruleset_file_of_family(o.rules_path, opt, o.family);
    for (const auto& s : ruleset.skipped) spdlog::warn("skipped rule at line {}: {}", s.line, s.reason);
    for (const auto& w : ruleset.warnings) spdlog::warn("{}:{}:{}: {}", o.rules_path, w.line, w.column, w.message);
    return ruleset;
}

// The engine's lookup alone over keys made beforehand (Classifier::prepare_lookup), where it has
// one: passes over the trace until a fifth of a second has gone (three at least), and every
// answer checked against the deciding rule of the engine's own walk.
void time_lookup(const Classifier& classifier, const RunReport& report, const ClassBenchTrace& trace, EngineRun& run) {
    const std::unique_ptr<PreparedLookup> lookup = classifier.prepare_lookup(report.table, report.hook, trace.packets);
    if (!lookup || lookup->size() == 0) return;
    std::vector<std::int32_t> first(lookup->size());
    std::uint64_t passes = 0;
    const auto start = Clock::now();
    double seconds = 0;
    while (passes < 3 || seconds < 0.2) {
        lookup->run(first.data());
        ++passes;
        seconds = std::chrono::duration<double>(Clock::now() - start).count();
    }
    run.lookup_ns_per_packet = seconds * 1e9 / static_cast<double>(passes * first.size());
    for (std::size_t i = 0; i < first.size(); ++i)
        if (first[i] != run.outcomes[i].rule) ++run.lookup_disagreements;
}

// One engine built and, with a trace, timed over its own copy of the packets into `state`.
// Returns false when the engine does not apply (rte_acl cannot take the timed chain) and
// another engine is also being run; with --engine acl alone that is an error.
bool run_engine(const std::string& name, const ClassifyRunOptions& o, const Ruleset& ruleset, const IpsetRegistry* ipsets,
                const ClassBenchTrace& trace, double parse_seconds, RunReport& report, EngineState& state) {
    EngineRun run;
    run.name = name;
    const auto engine_start = Clock::now();
    if (name == "acl") ensure_eal(o.eal_args);  // rte_acl allocates from DPDK memory
    static const BasicHostView host;
    std::unique_ptr<Classifier> classifier = make_classifier(name, ruleset, host, ipsets);
    if (const auto* acl = dynamic_cast<const AclClassifier*>(classifier.get())) {
        // The timed chain must be rte_acl's own: a run on the reference would be measured as rte_acl.
        if (auto why = acl->why_on_reference(0, report.hook)) {
            if (o.engine == "acl") throw std::runtime_error("--engine acl: " + *why);
            run.details = {{"not_applicable", *why}};
            report.engines.push_back(std::move(run));
            return false;
        }
    }
    const ClassifierStats stats = classifier->stats();
    run.memory_bytes = stats.memory_bytes;
    if (nlohmann::ordered_json details = stats_json(stats); !details.empty()) run.details = details;
    if (name == "acl") run.details["timed"] = "keys, rte_acl_classify and counters, as for the other engines";
    run.build_seconds = parse_seconds + std::chrono::duration<double>(Clock::now() - engine_start).count();
    if (!o.trace_path.empty()) {
        // Preloaded copies, so every engine starts from the same packets and no copy is timed.
        std::vector<Packet> packets = trace.packets;
        std::vector<Packet*> ptrs;
        for (auto& p : packets) ptrs.push_back(&p);
        std::vector<WalkResult> walks(packets.size());
        ProgressBar progress(packets.size(), o.quiet);
        const auto start = Clock::now();
        constexpr std::size_t burst = 64;
        for (std::size_t i = 0; i < packets.size(); i += burst) {
            const std::size_t n = std::min(burst, packets.size() - i);
            classifier->run_burst(0, report.hook, ptrs.data() + i, n, state, walks.data() + i);
            progress.update(i + n, i + n);
        }
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
        if (state.reference_walks) run.details["packets_walked_by_the_reference"] = state.reference_walks;
        run.outcomes.reserve(packets.size());
        std::uint64_t evaluated = 0;
        for (const auto& w : walks) {
            run.outcomes.push_back({w.verdict, w.chain, w.rule, w.rules_evaluated});
            evaluated += w.rules_evaluated;
        }
        if (!packets.empty()) {
            run.ns_per_packet = ns / static_cast<double>(packets.size());
            run.rules_evaluated_per_packet = static_cast<double>(evaluated) / static_cast<double>(packets.size());
        }
        time_lookup(*classifier, report, trace, run);
    }
    report.engines.push_back(std::move(run));
    return true;
}

// The first engine's outcomes against the trace's generating rules and against every other engine.
void compare_outcomes(const ClassBenchTrace& trace, RunReport& report) {
    const auto& ref = report.engines.front().outcomes;
    for (std::size_t i = 0; i < trace.packets.size(); ++i) {
        if (trace.generating_rule[i] == 0) continue;
        report.has_generating_rules = true;
        if (ref[i].rule + 1 != static_cast<std::int32_t>(trace.generating_rule[i])) ++report.generating_rule_disagreements;
    }
    for (std::size_t e = 1; e < report.engines.size(); ++e)
        for (std::size_t i = 0; i < ref.size() && !report.engines[e].outcomes.empty(); ++i) {
            const auto& a = ref[i];
            const auto& b = report.engines[e].outcomes[i];
            if (a.verdict == b.verdict && a.chain == b.chain && a.rule == b.rule) continue;
            if (report.disagreement_count++ < 5) report.disagreements.push_back(i);
        }
}

void write_outputs(const ClassifyRunOptions& o, const Ruleset& ruleset, const EngineState& state, const RunReport& report) {
    const bool stdout_used = o.verdicts == "-" || o.counters == "-" || o.json == "-" || o.list == "-";
    if (!o.verdicts.empty()) {
        if (report.engines.empty()) throw std::runtime_error("--verdicts needs packets (--trace)");
        Output out(o.verdicts);
        write_verdicts(out.stream(), report);
    }
    if (!o.counters.empty()) {
        Output out(o.counters);
        out.stream() << format_ruleset(ruleset, &state);
    }
    if (!o.list.empty()) {
        Output out(o.list);
        // Without a trace the file's own counters (iptables-save -c), as iptables would list them.
        out.stream() << format_listing(ruleset, o.trace_path.empty() ? nullptr : &state);
    }
    if (!o.json.empty()) {
        Output out(o.json);
        write_json(out.stream(), report);
    }
    if (!o.quiet) write_summary(stdout_used ? std::cerr : std::cout, report);
}

// The first packets on which engines disagreed, each engine's answer: exit status 3.
int report_disagreements(const Ruleset& ruleset, const ClassBenchTrace& trace, const RunReport& report) {
    const Table& t = ruleset.tables[report.table];
    auto where = [&](const PacketOutcome& o) {
        return std::string(verdict_name(o.verdict)) + " at " +
               (o.chain >= 0 ? t.chains[static_cast<std::size_t>(o.chain)].name : std::string(hook_chain_name(report.hook))) + ":" +
               (o.rule >= 0 ? std::to_string(o.rule + 1) : std::string("policy"));
    };
    std::cerr << "fwbench: the engines disagree on " << report.disagreement_count << " packets; the first:\n";
    for (std::size_t i : report.disagreements) {
        std::cerr << "  packet " << i << " (" << format_packet_description(trace.packets[i], false) << "):";
        for (const auto& e : report.engines) std::cerr << "  " << e.name << " " << where(e.outcomes[i]);
        std::cerr << "\n";
    }
    return 3;
}

}  // namespace

int run_classify(const ClassifyRunOptions& o) {
    RunReport report;
    report.rules_path = o.rules_path;
    report.trace_path = o.trace_path;
    report.format = o.format;
    report.seed = o.seed;

    std::optional<IpsetRegistry> ipsets;
    if (!o.ipsets_path.empty()) ipsets = IpsetRegistry::parse(slurp(o.ipsets_path), o.ipsets_path);
    const IpsetRegistry* sets = ipsets ? &*ipsets : nullptr;
    const auto parse_start = Clock::now();
    const Ruleset ruleset = load_ruleset(o, sets, report);
    const double parse_seconds = std::chrono::duration<double>(Clock::now() - parse_start).count();
    report.ruleset = &ruleset;

    ClassBenchTrace trace;
    if (!o.trace_path.empty()) trace = read_classbench_trace(o.trace_path);
    EngineOptions eopt;
    eopt.seed = o.seed;
    const std::vector<std::string> engines =
        o.engine == "all" ? std::vector<std::string>{"linear", "compiled", "acl"} : std::vector<std::string>{o.engine};
    // One state per engine (counters, stateful matches); the first engine's is reported.
    std::vector<std::unique_ptr<EngineState>> states;
    for (const auto& name : engines) {
        states.push_back(std::make_unique<EngineState>(ruleset, eopt));
        if (!run_engine(name, o, ruleset, sets, trace, parse_seconds, report, *states.back())) states.pop_back();
    }
    if (!o.trace_path.empty()) compare_outcomes(trace, report);
    const EngineState& state = *states.front();
    report.state = &state;
    report.used_random = state.used_random();
    write_outputs(o, ruleset, state, report);
    return report.disagreement_count ? report_disagreements(ruleset, trace, report) : 0;
}

}  // namespace fwbench
