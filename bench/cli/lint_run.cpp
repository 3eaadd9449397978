#include "lint_run.hpp"

#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "fwbench/capture.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/ruleset_lint.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "sources.hpp"

namespace fwbench {
namespace {

const char* severity_name(LintFinding::Severity s) { return s == LintFinding::Severity::warning ? "warning" : "note"; }

// With a capture: the rules no packet of it counted, as one finding.
void unhit_rules(const LintCli& cli, const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, LintReport& report) {
    PacketPath path(rs, host, ipsets);
    PathState st(rs, EngineOptions{}, host.sysctl());
    CaptureReader reader(cli.pcap);
    CaptureAnalysisOptions opt;
    opt.iface = cli.iface;
    CaptureAnalysis analysis(path, st, opt);
    CaptureRecord rec;
    std::uint64_t packets = 0;
    while (reader.next(rec)) {
        const AnalyzedPacket a = analysis.feed(rec);
        packets += a.origin == CaptureOrigin::wire || a.origin == CaptureOrigin::local;
    }
    LintFinding f;
    f.severity = LintFinding::Severity::note;
    f.kind = "unhit";
    for (std::size_t t = 0; t < rs.tables.size(); ++t)
        for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c)
            for (std::size_t r = 0; r < rs.tables[t].chains[c].rules.size(); ++r)
                if (st.engine.rule(t, c, r).packets == 0) f.rules.push_back(rule_label(rs.tables[t], rs.tables[t].chains[c], r));
    if (f.rules.empty()) return;
    f.message = std::to_string(f.rules.size()) + " of " + std::to_string(rs.rule_count()) + " rules counted none of the " + std::to_string(packets) +
                " packets of " + cli.pcap;
    report.findings.push_back(std::move(f));
}

}  // namespace

CLI::App* add_lint_command(CLI::App& app, LintCli& cli) {
    auto* cmd = app.add_subcommand("lint", "what is likely wrong with a ruleset on its host: each finding with its rules and a packet that shows it");
    cmd->add_option("--rules", cli.rules, "the ruleset (iptables-save text)")->required();
    cmd->add_option("--host", cli.host_path, "host JSON: ip -j addr, or {addr, route, rule, sysctl} (fwbench dump-host)");
    cmd->add_option("--ipsets", cli.ipsets_path, "ipset save output for -m set");
    cmd->add_option("--pcap", cli.pcap, "a capture: also the rules none of its packets hit (needs --host)");
    cmd->add_option("--iface", cli.iface, "interface for captures that carry none");
    cmd->add_option("--family", cli.family, "4 or 6 (default: from the ruleset)")->check(CLI::IsMember({0, 4, 6}));
    cmd->add_option("--backend", cli.backend, "iptables backend: nft or legacy (default: the ruleset's header)")
        ->check(CLI::IsMember({"nft", "legacy"}));
    cmd->add_option("--json", cli.json, "the findings as JSON (file or -)");
    cmd->footer(
        "Findings: the host's own connections dropped (they arrive on lo), port-forwards the host's own and other networks' connections miss,\n"
        "rules that never match (with the rules that shadow them) or are never reached, chains never jumped to, policies that never decide,\n"
        "redundant rules (removing them changes no decision, proved over all packets), interfaces the host does not have, rules a capture\n"
        "never hit. Exit status: 0 no warning, 1 warnings, 2 bad input.");
    return cmd;
}

int run_lint(const LintCli& cli) {
    SourceOptions src;
    src.host_path = cli.host_path;
    src.ipsets_path = cli.ipsets_path;
    std::optional<Host> host;
    if (!cli.host_path.empty()) host = load_host(src);
    const std::optional<IpsetRegistry> ipsets = load_ipsets(src);
    const IpsetRegistry* sets = ipsets ? &*ipsets : nullptr;
    RulesetParseOptions popt;
    popt.ipsets = sets;
    Ruleset rs = parse_ruleset_file_of_family(cli.rules, popt, cli.family);
    if (!cli.backend.empty()) rs.backend = cli.backend == "legacy" ? Backend::legacy : Backend::nf_tables;
    if (!cli.pcap.empty() && !host) throw std::runtime_error("lint --pcap needs --host: the capture goes through the host's packet path");

    LintReport report = lint_ruleset(rs, host ? &*host : nullptr, sets);
    if (!cli.pcap.empty()) unhit_rules(cli, rs, *host, sets, report);

    std::ostream& out = cli.json == "-" ? std::cerr : std::cout;
    out << "lint: " << cli.rules << " (" << rs.rule_count() << (rs.rule_count() == 1 ? " rule)" : " rules)")
        << (host ? " on " + cli.host_path : std::string()) << "\n";
    for (const LintFinding& f : report.findings) {
        out << "\n  " << severity_name(f.severity) << " [" << f.kind << "] " << f.message << "\n";
        // The rules the message and the details do not already name.
        for (const auto& r : f.rules) {
            bool named = f.message.find(r) != std::string::npos;
            for (const auto& d : f.details) named |= d.find(r) != std::string::npos;
            if (!named) out << "    rule: " << r << "\n";
        }
        for (const auto& d : f.details) out << "    " << d << "\n";
        if (f.demo) out << "    packet: " << f.demo->text << "\n      " << f.demo->outcome << "\n";
    }
    for (const auto& s : report.skipped) out << "\n  not checked: " << s << "\n";
    if (!report.limits.opaque.empty() || !report.limits.history.empty()) {
        out << "\n  taken as free atoms over all packets (any answer):";
        for (const auto* set : {&report.limits.history, &report.limits.opaque})
            for (const auto& m : *set) out << "\n    " << m;
        out << "\n";
    }
    const std::size_t warnings = report.warnings();
    out << "\n"
        << report.findings.size() << " finding" << (report.findings.size() == 1 ? "" : "s") << ": " << warnings << " warning"
        << (warnings == 1 ? "" : "s") << ", " << report.findings.size() - warnings << " note" << (report.findings.size() - warnings == 1 ? "" : "s")
        << "\n";

    if (!cli.json.empty()) {
        nlohmann::ordered_json j;
        j["rules"] = cli.rules;
        j["rule_count"] = rs.rule_count();
        j["findings"] = nlohmann::ordered_json::array();
        for (const LintFinding& f : report.findings) {
            nlohmann::ordered_json fj = {
                {"severity", severity_name(f.severity)}, {"kind", f.kind}, {"message", f.message}, {"rules", f.rules}, {"details", f.details}};
            if (f.demo) fj["packet"] = {{"packet", f.demo->text}, {"outcome", f.demo->outcome}};
            j["findings"].push_back(fj);
        }
        j["not_checked"] = report.skipped;
        j["warnings"] = warnings;
        if (cli.json == "-") std::cout << j.dump(2) << "\n";
        else std::ofstream(cli.json) << j.dump(2) << "\n";
    }
    return warnings ? 1 : 0;
}

}  // namespace fwbench
