// fwbench: what a ruleset does to traffic, and what matching costs.
//
// fwbench evaluates a ClassBench workload (filter set + header trace) or loads an iptables-save
// ruleset, runs the linear reference engine, and writes verdicts, counters, JSON and a summary.
// `fwbench explain` traces packets through a host's whole packet path; `fwbench dump-host`
// prints the running host in the form --host reads.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "explain.hpp"
#include "fwbench/capture_analysis.hpp"
#include "fwbench/packet_source.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/kernel_oracle.hpp"
#include "fwbench/classbench.hpp"
#include "fwbench/classbench_trace.hpp"
#include "fwbench/acl_classifier.hpp"
#include "fwbench/classifier_factory.hpp"
#include "fwbench/linear_engine.hpp"
#include "fwbench/parse_error.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_path.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "output.hpp"
#include "run_report.hpp"
#include "pcap_run.hpp"
#include "port_run.hpp"
#include "replay_run.hpp"
#include "running_host.hpp"
#include "sources.hpp"

namespace {

using namespace fwbench;
using Clock = std::chrono::steady_clock;

class Progress {
public:
    Progress(std::size_t total) : total_(total), enabled_(isatty(STDERR_FILENO) != 0), start_(Clock::now()) {}
    void update(std::size_t done) {
        if (!enabled_ || (done & 0xffff) != 0) return;
        auto elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        if (elapsed < 0.5) return;
        shown_ = true;
        int width = 40;
        int filled = static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total_));
        std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#') << std::string(static_cast<std::size_t>(width - filled), ' ') << "] "
                  << done << '/' << total_ << std::flush;
    }
    ~Progress() {
        if (shown_) std::cerr << "\r" << std::string(70, ' ') << "\r" << std::flush;
    }

private:
    std::size_t total_;
    bool enabled_, shown_ = false;
    Clock::time_point start_;
};

// The explanation of a packet replayed from a capture.
std::string describe_replayed(const PacketPath& path, const AnalyzedPacket& rp) {
    std::string head = "capture packet " + std::to_string(rp.index) + " on " + rp.iface + " (" + capture_origin_name(rp.origin) + ")";
    if (rp.origin == CaptureOrigin::wire || rp.origin == CaptureOrigin::local) {
        const Packet& p0 = rp.result.walks.empty() ? rp.result.final_packet : rp.result.walks.front().seen;
        head += ": " + format_protocol(p0.proto) + " " + format_ip(p0.src) + ":" + std::to_string(p0.sport) + " > " + format_ip(p0.dst) + ":" +
                std::to_string(p0.dport);
        return format_explanation(path, rp.result, head, rp.origin == CaptureOrigin::local);
    }
    if (rp.origin == CaptureOrigin::forwarded_copy)
        return "packet: " + head + "\n  the outbound copy of forwarded packet " + std::to_string(rp.copy_of) + " (explain that one)\n";
    return "packet: " + head + "\n  not processed: " + rp.reason + "\n";
}

int run_explain(const SourceOptions& o, const std::vector<std::string>& packets, std::uint64_t seed, const std::string& pcap,
                const std::string& iface) {
    auto ipsets = load_ipsets(o);
    Host host = load_host(o);
    Ruleset rs = load_ruleset(o, ipsets ? &*ipsets : nullptr);
    PacketPath path(rs, host, ipsets ? &*ipsets : nullptr);
    EngineOptions eopt;
    eopt.seed = seed;
    PathState st(rs, eopt, host.sysctl());
    bool first = true;
    auto print = [&](const std::string& text) {
        if (!first) std::cout << '\n';
        first = false;
        std::cout << text;
    };
    // PACKET is a capture index (with --pcap) or a description.
    std::vector<std::uint64_t> indexes;
    std::vector<std::string> descriptions;
    for (const auto& p : packets) {
        bool numeric = !p.empty() && p.find_first_not_of("0123456789") == std::string::npos;
        if (numeric && pcap.empty()) throw std::runtime_error("packet '" + p + "' is an index: give the capture with --pcap");
        if (numeric) indexes.push_back(std::stoull(p));
        else descriptions.push_back(p);
    }
    if (!indexes.empty()) {
        // Replay the capture, through the same mbuf pipeline as --pcap, up to the last index
        // asked for: conntrack and stateful matches then hold what they held for each packet.
        std::uint64_t last = *std::max_element(indexes.begin(), indexes.end());
        ensure_eal();
        MbufPool pool("fwbench_explain", 1023);
        CaptureFileSource source(pcap, pool.get());
        CaptureAnalysis replay(path, st, {iface, false, 2000000000ull});
        std::map<std::uint64_t, std::string> texts;
        rte_mbuf* m = nullptr;
        std::vector<std::uint8_t> scratch;
        while (source.rx_burst(&m, 1) == 1) {
            std::uint64_t index = packet_meta(m).index;
            bool wanted = std::find(indexes.begin(), indexes.end(), index) != indexes.end();
            AnalyzedPacket rp;
            replay.feed(frame_view(m, scratch), rp, wanted);
            rte_pktmbuf_free(m);
            if (wanted) texts[index] = describe_replayed(path, rp);
            if (index >= last) break;
        }
        for (auto idx : indexes) {
            auto it = texts.find(idx);
            if (it == texts.end()) throw std::runtime_error("the capture has no packet " + std::to_string(idx));
            print(it->second);
        }
    }
    for (std::size_t i = 0; i < descriptions.size(); ++i) {
        PacketDescription d = parse_packet_description(descriptions[i], "packet " + std::to_string(i + 1));
        if (!d.local && d.packet.in.empty())
            throw std::runtime_error("packet " + std::to_string(i + 1) + ": say where it comes from: 'from local' or 'in IFACE'");
        std::string note;
        if (d.established && !path.conntrack_active())
            note = "note: [established] changes nothing here: no rule of this ruleset needs conntrack, so the kernel tracks no connections\n";
        else if (d.established && !st.conntrack.seed_established(d.packet))
            throw std::runtime_error("packet " + std::to_string(i + 1) + ": [established] needs a trackable packet");
        PathResult r = path.process(d.packet, d.local ? Origin::local : Origin::wire, st, true);
        print(note + format_explanation(path, r, descriptions[i], d.local));
    }
    return 0;
}

// Runs fwbench and the real kernel on the same inputs and prints where their counters differ.
int run_kernel_check(const SourceOptions& o, const std::vector<std::string>& packets, const std::string& pcap, const std::string& iface, bool legacy,
                     bool shrink, bool pace) {
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
    DifferentialRun kernel(host, rs, kopt);
    std::uint64_t injected = 0, not_injected = 0;
    DifferentialCase replayed{rs, {}};
    auto send = [&](const Packet& input, Origin origin, const PathResult& r) {
        kernel.send(input, origin, r);
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
        while (std::uint16_t n = source.rx_burst(burst, 32)) {
            for (std::uint16_t i = 0; i < n; ++i) {
                AnalyzedPacket rp = replay.feed(frame_view(burst[i], scratch));
                if (rp.origin == CaptureOrigin::wire || rp.origin == CaptureOrigin::local) send(rp.input, rp.path_origin, rp.result);
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
        send(d.packet, origin, path.process(d.packet, origin, st, trace));
    }
    DifferentialResult result = kernel.finish(st.engine, ipsets ? &*ipsets : nullptr);
    std::cout << "kernel-check: " << injected << " packets replayed into the kernel (" << (legacy ? "iptables-legacy" : "iptables-nft") << ")"
              << (not_injected ? ", " + std::to_string(not_injected) + " capture records not replayed (copies, malformed, skipped)" : "") << "\n";
    if (result.agree()) {
        std::cout << "  fwbench and the kernel agree on every rule and policy counter"
                  << (trace ? " and, packet by packet, on the rules that counted each packet (nf_tables trace)" : "") << "\n";
        return 0;
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
        DifferentialCase small = shrink_disagreement(host, host, replayed, kopt);
        std::string host_json = o.host_path.empty() ? dump_running_host() : slurp(o.host_path);
        std::cout << "  minimal reproduction (" << small.packets.size() << " packets, " << small.ruleset.rule_count() << " rules):\n    "
                  << reproduction(small, host_json, ".", "fwbench-repro", kopt.ipsets) << "\n";
    }
    return 1;
}

int run(int argc, char** argv) {
    CLI::App app{"fwbench: what an iptables ruleset does to traffic, and what matching costs"};
    std::string rules_path, format = "iptables", trace_path, verdicts_path, counters_path, json_path, ipsets_path;
    std::string policy = "DROP", engine = "linear";
    std::uint64_t seed = 1;
    int family = 0;
    bool lenient = false, quiet = false;
    app.add_option("--rules", rules_path, "ruleset: iptables-save/iptables-restore text, or a ClassBench filter set");
    app.add_option("--format", format, "ruleset format")->check(CLI::IsMember({"iptables", "classbench"}));
    app.add_option("--trace", trace_path, "ClassBench header trace (with --format classbench)");
    app.add_option("--policy", policy, "policy of the ClassBench chain when no rule matches")->check(CLI::IsMember({"ACCEPT", "DROP"}));
    app.add_option("--ipsets", ipsets_path, "ipset contents (ipset save output) for -m set");
    app.add_option("--family", family, "4 or 6 (default: from the ruleset)")->check(CLI::IsMember({0, 4, 6}));
    app.add_flag("--lenient", lenient, "skip rules that do not parse, and list them, instead of failing");
    app.add_option("--engine", engine,
                   "classification engine: linear (the reference), compiled, acl (DPDK rte_acl for the chains of 5-tuple rules it can "
                   "express, the reference for the rest), or all "
                   "(each engine over the same preloaded packets, checked to agree on every packet; exit status 3 when they do not)")
        ->check(CLI::IsMember({"linear", "compiled", "acl", "all"}));
    app.add_option("--seed", seed, "seed for -m statistic --mode random (runs are deterministic)");
    app.add_option("--verdicts", verdicts_path, "per-packet verdicts: INDEX<TAB>VERDICT<TAB>table:CHAIN:N (file or -)");
    app.add_option("--counters", counters_path, "the ruleset with counters, iptables-save -c form (file or -)");
    app.add_option("--json", json_path, "machine-readable report (file or -)");
    app.add_flag("-q,--quiet", quiet, "no summary on the terminal");
    std::string host_path, pcap_path, iface, eal;
    app.add_option("--host", host_path, "host JSON: ip -j addr, or {addr, route, rule, sysctl} (fwbench dump-host)");
    app.add_option("--pcap", pcap_path, "capture (pcap or pcapng; tcpdump -i any works) to run through the packet path");
    app.add_option("--iface", iface, "interface for captures that carry none (plain pcap)");
    std::string backend;
    app.add_option("--backend", backend,
                   "iptables backend that loads the ruleset (default: from its '# Generated by' line; nft when there is none): "
                   "it decides whether security or nat INPUT comes first")
        ->check(CLI::IsMember({"nft", "legacy"}));
    app.add_option("--eal", eal, "extra DPDK EAL arguments, e.g. '--log-level=info'");
    std::vector<std::string> eal_rest;
    app.add_option("eal", eal_rest, "extra DPDK EAL arguments after --, e.g. -- --vdev=net_pcap0,iface=eth1");
    unsigned workers = 0;
    std::uint64_t repeat = 0;
    double duration = 0;
    bool null_path = false;
    app.add_option("--workers", workers, "replay dataplane: worker lcores replaying the capture (flows spread over them)")
        ->check(CLI::Range(1u, 128u));
    app.add_option("--repeat", repeat, "replay dataplane: passes over the capture, loaded once into memory")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    app.add_option("--duration", duration, "replay dataplane: replay for this many seconds")->check(CLI::PositiveNumber);
    app.add_flag("--null-path", null_path, "replay dataplane: the same loop without the packet path (the dataplane's own cost)");
    std::vector<std::string> port_specs;
    std::string local_port;
    double idle_stop = 0;
    bool no_forward = false;
    app.add_option("--port", port_specs, "a DPDK port and the host interface it stands for, DEV=IFACE (0=wan1, net_pcap0=lan0); repeatable")
        ->take_all()
        ->allow_extra_args(false);  // one DEV=IFACE per --port, so "--" after it starts the EAL arguments
    app.add_option("--local", local_port, "ports: a device that receives the packets delivered to the host (else counted)");
    app.add_option("--idle-stop", idle_stop, "ports: stop after this many seconds without a received packet")->check(CLI::PositiveNumber);
    app.add_flag("--no-forward", no_forward, "ports: count fates, transmit nothing");
    unsigned mbufs = 8191;
    app.add_option("--mbufs", mbufs, "ports: mbufs in the dataplane's pool (net_pcap infinite_rx needs one per packet of its file)")
        ->check(CLI::Range(1023u, 16u << 20));

    SourceOptions src;
    std::vector<std::string> explain_packets;
    auto* explain = app.add_subcommand("explain", "trace packets through the host's packet path, rule by rule");
    explain->add_option("--rules", src.rules_path, "iptables-save ruleset (default: the running host's)");
    explain->add_option("--host", src.host_path, "host JSON: ip -j addr, or {addr, route, rule, sysctl} (fwbench dump-host)");
    explain->add_option("--ipsets", src.ipsets_path, "ipset save output for -m set");
    explain->add_option("--family", src.family, "4 or 6")->check(CLI::IsMember({0, 4, 6}));
    explain->add_flag("--lenient", src.lenient, "skip rules that do not parse");
    explain->add_option("--backend", src.backend, "iptables backend: nft or legacy (default: from the ruleset's header)")
        ->check(CLI::IsMember({"nft", "legacy"}));
    explain->add_option("--seed", seed, "seed for -m statistic --mode random");
    std::string explain_pcap, explain_iface;
    explain->add_option("--pcap", explain_pcap, "capture whose packets PACKET indexes (from 0)");
    explain->add_option("--iface", explain_iface, "interface for captures that carry none");
    explain
        ->add_option("packets", explain_packets,
                     "packets, e.g. \"tcp 203.0.113.1:40000 > 203.0.113.1:22 from local\" or "
                     "\"udp 198.51.100.7:53 > 192.0.2.10:53 in wan1 [established]\", or an index into --pcap")
        ->required();
    auto* dump_host = app.add_subcommand("dump-host", "print the running host as the JSON --host reads");
    SourceOptions check_src;
    std::vector<std::string> check_packets;
    std::string check_pcap, check_iface;
    bool check_legacy = false, check_shrink = false, check_pace = false;
    auto* check = app.add_subcommand("kernel-check", "replay the same packets into the real kernel (network namespaces) and compare counters");
    check->add_option("--rules", check_src.rules_path, "iptables-save ruleset (default: the running host's)");
    check->add_option("--host", check_src.host_path, "host JSON (fwbench dump-host)");
    check->add_option("--ipsets", check_src.ipsets_path, "ipset save output for -m set");
    check->add_option("--pcap", check_pcap, "capture to replay");
    check->add_option("--iface", check_iface, "interface for captures that carry none");
    check->add_flag("--legacy", check_legacy, "load the ruleset with iptables-legacy instead of iptables-nft");
    check->add_flag("--pace", check_pace,
                    "send packets at their capture timestamps (t=), so limit, hashlimit and recent --seconds see the gaps fwbench sees");
    check->add_flag("--shrink", check_shrink, "on a disagreement, shrink it to a minimal reproduction (fwbench-repro.v4 and -host.json here)");
    check->add_option("packets", check_packets, "packet descriptions, as for explain");
    app.require_subcommand(0, 1);
    CLI11_PARSE(app, argc, argv);

    std::vector<std::string> eal_args;  // --eal's words, then what follows --
    {
        std::istringstream words(eal);
        for (std::string w; words >> w;) eal_args.push_back(w);
        eal_args.insert(eal_args.end(), eal_rest.begin(), eal_rest.end());
    }

    if (explain->parsed()) return run_explain(src, explain_packets, seed, explain_pcap, explain_iface);
    if (check->parsed()) return run_kernel_check(check_src, check_packets, check_pcap, check_iface, check_legacy, check_shrink, check_pace);
    if (dump_host->parsed()) {
        std::cout << dump_running_host();
        return 0;
    }
    if (!port_specs.empty() || !pcap_path.empty()) {
        if (engine == "all")
            throw std::runtime_error(
                "--engine all compares engines on ClassBench traces (--format classbench --trace); "
                "with --pcap or --port choose --engine linear, compiled or acl");
        if (format != "iptables") throw std::runtime_error("--pcap and --port need an iptables ruleset (--format iptables)");
    }
    RunCommon common;
    common.sources = {rules_path, host_path, ipsets_path, family, lenient, backend};
    common.counters = counters_path;
    common.json = json_path;
    common.seed = seed;
    common.quiet = quiet;
    common.engine = engine;
    common.eal_args = eal_args;
    if (!port_specs.empty()) {
        if (!pcap_path.empty())
            throw std::runtime_error("--port and --pcap are two sources: give one (a capture file as a port: --eal '--vdev=net_pcap0,rx_pcap=FILE')");
        PortRunCli pr;
        static_cast<RunCommon&>(pr) = common;
        pr.ports = port_specs;
        pr.local_port = local_port;
        pr.no_forward = no_forward;
        pr.null_path = null_path;
        pr.mbufs = mbufs;
        pr.workers = workers ? workers : 1;
        pr.duration_s = duration;
        pr.idle_stop_s = idle_stop;
        return run_port_mode(pr);
    }
    if (!pcap_path.empty()) {
        if (workers || repeat || duration > 0 || null_path) {
            if (!verdicts_path.empty())
                throw std::runtime_error("--verdicts is per packet; the replay dataplane (--workers/--repeat/--duration) reports rates and counters");
            ReplayRunOptions ro;
            static_cast<RunCommon&>(ro) = common;
            ro.pcap = pcap_path;
            ro.iface = iface;
            ro.workers = workers ? workers : 1;
            ro.repeat = repeat ? repeat : 1;
            ro.duration_s = duration;
            ro.null_path = null_path;
            return run_replay_mode(ro);
        }
        PcapRunOptions po;
        static_cast<RunCommon&>(po) = common;
        po.pcap = pcap_path;
        po.iface = iface;
        po.verdicts = verdicts_path;
        return run_pcap(po);
    }
    if (rules_path.empty()) throw std::runtime_error("--rules FILE is required (or --pcap, or a subcommand: explain, dump-host)");

    if (format == "iptables" && !trace_path.empty())
        throw std::runtime_error(
            "--trace takes a ClassBench header trace and needs --format classbench "
            "(captures of real traffic come with the packet path)");

    RunReport report;
    report.rules_path = rules_path;
    report.trace_path = trace_path;
    report.format = format;
    report.seed = seed;

    std::optional<IpsetRegistry> ipsets;
    if (!ipsets_path.empty()) ipsets = IpsetRegistry::parse(slurp(ipsets_path), ipsets_path);

    Ruleset ruleset;
    auto build_start = Clock::now();
    if (format == "classbench") {
        auto rules = read_classbench_rules(rules_path);
        ruleset = classbench_ruleset(rules, rules_path, policy == "ACCEPT" ? StandardTarget::Kind::accept : StandardTarget::Kind::drop);
        report.hook = Hook::forward;
    } else {
        RulesetParseOptions opt;
        opt.source = rules_path;
        if (family) opt.family = family == 4 ? Family::ipv4 : Family::ipv6;
        opt.ipsets = ipsets ? &*ipsets : nullptr;
        opt.lenient = lenient;
        ruleset = parse_ruleset_file(rules_path, opt);
        for (const auto& s : ruleset.skipped) spdlog::warn("skipped rule at line {}: {}", s.line, s.reason);
        for (const auto& w : ruleset.warnings) spdlog::warn("{}:{}:{}: {}", rules_path, w.line, w.column, w.message);
    }
    double build_seconds = std::chrono::duration<double>(Clock::now() - build_start).count();
    report.ruleset = &ruleset;

    EngineOptions eopt;
    eopt.seed = seed;
    BasicHostView host;
    const IpsetRegistry* sets = ipsets ? &*ipsets : nullptr;
    std::vector<std::string> engines = engine == "all" ? std::vector<std::string>{"linear", "compiled", "acl"} : std::vector<std::string>{engine};
    // One state per engine (counters, stateful matches); the first engine's is reported.
    std::vector<std::unique_ptr<EngineState>> states;
    ClassBenchTrace trace;
    if (!trace_path.empty()) trace = read_classbench_trace(trace_path);
    for (const auto& name : engines) {
        states.push_back(std::make_unique<EngineState>(ruleset, eopt));
        EngineState& state = *states.back();
        EngineRun run;
        run.name = name;
        auto engine_start = Clock::now();
        if (name == "acl") ensure_eal(eal_args);  // rte_acl allocates from DPDK memory
        std::unique_ptr<Classifier> classifier = make_classifier(name, ruleset, host, sets);
        if (const auto* acl = dynamic_cast<const AclClassifier*>(classifier.get())) {
            // The timed chain must be rte_acl's own: a run on the reference would be measured as rte_acl.
            if (auto why = acl->why_on_reference(0, report.hook)) {
                if (engine == "acl") throw std::runtime_error("--engine acl: " + *why);
                run.details = {{"not_applicable", *why}};
                report.engines.push_back(std::move(run));
                states.pop_back();
                continue;
            }
        }
        const ClassifierStats stats = classifier->stats();
        run.memory_bytes = stats.memory_bytes;
        if (nlohmann::ordered_json details = stats_json(stats); !details.empty()) run.details = details;
        if (name == "acl") run.details["timed"] = "keys, rte_acl_classify and counters, as for the other engines";
        run.build_seconds = build_seconds + std::chrono::duration<double>(Clock::now() - engine_start).count();
        if (!trace_path.empty()) {
            // Preloaded copies, so every engine starts from the same packets and no copy is timed.
            std::vector<Packet> packets = trace.packets;
            std::vector<Packet*> ptrs;
            for (auto& p : packets) ptrs.push_back(&p);
            std::vector<WalkResult> walks(packets.size());
            Progress progress(packets.size());
            auto start = Clock::now();
            constexpr std::size_t burst = 64;
            for (std::size_t i = 0; i < packets.size(); i += burst) {
                std::size_t n = std::min(burst, packets.size() - i);
                classifier->run_burst(0, report.hook, ptrs.data() + i, n, state, walks.data() + i);
                progress.update(i + n);
            }
            double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
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
        }
        report.engines.push_back(std::move(run));
    }
    if (!trace_path.empty()) {
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
    EngineState& state = *states.front();
    report.state = &state;
    report.used_random = state.used_random();

    bool stdout_used = verdicts_path == "-" || counters_path == "-" || json_path == "-";
    if (!verdicts_path.empty()) {
        if (report.engines.empty()) throw std::runtime_error("--verdicts needs packets (--trace)");
        Output out(verdicts_path);
        write_verdicts(out.stream(), report);
    }
    if (!counters_path.empty()) {
        Output out(counters_path);
        out.stream() << format_ruleset(ruleset, &state);
    }
    if (!json_path.empty()) {
        Output out(json_path);
        write_json(out.stream(), report);
    }
    if (!quiet) write_summary(stdout_used ? std::cerr : std::cout, report);
    if (report.disagreement_count) {
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
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Diagnostics go to stderr: stdout may carry --verdicts/--counters/--json output.
    spdlog::set_default_logger(spdlog::stderr_color_mt("fwbench"));
    spdlog::set_pattern("fwbench: %l: %v");
    try {
        return run(argc, argv);
    } catch (const fwbench::ParseError& e) {
        std::cerr << "fwbench: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "fwbench: " << e.what() << '\n';
        return 2;
    }
}
