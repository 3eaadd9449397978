#include "optimize_run.hpp"

#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "fwbench/capture.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/ruleset_optimize.hpp"
#include "fwbench/walk_cost.hpp"
#include "rule_traffic.hpp"
#include "sources.hpp"

namespace fwbench {
namespace {

using Traffic = std::vector<std::pair<Packet, Origin>>;

// A capture's packets keep their bytes in `store` (-m string reads them when the traffic is walked).
Traffic traffic_of(const OptimizeCli& cli, const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, DatagramStore& store) {
    if (cli.pcap.empty()) return traffic_for_ruleset(rs, host, cli.seed, cli.random_packets, true);
    Traffic out;
    PacketPath path(rs, host, ipsets);
    PathState st(rs, EngineOptions{}, host.sysctl());
    CaptureReader reader(cli.pcap);
    CaptureAnalysisOptions opt;
    opt.iface = cli.iface;
    CaptureAnalysis analysis(path, st, opt);
    CaptureRecord rec;
    while (reader.next(rec)) {
        const AnalyzedPacket a = analysis.feed(rec);
        if (a.origin != CaptureOrigin::wire && a.origin != CaptureOrigin::local) continue;
        Packet p = a.input;
        store.keep(p);
        out.emplace_back(p, a.origin == CaptureOrigin::local ? Origin::local : Origin::wire);
    }
    return out;
}

struct Run {
    RuleHits hits;
    WalkCost cost;
};

// The traffic through the ruleset: each rule's hits and what the walks tested.
Run run_traffic(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, const Traffic& traffic) {
    PacketPath path(rs, host, ipsets);
    PathState st(rs, EngineOptions{}, host.sysctl());
    DatagramRewriter datagram;
    st.engine.datagram = &datagram;
    Run run;
    for (const auto& [p, origin] : traffic) run.cost += walk_cost(rs, path.process(p, origin, st, true), host, ipsets);
    run.hits = rule_hits(rs, st.engine);
    return run;
}

std::string ratio(double before, double after) {
    if (before <= 0 || after <= 0) return "no ratio: nothing tested";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fx", before / after);
    return buf;
}

std::string per_packet(std::uint64_t total, std::size_t packets, int digits = 2) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, packets ? static_cast<double>(total) / static_cast<double>(packets) : 0.0);
    return buf;
}

}  // namespace

CLI::App* add_optimize_command(CLI::App& app, OptimizeCli& cli) {
    auto* cmd = app.add_subcommand("optimize", "a ruleset that decides exactly as the given one (proved) and tests fewer rules on the traffic");
    cmd->add_option("--rules", cli.rules, "the ruleset (iptables-save text)")->required();
    cmd->add_option(
        "--host", cli.host_path,
        "host JSON: ip -j addr, or {addr, route, rule, sysctl} (fwbench dump-host); default: a forwarding host with the devices the rules name");
    cmd->add_option("--ipsets", cli.ipsets_path, "ipset save output for -m set");
    cmd->add_option("--pcap", cli.pcap, "the traffic to optimize for (default: packets aimed at every rule, and random ones)");
    cmd->add_option("--iface", cli.iface, "interface for captures that carry none");
    cmd->add_option("-o,--output", cli.output, "where to write the optimized ruleset (iptables-save form)")->required();
    cmd->add_option("--json", cli.json, "the report as JSON (file or -)");
    cmd->add_option("--family", cli.family, "4 or 6 (default: from the ruleset)")->check(CLI::IsMember({0, 4, 6}));
    cmd->add_option("--seed", cli.seed, "seed of the generated traffic");
    cmd->add_option("--random-packets", cli.random_packets, "generated traffic: random packets beside those aimed at rules");
    cmd->footer(
        "Rewrites: adjacent rules that differ only in one TCP/UDP destination port merged into -m multiport; rules the traffic hits\n"
        "more often moved above rules they commute with (both end the walk, and no packet matches both or they decide alike; never\n"
        "a rule with limit, recent or another history match). The result is proved to decide as the original at every hook, over\n"
        "all packets, before it is written. Exit status: 0 written, 1 refused (nothing written), 2 bad input.");
    return cmd;
}

int run_optimize(const OptimizeCli& cli) {
    SourceOptions src;
    src.host_path = cli.host_path;
    src.ipsets_path = cli.ipsets_path;
    const std::optional<IpsetRegistry> ipsets = load_ipsets(src);
    const IpsetRegistry* sets = ipsets ? &*ipsets : nullptr;
    RulesetParseOptions popt;
    popt.ipsets = sets;
    const Ruleset rs = parse_ruleset_file_of_family(cli.rules, popt, cli.family);
    // Without a host: one made from the devices the rules name (traces/rule_traffic), said below.
    const Host host = cli.host_path.empty() ? Host::from_json(host_for_ruleset(rs), "a host made from the devices the rules name") : load_host(src);

    DatagramStore kept;  // the capture's bytes, for the walks below
    const Traffic traffic = traffic_of(cli, rs, host, sets, kept);
    const Run before = run_traffic(rs, host, sets, traffic);
    OptimizeResult result = optimize_ruleset(rs, before.hits, &host, sets);

    std::ostream& out = cli.json == "-" ? std::cerr : std::cout;
    const std::string traffic_name = cli.pcap.empty() ? "packets aimed at every rule (seed " + std::to_string(cli.seed) + ")" : cli.pcap;
    out << "optimize: " << cli.rules << " (" << rs.rule_count() << " rules), for " << traffic.size() << " packets of " << traffic_name << "\n";
    if (cli.host_path.empty()) out << "  no --host: a forwarding host with the devices the rules name (documentation addresses)\n";
    nlohmann::ordered_json j;
    j["rules"] = cli.rules;
    j["packets"] = traffic.size();
    if (!result.rules) {
        out << "  refused: " << result.refused << "\n";
        for (const auto& d : result.proof.differences)
            out << "    " << hook_chain_name(d.hook) << ": original " << d.a << "; rewritten " << d.b << "\n      e.g. " << d.region << "\n";
        j["refused"] = result.refused;
    } else {
        const Ruleset& opt = *result.rules;
        const Run after = run_traffic(opt, host, &*result.ipsets, traffic);
        const KernelCostModel model = KernelCostModel::for_backend(rs.backend);
        const double kb = before.cost.ns(model), ka = after.cost.ns(model);
        out << "  " << cli.output << ": " << opt.rule_count() << " rules (" << result.merged << " merged away into multiport and set rules, "
            << result.moved << " moved above rules they commute with, " << result.branches << " chains made for a jump tree by device)\n";
        const std::string sets_path = cli.output + ".ipset";
        if (result.sets) {
            std::ofstream(sets_path) << result.ipsets_text;
            out << "  " << sets_path << ": " << result.sets << " new ipset" << (result.sets == 1 ? "" : "s") << " the rules name (ipset restore < "
                << sets_path << ", before the rules)\n";
        }
        out << "  proved to decide as the original at every hook, over all packets (" << result.proof.seconds << " s)\n";
        out << "  rules tested per packet: " << per_packet(before.cost.rules, traffic.size()) << " -> "
            << per_packet(after.cost.rules, traffic.size()) << " ("
            << ratio(static_cast<double>(before.cost.rules), static_cast<double>(after.cost.rules)) << ")\n";
        out << "  kernel estimate per packet: " << per_packet(static_cast<std::uint64_t>(kb), traffic.size(), 1) << " ns -> "
            << per_packet(static_cast<std::uint64_t>(ka), traffic.size(), 1) << " ns (" << ratio(kb, ka) << "; " << model.basis << ")\n";
        if (result.sets) out << "    (a set lookup counts as one match call: its own cost is not calibrated)\n";
        out << "  where the rules went (original -> optimized):\n";
        for (const auto& m : result.moves) {
            const bool same = m.from.size() == 1 && m.from[0] == m.to && m.chain == m.from_chain;
            if (same || m.from.empty()) continue;  // in place, or a jump tree's goto
            out << "    " << m.table << " " << m.from_chain << " rule" << (m.from.size() == 1 ? " " : "s ");
            for (std::size_t i = 0; i < m.from.size(); ++i) out << (i ? "," : "") << m.from[i];
            out << " -> " << (m.chain == m.from_chain ? std::string() : m.chain + " ") << "rule " << m.to << (m.from.size() > 1 ? " (merged)" : "")
                << "\n";
        }
        std::ofstream file(cli.output);
        if (!file) throw std::runtime_error("cannot write " + cli.output);
        file << "# fwbench optimize " << cli.rules << ": proved to decide as it at every hook\n";
        if (result.sets) file << "# needs the sets of " << sets_path << " (ipset restore < " << sets_path << ")\n";
        file << result.text;
        j["output"] = cli.output;
        j["rule_count"] = {{"before", rs.rule_count()}, {"after", opt.rule_count()}};
        j["merged"] = result.merged;
        j["moved"] = result.moved;
        j["ipsets"] = result.sets;
        if (result.sets) j["ipsets_file"] = sets_path;
        j["proof_seconds"] = result.proof.seconds;
        j["rules_tested_per_packet"] = {{"before", static_cast<double>(before.cost.rules) / static_cast<double>(traffic.size())},
                                        {"after", static_cast<double>(after.cost.rules) / static_cast<double>(traffic.size())}};
        j["kernel_estimate_ns_per_packet"] = {{"before", kb / static_cast<double>(traffic.size())},
                                              {"after", ka / static_cast<double>(traffic.size())}};
        j["moves"] = nlohmann::ordered_json::array();
        j["branches"] = result.branches;
        for (const auto& m : result.moves)
            j["moves"].push_back({{"table", m.table}, {"from_chain", m.from_chain}, {"from", m.from}, {"chain", m.chain}, {"to", m.to}});
    }
    if (!cli.json.empty()) {
        if (cli.json == "-") std::cout << j.dump(2) << "\n";
        else std::ofstream(cli.json) << j.dump(2) << "\n";
    }
    return result.rules ? 0 : 1;
}

}  // namespace fwbench
