#include "kernel_check_run.hpp"

#include <iostream>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/packet_source.hpp"
#include "host_notes.hpp"
#include "running_host.hpp"

namespace fwbench {

// Runs fwbench and the real kernel on the same inputs and prints where their counters differ.
CLI::App* add_kernel_check_command(CLI::App& app, KernelCheckCli& cli) {
    auto* check = app.add_subcommand("kernel-check", "replay the same packets into the real kernel (network namespaces) and compare counters");
    check->add_option("--rules", cli.sources.rules_path, "iptables-save ruleset (default: the running host's)");
    check->add_option("--host", cli.sources.host_path, "host JSON (fwbench dump-host)");
    check->add_option("--ipsets", cli.sources.ipsets_path, "ipset save output for -m set");
    check->add_option("--pcap", cli.pcap, "capture to replay");
    check->add_option("--iface", cli.iface, "interface for captures that carry none");
    check->add_flag("--legacy", cli.legacy, "load the ruleset with iptables-legacy instead of iptables-nft");
    check->add_flag("--pace", cli.pace,
                    "send packets at their capture timestamps (t=), so limit, hashlimit and recent --seconds see the gaps fwbench sees");
    check->add_flag("--shrink", cli.shrink, "on a disagreement, shrink it to a minimal reproduction (fwbench-repro.v4 and -host.json here)");
    check->add_option("packets", cli.packets, "packet descriptions, as for explain");
    return check;
}

int run_kernel_check(const KernelCheckCli& cli) {
    const SourceOptions& o = cli.sources;
    const std::vector<std::string>& packets = cli.packets;
    const bool legacy = cli.legacy, shrink = cli.shrink, pace = cli.pace;
    const std::string &pcap = cli.pcap, &iface = cli.iface;
    std::string why;
    if (!KernelOracle::available(&why)) throw std::runtime_error("the kernel replay cannot run here: " + why);
    auto ipsets = load_ipsets(o);
    Host host = load_host(o);
    Ruleset rs = load_ruleset(o, ipsets ? &*ipsets : nullptr);
    if (rs.family != Family::ipv4) throw std::runtime_error("kernel-check replays IPv4 rulesets (the IPv6 path is not modelled yet)");
    // The kernel loads it with the backend asked for, so fwbench models that one.
    rs.backend = legacy ? Backend::legacy : Backend::nf_tables;
    rs.backend_reason = legacy ? "kernel-check --legacy" : "kernel-check";
    PacketPath path(rs, host, ipsets ? &*ipsets : nullptr);
    PathState st(rs, EngineOptions{}, host.sysctl());
    KernelOracleOptions kopt;
    kopt.legacy = legacy;
    kopt.pace = pace;
    if (!o.ipsets_path.empty()) kopt.ipsets = slurp(o.ipsets_path);
    // The kernel reads the user's own file, and reads it back: a rule fwbench reads otherwise is
    // reported. (Rules --lenient skipped would be loaded by the kernel alone: then fwbench's
    // printing of what it read is loaded instead.)
    if (!o.rules_path.empty() && rs.skipped.empty()) kopt.ruleset_text = slurp(o.rules_path);
    DifferentialRun kernel(host, rs, kopt);
    std::uint64_t injected = 0, not_injected = 0;
    DifferentialCase replayed{rs, {}};
    // Packets are named as --verdicts and explain name them: a capture record by its index,
    // a description by its place on the command line.
    auto send = [&](const Packet& input, Origin origin, const PathResult& r, std::string label) {
        kernel.send(input, origin, r, std::move(label));
        if (shrink) replayed.packets.push_back({packet_as_sent(input, origin, r), origin});
        ++injected;
    };
    const bool trace = kernel.traced();
    if (!pcap.empty()) {
        ensure_eal();
        MbufPool pool("fwbench_check", 4095);
        CaptureFileSource source(pcap, pool.get());
        CaptureAnalysis replay(path, st, {iface, trace, 2000000000ull});
        rte_mbuf* burst[32];
        std::vector<std::uint8_t> scratch;
        AnalyzedPacket rp;
        while (std::uint16_t n = source.rx_burst(burst, 32)) {
            for (std::uint16_t i = 0; i < n; ++i) {
                replay.feed(frame_view(burst[i], scratch), rp);
                if (rp.origin == CaptureOrigin::wire || rp.origin == CaptureOrigin::local)
                    send(rp.input, rp.path_origin, rp.result, "packet " + std::to_string(rp.index));
                else ++not_injected;
            }
            rte_pktmbuf_free_bulk(burst, n);
        }
    }
    for (std::size_t i = 0; i < packets.size(); ++i) {
        PacketDescription d = parse_packet_description(packets[i], "packet " + std::to_string(i + 1));
        if (!d.local && d.packet.in.empty())
            throw std::runtime_error("packet " + std::to_string(i + 1) + ": say where it comes from: 'from local' or 'in IFACE'");
        Origin origin = d.local ? Origin::local : Origin::wire;
        send(d.packet, origin, path.process(d.packet, origin, st, trace), "described packet " + std::to_string(i + 1));
    }
    DifferentialResult result = kernel.finish(st.engine, ipsets ? &*ipsets : nullptr);
    std::cout << "kernel-check: " << injected << " packets replayed into the kernel (" << (legacy ? "iptables-legacy" : "iptables-nft") << ")"
              << (not_injected ? ", " + std::to_string(not_injected) + " capture records not replayed (copies, malformed, skipped)" : "") << "\n";
    write_assumptions(std::cout, host, "  ");
    if (!kopt.ruleset_text.empty() && result.readback.empty())
        std::cout << "  the kernel loaded " << o.rules_path << " as written and reads every rule and policy as fwbench does\n";
    else if (kopt.ruleset_text.empty())
        std::cout << "  the kernel was given fwbench's printing of the ruleset ("
                  << (o.rules_path.empty() ? "the running host's" : "rules --lenient skipped") << "), not the text itself\n";
    if (result.agree()) {
        std::cout << "  fwbench and the kernel agree on every rule and policy counter"
                  << (trace ? " and, packet by packet, on the rules that counted each packet (nf_tables trace)" : "") << "\n";
        return 0;
    }
    if (!result.readback.empty()) {
        std::cout << "  the kernel reads " << result.readback.size() << " rules or policies of " << o.rules_path << " differently from fwbench:\n";
        for (const auto& d : result.readback) std::cout << "    " << describe_readback(d) << "\n";
    }
    if (!result.counters.empty()) std::cout << "  " << result.counters.size() << " counters differ (packets/bytes):\n";
    for (const auto& d : result.counters) std::cout << "    " << describe_difference(d) << "\n";
    if (result.packets_differing) {
        std::cout << "  " << result.packets_differing << " of " << result.packets_compared
                  << " packets were counted by different rules (nf_tables trace; first " << result.packets.size() << "):\n";
        DifferentialResult packets_only;
        packets_only.packets = result.packets;
        packets_only.packets_differing = result.packets_differing;
        std::cout << packets_only.report("    ");
    }
    if (shrink) {
        std::cout << "  shrinking (one kernel replay per attempt)...\n" << std::flush;
        kopt.ruleset_text.clear();  // each attempt loads its own smaller ruleset
        DifferentialCase small = shrink_disagreement(host, host, replayed, kopt);
        std::string host_json = o.host_path.empty() ? dump_running_host() : slurp(o.host_path);
        std::cout << "  minimal reproduction (" << small.packets.size() << " packets, " << small.ruleset.rule_count() << " rules):\n    "
                  << reproduction(small, host_json, ".", "fwbench-repro", kopt.ipsets) << "\n";
    }
    return 1;
}

}  // namespace fwbench
