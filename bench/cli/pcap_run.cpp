#include "pcap_run.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_source.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "host_notes.hpp"
#include "output.hpp"

namespace fwbench {

namespace {

struct Outcome {
    std::string verdict, where;  // verdict line fields
};

Outcome outcome_of(const AnalyzedPacket& rp, const Ruleset& rs) {
    switch (rp.origin) {
        case CaptureOrigin::malformed: return {"MALFORMED", "capture:" + rp.reason + ":0"};
        case CaptureOrigin::skipped: return {"SKIPPED", "capture:" + rp.reason + ":0"};
        case CaptureOrigin::forwarded_copy: return {"COPY", "of:" + std::to_string(rp.copy_of)};
        default: break;
    }
    const PathResult& r = rp.result;
    std::string verdict = r.fate == Fate::rejected ? "REJECT" : r.fate == Fate::queued ? "QUEUE" : r.fate == Fate::dropped ? "DROP" : "ACCEPT";
    if (r.reason != DropReason::none && r.reason != DropReason::netfilter)
        return {verdict, std::string("kernel:") + drop_reason_name(r.reason) + ":0"};
    if (r.walks.empty()) return {verdict, "-:-:0"};
    const HookWalk& w = r.walks.back();
    const Table& t = rs.tables[w.table];
    int chain = w.walk.chain >= 0 ? w.walk.chain : t.find_chain(hook_chain_name(w.hook));
    return {verdict, t.name + ":" + t.chains[static_cast<std::size_t>(chain)].name + ":" + std::to_string(w.walk.rule + 1)};
}

}  // namespace

int run_pcap(const PcapRunOptions& o) {
    auto ipsets = load_ipsets(o.sources);
    Host host = load_host(o.sources);
    Ruleset rs = load_ruleset(o.sources, ipsets ? &*ipsets : nullptr);
    ensure_eal(o.eal_args);
    PacketPath path(rs, host, ipsets ? &*ipsets : nullptr, make_engine(o, rs, host, ipsets ? &*ipsets : nullptr));
    EngineOptions eopt;
    eopt.seed = o.seed;
    PathState st(rs, eopt, host.sysctl());
    MbufPool pool("fwbench_capture", 4095);
    CaptureFileSource source(o.pcap, pool.get());
    CaptureAnalysisOptions ropt;
    ropt.iface = o.iface;
    ropt.allow_unknown_interfaces = o.keep_going;
    CaptureAnalysis replay(path, st, ropt);

    std::unique_ptr<Output> verdicts;
    if (!o.verdicts.empty()) verdicts = std::make_unique<Output>(o.verdicts);

    std::map<std::string, std::uint64_t> origins, verdict_counts, reasons;
    std::map<std::string, std::map<std::string, std::uint64_t>> fates;  // origin -> fate -> n
    std::map<std::string, std::uint64_t> dropped_at;  // "table CHAIN rule N" -> n
    // Per hook and origin: packets that traversed the hook, and those it dropped/rejected.
    std::map<std::string, std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>> hooks;
    std::uint64_t packets = 0, processed = 0, path_ns = 0, evaluated = 0;
    auto account = [&](const AnalyzedPacket& rp) {
        ++packets;
        std::string origin = capture_origin_name(rp.origin);
        ++origins[origin];
        Outcome oc = outcome_of(rp, rs);
        ++verdict_counts[oc.verdict];
        if (verdicts) verdicts->stream() << rp.index << '\t' << oc.verdict << '\t' << oc.where << '\n';
        if (rp.origin == CaptureOrigin::malformed || rp.origin == CaptureOrigin::skipped) {
            ++reasons[rp.reason];
            return;
        }
        if (rp.origin == CaptureOrigin::forwarded_copy) return;
        ++processed;
        path_ns += rp.path_ns;
        for (const auto& w : rp.result.walks) evaluated += w.walk.rules_evaluated;
        ++fates[origin][fate_name(rp.result.fate)];
        for (Hook h : rp.result.hooks) ++hooks[hook_chain_name(h)][origin].first;
        if (rp.result.reason == DropReason::netfilter && !rp.result.hooks.empty()) ++hooks[hook_chain_name(rp.result.hooks.back())][origin].second;
        if (rp.result.reason == DropReason::netfilter) {
            const HookWalk& w = rp.result.walks.back();
            const Table& t = rs.tables[w.table];
            std::string where = t.name + " " + hook_chain_name(w.hook);
            if (w.walk.rule >= 0) {
                const Chain& c = t.chains[static_cast<std::size_t>(w.walk.chain)];
                where += " rule " + std::to_string(w.walk.rule + 1) + ": " + format_rule(c.rules[static_cast<std::size_t>(w.walk.rule)], c.name);
            } else {
                where += " policy";
            }
            ++dropped_at[where];
        } else if (rp.result.reason != DropReason::none) {
            ++reasons[drop_reason_name(rp.result.reason)];
        }
    };
    // The capture enters as bursts of mbufs, as packets from DPDK ports do; each burst is
    // processed, then its mbufs go back to the pool.
    rte_mbuf* burst[32];
    std::vector<std::uint8_t> scratch;
    while (std::uint16_t n = source.rx_burst(burst, 32)) {
        for (std::uint16_t i = 0; i < n; ++i) account(replay.feed(frame_view(burst[i], scratch)));
        rte_pktmbuf_free_bulk(burst, n);
    }
    if (source.truncated()) spdlog::warn("{}: the file ends inside packet {} (truncated capture): read {} packets", o.pcap, packets, packets);

    write_counters(o, rs, st.engine);
    double ns_per_packet = processed ? static_cast<double>(path_ns) / static_cast<double>(processed) : 0;
    double evaluated_per_packet = processed ? static_cast<double>(evaluated) / static_cast<double>(processed) : 0;
    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["rules"] = rs.source;
        j["backend"] = {{"name", backend_name(rs.backend)}, {"why", rs.backend_reason}};
        j["capture"] = o.pcap;
        j["assumptions"] = nlohmann::ordered_json::array();
        for (const auto& a : host.assumptions()) j["assumptions"].push_back(a.text);
        j["packets"] = packets;
        j["truncated"] = source.truncated();
        j["origins"] = origins;
        j["verdicts"] = verdict_counts;
        j["fates"] = fates;
        j["drop_reasons"] = reasons;
        j["dropped_by_rule"] = dropped_at;
        nlohmann::ordered_json jh = nlohmann::ordered_json::object();
        for (const auto& [hook, by_origin] : hooks)
            for (const auto& [origin, counts] : by_origin) jh[hook][origin] = {{"traversed", counts.first}, {"dropped", counts.second}};
        j["hooks"] = jh;
        j["unseen_forwarded_copies"] = replay.unseen_predicted_copies();
        j["connections"] = st.conntrack.size();
        j["random"] = {{"deterministic", true}, {"seed", o.seed}, {"used", st.engine.used_random()}};
        j["engines"] = nlohmann::ordered_json::array({{{"name", o.engine},
                                                       {"ns_per_packet", ns_per_packet},
                                                       {"rules_evaluated_per_packet", evaluated_per_packet},
                                                       {"details", stats_json(path.engine().stats())}}});
        Output out(o.json);
        out.stream() << j.dump(2) << '\n';
    }
    if (!o.quiet) {
        bool stdout_used = o.verdicts == "-" || o.counters == "-" || o.json == "-";
        std::ostream& os = stdout_used ? std::cerr : std::cout;
        os << "fwbench: " << rs.source << " (" << rs.rule_count() << " rules, loaded by " << backend_name(rs.backend) << ") on capture " << o.pcap
           << "\n";
        write_assumptions(os, host, "  ");
        os << "  packets: " << packets << (source.truncated() ? " (the file is truncated)" : "") << "\n";
        static const char* origin_text[][2] = {{"wire", "from the wire"},
                                               {"local", "generated by the host"},
                                               {"forwarded_copy", "outbound copies of forwarded packets (counted once)"},
                                               {"malformed", "malformed"},
                                               {"skipped", "not IPv4 (skipped)"}};
        for (const auto& [key, text] : origin_text)
            if (origins.count(key)) os << "    " << std::setw(8) << origins[key] << "  " << text << "\n";
        os << "  what happened, by origin:\n";
        for (const auto& [origin, f] : fates) {
            os << "    " << std::left << std::setw(7) << origin << std::right;
            for (const auto& [fate, n] : f) os << "  " << fate << " " << n;
            os << "\n";
        }
        if (!hooks.empty()) {
            os << "  hooks (packets traversed / dropped there), by origin:\n";
            for (Hook h : {Hook::prerouting, Hook::input, Hook::forward, Hook::output, Hook::postrouting}) {
                auto it = hooks.find(hook_chain_name(h));
                if (it == hooks.end()) continue;
                os << "    " << std::left << std::setw(12) << it->first << std::right;
                for (const auto& [origin, counts] : it->second) os << "  " << origin << " " << counts.first << "/" << counts.second;
                os << "\n";
            }
        }
        if (!dropped_at.empty()) {
            os << "  dropped or rejected by rules:\n";
            for (const auto& [where, n] : dropped_at) os << "    " << std::setw(8) << n << "  " << where << "\n";
        }
        if (!reasons.empty()) {
            os << "  dropped by the kernel outside netfilter, or not processed:\n";
            for (const auto& [why, n] : reasons) os << "    " << std::setw(8) << n << "  " << why << "\n";
            for (const auto& [why, n] : reasons)
                if (std::string hint = assumption_hint(host, why, n, processed); !hint.empty()) os << "  note: " << hint << "\n";
        }
        if (replay.unseen_predicted_copies())
            os << "  " << replay.unseen_predicted_copies() << " forwarded packets whose outbound copy is not in the capture\n";
        os << "  rules that matched (packets, bytes):\n";
        for (std::size_t ti = 0; ti < rs.tables.size(); ++ti)
            for (std::size_t ci = 0; ci < rs.tables[ti].chains.size(); ++ci) {
                const Chain& c = rs.tables[ti].chains[ci];
                for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                    Counters k = st.engine.rule(ti, ci, ri);
                    if (k.packets)
                        os << "    " << std::setw(8) << k.packets << std::setw(10) << k.bytes << "  " << rs.tables[ti].name << "  "
                           << format_rule(c.rules[ri], c.name) << "\n";
                }
                if (c.builtin) {
                    Counters k = st.engine.policy(ti, ci);
                    if (k.packets)
                        os << "    " << std::setw(8) << k.packets << std::setw(10) << k.bytes << "  " << rs.tables[ti].name << "  :" << c.name
                           << " policy " << (c.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT") << "\n";
                }
            }
        os << "  packet path: " << std::fixed << std::setprecision(0) << ns_per_packet << " ns/packet, " << std::setprecision(1)
           << evaluated_per_packet << " rules evaluated per packet (" << o.engine << " engine)\n";
    }
    return 0;
}

}  // namespace fwbench
