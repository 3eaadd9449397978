#include "pcap_run.hpp"

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fwbench/capture_analysis.hpp"
#include "fwbench/eal.hpp"
#include "fwbench/packet_log.hpp"
#include "fwbench/packet_source.hpp"
#include "fwbench/ruleset_listing.hpp"
#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"
#include "chain_notes.hpp"
#include "host_notes.hpp"
#include "output.hpp"
#include "packet_outcome.hpp"
#include "local_drop_notes.hpp"
#include "local_nat_notes.hpp"
#include "pcap_tally.hpp"
#include "progress.hpp"

namespace fwbench {

namespace {

// Every rule and policy with its counters, and the rules no packet of the capture reached
// (dead on this traffic: a candidate for removal or for a look at its order).
void add_rule_counters(nlohmann::ordered_json& j, const Ruleset& rs, const EngineState& counters) {
    auto rules = nlohmann::ordered_json::array(), policies = nlohmann::ordered_json::array(), dead = nlohmann::ordered_json::array();
    for (std::size_t ti = 0; ti < rs.tables.size(); ++ti)
        for (std::size_t ci = 0; ci < rs.tables[ti].chains.size(); ++ci) {
            const Chain& c = rs.tables[ti].chains[ci];
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                const Counters k = counters.rule(ti, ci, ri);
                nlohmann::ordered_json r = {
                    {"table", rs.tables[ti].name}, {"chain", c.name}, {"rule", ri + 1}, {"text", format_rule(c.rules[ri], c.name)}};
                if (!k.packets) dead.push_back(r);
                r["packets"] = k.packets;
                r["bytes"] = k.bytes;
                rules.push_back(r);
            }
            if (c.builtin) {
                const Counters k = counters.policy(ti, ci);
                policies.push_back({{"table", rs.tables[ti].name},
                                    {"chain", c.name},
                                    {"policy", c.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT"},
                                    {"packets", k.packets},
                                    {"bytes", k.bytes}});
            }
        }
    j["rule_counters"] = rules;
    j["policy_counters"] = policies;
    j["dead_rules"] = dead;
}

// The rules with an owner match (-m owner), named as the summary names rules: a capture
// records no sockets, so for the host's own packets they cannot be decided as the kernel does.
std::vector<std::string> owner_rules(const Ruleset& rs) {
    std::vector<std::string> out;
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri)
                for (const auto& m : c.rules[ri].matches)
                    if (std::holds_alternative<OwnerMatch>(m.spec)) {
                        out.push_back(rule_label(t, c, ri));
                        break;
                    }
    return out;
}

// Rate decisions (limit, hashlimit) that one jiffy more or less between packets would have
// turned: the capture's timestamps do not say where the kernel's jiffies fell. The rules whose
// matches had any, and how many in all.
// Rules the summary names with a count (decisions or packets) for something the capture cannot
// settle.
struct NamedRules {
    std::uint64_t count = 0;
    std::vector<std::string> rules;
};
NamedRules unsettled_rates(const Ruleset& rs, const EngineState& st) {
    NamedRules out;
    std::set<std::string> tables_counted;  // a hashlimit table shared by rules: its decisions once
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                bool named = false;
                for (const auto& m : c.rules[ri].matches) {
                    std::uint64_t n = 0;
                    if (std::holds_alternative<LimitMatch>(m.spec)) {
                        if (auto it = st.limits.find(&m); it != st.limits.end()) out.count += n = it->second.unsettled;
                    } else if (const auto* h = std::get_if<HashLimitMatch>(&m.spec)) {
                        if (auto it = st.hashlimits.find(h->name); it != st.hashlimits.end() && (n = it->second.unsettled))
                            if (tables_counted.insert(h->name).second) out.count += n;
                    }
                    named = named || n;
                }
                if (named) out.rules.push_back(rule_label(t, c, ri));
            }
    return out;
}

// Rules with a match or target decided by a named assumption (socket, cgroup, cpu, ipvs, osf,
// rateest, helper, the kernel's timezone; TPROXY's transparent sockets), each "LABEL (N
// decisions; assumed: ...)".
NamedRules assumed_rules(const Ruleset& rs, const EngineState& st) {
    NamedRules out;
    auto name = [&](const Table& t, const Chain& c, std::size_t ri, std::uint64_t n, const char* assumption) {
        out.count += n;
        out.rules.push_back(rule_label(t, c, ri) + " (" + std::to_string(n) + " decisions; assumed: " + assumption + ")");
    };
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                for (const auto& m : c.rules[ri].matches) {
                    const char* assumption = match_assumption(m.spec);
                    const auto it = assumption ? st.assumed_decisions.find(&m) : st.assumed_decisions.end();
                    if (it != st.assumed_decisions.end() && it->second) name(t, c, ri, it->second, assumption);
                }
                const Target* target = c.rules[ri].target ? &*c.rules[ri].target : nullptr;
                if (const auto it = st.assumed_target_decisions.find(target); target && it != st.assumed_target_decisions.end() && it->second.count)
                    name(t, c, ri, it->second.count, it->second.assumption);
            }
    return out;
}

// Rules that gave connections a conntrack helper (CT --helper), "LABEL (N packets)":
// the kernel's helper reads those connections' payload and expects the connections it announces
// (FTP data, SIP media), which then are RELATED; fwbench runs no helper.
NamedRules helper_rules(const Ruleset& rs, const EngineState& st) {
    NamedRules out;
    for (std::size_t ti = 0; ti < rs.tables.size(); ++ti)
        for (std::size_t ci = 0; ci < rs.tables[ti].chains.size(); ++ci) {
            const Chain& c = rs.tables[ti].chains[ci];
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                const auto* ct = c.rules[ri].target ? std::get_if<CtTarget>(&c.rules[ri].target->spec) : nullptr;
                const std::uint64_t n = ct && !ct->helper.empty() ? st.rule(ti, ci, ri).packets : 0;
                if (n == 0) continue;
                out.count += n;
                out.rules.push_back(rule_label(rs.tables[ti], c, ri) + " (" + std::to_string(n) + " packets)");
            }
        }
    return out;
}

// A dual-stack run names the ip6tables ruleset's rules and chains as such.
std::vector<std::string> with_ip6tables(std::vector<std::string> v4, const std::vector<std::string>& v6) {
    for (const auto& r : v6) v4.push_back("ip6tables " + r);
    return v4;
}

// The rules and policies that counted packets, as the summary lists them.
void write_matched(std::ostream& os, const Ruleset& rs, const EngineState& counters, const std::string& tool) {
    for (std::size_t ti = 0; ti < rs.tables.size(); ++ti)
        for (std::size_t ci = 0; ci < rs.tables[ti].chains.size(); ++ci) {
            const Chain& c = rs.tables[ti].chains[ci];
            for (std::size_t ri = 0; ri < c.rules.size(); ++ri) {
                Counters k = counters.rule(ti, ci, ri);
                if (k.packets)
                    os << "    " << std::setw(8) << k.packets << std::setw(10) << k.bytes << "  " << tool << rs.tables[ti].name << "  "
                       << format_rule(c.rules[ri], c.name) << "\n";
            }
            if (c.builtin) {
                Counters k = counters.policy(ti, ci);
                if (k.packets)
                    os << "    " << std::setw(8) << k.packets << std::setw(10) << k.bytes << "  " << tool << rs.tables[ti].name << "  :" << c.name
                       << " policy " << (c.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT") << "\n";
            }
        }
}

}  // namespace

int run_pcap(const PcapRunOptions& o) {
    auto ipsets = load_ipsets(o.sources);
    Host host = load_host(o.sources);
    Ruleset rs = load_ruleset(o.sources, ipsets ? &*ipsets : nullptr);
    // A dual-stack capture: --rules6 gives the ip6tables ruleset beside --rules' iptables one.
    const std::optional<Ruleset> rs6 = load_ruleset6(o.sources, o.rules6, rs, ipsets ? &*ipsets : nullptr);
    ensure_eal(o.eal_args);
    PacketPath path(rs, host, ipsets ? &*ipsets : nullptr, make_engine(o, rs, host, ipsets ? &*ipsets : nullptr));
    EngineOptions eopt;
    eopt.seed = o.seed;
    PathState st(rs, eopt, host.sysctl());
    st.flow_cache.enabled = o.flow_cache;
    std::unique_ptr<PacketPath> path6;
    std::unique_ptr<PathState> st6;
    if (rs6) {
        path6 = std::make_unique<PacketPath>(*rs6, host, ipsets ? &*ipsets : nullptr, make_engine(o, *rs6, host, ipsets ? &*ipsets : nullptr));
        st6 = std::make_unique<PathState>(*rs6, eopt, host.sysctl());
        st6->flow_cache.enabled = o.flow_cache;
    }
    // The ruleset a processed packet went through.
    auto rs_of = [&](const AnalyzedPacket& rp) -> const Ruleset& { return rs6 && rp.input.family == Family::ipv6 ? *rs6 : rs; };
    MbufPool pool("fwbench_capture", 4095);
    std::unique_ptr<CaptureFilter> filter;
    if (!o.filter.empty()) filter = std::make_unique<CaptureFilter>(o.filter);
    CaptureFileSource source(o.pcap, pool.get(), filter.get());
    CaptureAnalysisOptions ropt;
    ropt.iface = o.iface;
    ropt.allow_unknown_interfaces = o.keep_going;
    // Log lines need each walk's rules and the packet as it began (a traced walk): only when
    // they are asked for, by --log or in --packets' records, and some rule logs.
    const bool logs = ruleset_logs(rs) || (rs6 && ruleset_logs(*rs6));
    if (!o.log.empty() && !logs) spdlog::warn("{}: no rule has a LOG or NFLOG target: --log writes nothing", rs.source);
    ropt.trace = logs && (!o.log.empty() || !o.packets.empty());
    const std::unique_ptr<CaptureAnalysis> analysis =
        rs6 ? std::make_unique<CaptureAnalysis>(path, st, *path6, *st6, ropt) : std::make_unique<CaptureAnalysis>(path, st, ropt);
    CaptureAnalysis& replay = *analysis;

    std::unique_ptr<Output> verdicts, packet_records, log_out;
    if (!o.verdicts.empty()) verdicts = std::make_unique<Output>(o.verdicts);
    if (!o.packets.empty()) packet_records = std::make_unique<Output>(o.packets);
    if (!o.log.empty()) log_out = std::make_unique<Output>(o.log);
    std::vector<LoggedLine> log_lines;
    std::uint64_t lines_logged = 0, lines_with_unknown_link = 0;
    // The lines of one packet, from its frame as captured (the bytes the kernel printed from).
    auto log_packet = [&](const FrameView& frame, const AnalyzedPacket& rp) {
        log_lines.clear();
        if (!ropt.trace) return;
        logged_lines(rs_of(rp), host, rp, frame, log_lines);
        for (const LoggedLine& l : log_lines) {
            ++lines_logged;
            lines_with_unknown_link += l.link_incomplete;
            if (log_out) log_out->stream() << l.text << '\n';
        }
    };

    PcapTally tally;
    LocalNatNotes local_nat(rs, host);
    std::optional<LocalNatNotes> local_nat6;
    if (rs6) local_nat6.emplace(*rs6, host);
    std::string line;
    auto account = [&](const AnalyzedPacket& rp) {
        tally.add(rp);
        (local_nat6 && rp.input.family == Family::ipv6 ? *local_nat6 : local_nat).add(rp);
        if (verdicts) {
            const VerdictLine v = verdict_line(rp, rs_of(rp));
            line.assign(std::to_string(rp.index)).append("\t").append(v.verdict).append("\t").append(v.where).append("\n");
            verdicts->stream() << line;
        }
        if (packet_records) write_packet_record(packet_records->stream(), rp, rs_of(rp), ropt.trace ? &log_lines : nullptr);
    };
    // The capture enters as bursts of mbufs, as packets from DPDK ports do; each burst is
    // processed, then its mbufs go back to the pool.
    rte_mbuf* burst[32];
    std::vector<std::uint8_t> scratch;
    AnalyzedPacket rp;
    ProgressBar progress(source.size(), o.quiet);
    const auto analysis_start = std::chrono::steady_clock::now();
    while (std::uint16_t n = source.rx_burst(burst, 32)) {
        for (std::uint16_t i = 0; i < n; ++i) {
            const FrameView frame = frame_view(burst[i], scratch);
            replay.feed(frame, rp);
            log_packet(frame, rp);
            account(rp);
            progress.update(source.bytes_read(), tally.packets());
        }
        rte_pktmbuf_free_bulk(burst, n);
    }
    const std::uint64_t packets = tally.packets();
    // The whole analysis (read, mbufs, origins, path, counting), without start-up: what a
    // capture's size costs.
    const double analysis_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - analysis_start).count();
    if (source.truncated()) spdlog::warn("{}: the file ends inside packet {} (truncated capture): read {} packets", o.pcap, packets, packets);

    if (!rs6) {
        write_counters(o, rs, st.engine);
    } else {  // iptables-save's form, then ip6tables-save's: what `iptables-save -c; ip6tables-save -c` prints
        if (!o.counters.empty()) Output(o.counters).stream() << format_ruleset(rs, &st.engine) << format_ruleset(*rs6, &st6->engine);
        if (!o.list.empty()) Output(o.list).stream() << format_listing(rs, &st.engine) << format_listing(*rs6, &st6->engine);
    }
    const double ns_per_packet = tally.ns_per_packet(), evaluated_per_packet = tally.rules_evaluated_per_packet();
    // What the capture cannot show: the sockets of the host's own packets, which -m owner reads.
    const std::uint64_t local_packets = tally.of_origin(CaptureOrigin::local);
    // Fragments whose datagram never completed: held, never walked (and queues that timed out).
    const std::size_t incomplete_datagrams = st.reassembly.queued() + (st6 ? st6->reassembly.queued() : 0);
    const std::uint64_t timed_out_datagrams = st.reassembly.expired() + (st6 ? st6->reassembly.expired() : 0);
    const std::vector<std::string> undecidable_owner =
        local_packets ? with_ip6tables(owner_rules(rs), rs6 ? owner_rules(*rs6) : std::vector<std::string>{}) : std::vector<std::string>{};
    // Each list over both rulesets of a dual-stack run, the ip6tables rules named as such.
    auto in_both = [&](NamedRules (*find)(const Ruleset&, const EngineState&)) {
        NamedRules out = find(rs, st.engine);
        if (rs6) {
            const NamedRules v6 = find(*rs6, st6->engine);
            out.count += v6.count;
            out.rules = with_ip6tables(out.rules, v6.rules);
        }
        return out;
    };
    const NamedRules assumed = in_both(assumed_rules), helped = in_both(helper_rules), rates = in_both(unsettled_rates);
    const std::vector<std::string> local_nat_rules =
                                       with_ip6tables(local_nat.rules(rs), local_nat6 ? local_nat6->rules(*rs6) : std::vector<std::string>{}),
                                   local_nat_chains =
                                       with_ip6tables(local_nat.chains(rs), local_nat6 ? local_nat6->chains(*rs6) : std::vector<std::string>{});
    const std::uint64_t local_nat_packets = local_nat.packets() + (local_nat6 ? local_nat6->packets() : 0);
    const std::vector<std::string> unseen_drop_chains =
        with_ip6tables(chains_counting_unseen_local_drops(rs), rs6 ? chains_counting_unseen_local_drops(*rs6) : std::vector<std::string>{});
    if (!o.json.empty()) {
        nlohmann::ordered_json j;
        j["rules"] = rs.source;
        j["backend"] = {{"name", backend_name(rs.backend)}, {"why", rs.backend_reason}};
        j["base_chains"] = base_chains_json(rs);
        j["capture"] = o.pcap;
        j["assumptions"] = nlohmann::ordered_json::array();
        for (const auto& a : host.assumptions()) j["assumptions"].push_back(a.text);
        j["packets"] = packets;
        j["truncated"] = source.truncated();
        j["analysis"] = {{"seconds", analysis_s}, {"packets_per_second", analysis_s > 0 ? static_cast<double>(packets) / analysis_s : 0.0}};
        if (filter) j["filter"] = {{"expression", o.filter}, {"records_left_out", source.filtered_out()}};
        tally.add_json(j, rs, rs6 ? &*rs6 : nullptr);
        add_rule_counters(j, rs, st.engine);
        if (rs6) {  // the ip6tables ruleset's counters, as the iptables ruleset's above
            nlohmann::ordered_json j6;
            j6["rules"] = rs6->source;
            add_rule_counters(j6, *rs6, st6->engine);
            j6["connections"] = st6->conntrack.size();
            j["ipv6"] = j6;
        }
        j["reassembly"] = {{"incomplete_datagrams", incomplete_datagrams}, {"timed_out_datagrams", timed_out_datagrams}};
        j["flow_cache"] = flow_cache_json(st.flow_cache.stats, path, o.flow_cache);
        j["unseen_forwarded_copies"] = replay.unseen_predicted_copies();
        j["unseen_answers"] = replay.unseen_predicted_answers();
        j["capture_cannot_show"] = nlohmann::ordered_json::array();
        if (!undecidable_owner.empty())
            j["capture_cannot_show"].push_back({{"kind", "owner"},
                                                {"what", "the sockets of the host's own packets: -m owner is decided as for packets without one"},
                                                {"packets", local_packets},
                                                {"rules", undecidable_owner}});
        if (local_nat_packets)
            j["capture_cannot_show"].push_back(
                {{"kind", "local_nat"},
                 {"what",
                  "the host's own connections before NAT: captured after nat OUTPUT/POSTROUTING, with an address these rules write, "
                  "but walked without them; the kernel may have counted these rules (and the OUTPUT rules before them saw the addresses "
                  "before NAT)"},
                 {"packets", local_nat_packets},
                 {"rules", local_nat_rules},
                 {"chains", local_nat_chains}});
        if (!unseen_drop_chains.empty())
            j["capture_cannot_show"].push_back(
                {{"kind", "local_drops"},
                 {"what",
                  "the host's own packets that OUTPUT or POSTROUTING dropped: a capture holds only those that left, the kernel's counters "
                  "also count the dropped ones in every chain they passed"},
                 {"chains", unseen_drop_chains}});
        if (assumed.count)
            j["capture_cannot_show"].push_back({{"kind", "host_state"},
                                                {"what",
                                                 "what neither the capture nor the host description holds (the packet's socket and cgroup, "
                                                 "the CPU, IPVS, the sender's OS, the kernel's timezone, a helper's expectations, which "
                                                 "sockets are transparent, a frame's MAC address): these rules' matches or targets were decided "
                                                 "by the assumption each names"},
                                                {"decisions", assumed.count},
                                                {"rules", assumed.rules}});
        if (helped.count)
            j["capture_cannot_show"].push_back({{"kind", "conntrack_helpers"},
                                                {"what",
                                                 "what the conntrack helpers these rules assign would read in the payload: fwbench runs no "
                                                 "helper, so a connection one would have expected (FTP data, SIP media) is tracked as new, "
                                                 "not RELATED, and -m helper matches none"},
                                                {"packets", helped.count},
                                                {"rules", helped.rules}});
        if (tally.checksum_assumed())
            j["capture_cannot_show"].push_back({{"kind", "checksum_offload"},
                                                {"what",
                                                 "whether a NIC verified the transport checksum that SNPT or DNPT then broke: fwbench takes it "
                                                 "that none did, so REJECT answered nothing and NAT dropped a RELATED ICMPv6 error for the "
                                                 "broken sum; after an offloading NIC's verification both would have gone"},
                                                {"packets", tally.checksum_assumed()}});
        if (rates.count)
            j["capture_cannot_show"].push_back({{"kind", "jiffies"},
                                                {"what",
                                                 "where the kernel's jiffies fell and when hashlimit's garbage collection ran: rate decisions "
                                                 "(limit, hashlimit) one jiffy more or less between packets, or an expired bucket kept or freed, "
                                                 "would have turned"},
                                                {"decisions", rates.count},
                                                {"rules", rates.rules}});
        if (ropt.trace) j["log"] = {{"lines", lines_logged}, {"lines_with_unknown_link_bytes", lines_with_unknown_link}};
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
        bool stdout_used = o.verdicts == "-" || o.counters == "-" || o.json == "-" || o.packets == "-" || o.list == "-" || o.log == "-";
        std::ostream& os = stdout_used ? std::cerr : std::cout;
        os << "fwbench: " << rs.source << " (" << rs.rule_count() << " rules, loaded by " << backend_name(rs.backend) << ")";
        if (rs6) os << " and " << rs6->source << " (" << rs6->rule_count() << " ip6tables rules)";
        os << " on capture " << o.pcap << "\n";
        write_assumptions(os, host, "  ");
        write_base_chain_note(os, rs, "  ");
        os << "  packets: " << packets << (source.truncated() ? " (the file is truncated)" : "");
        if (filter) os << " (--filter '" << o.filter << "' left out " << source.filtered_out() << " more records)";
        os << "\n";
        tally.write_text(os, rs, host, rs6 ? &*rs6 : nullptr);
        if (replay.unseen_predicted_copies())
            os << "  " << replay.unseen_predicted_copies() << " packets forwarded or copied by TEE whose outbound copy is not in the capture\n";
        if (incomplete_datagrams || timed_out_datagrams)
            os << "  note: fragments of " << incomplete_datagrams << " datagrams were still waiting for the rest at the end of the capture, and "
               << timed_out_datagrams << " datagrams' queues timed out:\n"
               << "    their fragments are counted as held and passed no rule (docs/packet-path.md, Fragments)\n";
        if (replay.unseen_predicted_answers())
            os << "  " << replay.unseen_predicted_answers()
               << " answers the kernel sends (REJECT, time exceeded) are not in the capture (filtered out, or the kernel did not send them)\n";
        if (!undecidable_owner.empty()) {
            os << "  note: a capture records no sockets: the host's " << local_packets
               << " own packets are taken as sent without one,\n"
                  "    so -m owner (uid, gid, socket) is decided as for socketless packets; with their sockets they\n"
                  "    may have matched otherwise (explain takes uid= and gid=). Rules this affects:\n";
            for (const auto& r : undecidable_owner) os << "      " << r << "\n";
        }
        if (local_nat_packets) {
            os << "  note: a capture shows the host's own packets after NAT: " << local_nat_packets
               << " of its connections start with an address a nat\n"
                  "    OUTPUT/POSTROUTING rule writes, but their walk did not take that rule. If the kernel rewrote them, it\n"
                  "    counted these rules where fwbench counted the rules the rewritten packet meets, and the OUTPUT rules\n"
                  "    before NAT saw the addresses before rewriting:\n";
            for (const auto& r : local_nat_rules) os << "      " << r << "\n";
            os << "    and the counters of these chains, which those packets passed with other addresses or not to the end:\n";
            for (const auto& c : local_nat_chains) os << "      " << c << "\n";
        }
        if (!unseen_drop_chains.empty()) {
            os << "  note: the ruleset can drop the host's own packets in OUTPUT or POSTROUTING, and a capture holds only\n"
                  "    those that left: the kernel's counters of these chains also count the dropped ones, fwbench's cannot:\n";
            for (const auto& c : unseen_drop_chains) os << "      " << c << "\n";
        }
        if (assumed.count) {
            os << "  note: " << assumed.count
               << " match and target decisions rest on what neither the capture nor the host description holds\n"
                  "    (the packet's socket and cgroup, the CPU, IPVS, the sender's OS, the kernel's timezone, a\n"
                  "    helper's expectations, which sockets are transparent, where the socket buffer's pieces begin,\n"
                  "    a frame's MAC address);\n"
                  "    fwbench decided them by these assumptions:\n";
            for (const auto& r : assumed.rules) os << "      " << r << "\n";
        }
        if (helped.count) {
            os << "  note: " << helped.count
               << " packets passed rules that give their connection a conntrack helper (CT --helper), which\n"
                  "    fwbench does not run: a connection the helper would have expected from their payload (FTP\n"
                  "    data, SIP media) is tracked as new, not RELATED, and -m helper matches none. The rules:\n";
            for (const auto& r : helped.rules) os << "      " << r << "\n";
        }
        if (tally.checksum_assumed()) {
            os << "  note: " << tally.checksum_assumed()
               << " packets met a transport checksum SNPT or DNPT had broken (an address outside the source\n"
                  "    prefix): fwbench takes it that no NIC verified the sum before, so REJECT answered nothing\n"
                  "    and NAT dropped RELATED ICMPv6 errors; had an offloading NIC verified it, both would have gone\n";
        }
        if (rates.count) {
            os << "  note: " << rates.count
               << " rate decisions (limit, hashlimit) would have gone the other way with one jiffy more or less\n"
                  "    between packets, or with an expired hashlimit bucket not yet freed: a capture's timestamps do\n"
                  "    not say where the kernel's jiffies fell or when its garbage collection ran, so the capture\n"
                  "    cannot settle them (fwbench counts jiffies from the timestamps and frees a bucket as it\n"
                  "    expires). Rules this affects:\n";
            for (const auto& r : rates.rules) os << "      " << r << "\n";
        }
        if (log_out) {
            os << "  log lines: " << lines_logged << (o.log == "-" ? "" : " in " + o.log) << "\n";
            if (lines_with_unknown_link)
                os << "    " << lines_with_unknown_link
                   << " of them show '\?\?' in MAC= for link-layer bytes the capture did not keep (tcpdump -i any keeps only the sender's "
                      "address; a capture on the interface itself keeps the whole header)\n";
        }
        os << "  rules that matched (packets, bytes):\n";
        write_matched(os, rs, st.engine, "");
        if (rs6) write_matched(os, *rs6, st6->engine, "ip6tables ");
        os << "  packet path: " << std::fixed << std::setprecision(0) << ns_per_packet << " ns/packet, " << std::setprecision(1)
           << evaluated_per_packet << " rules evaluated per packet (" << o.engine << " engine)\n";
    }
    return 0;
}

}  // namespace fwbench
