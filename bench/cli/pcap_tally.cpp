#include "pcap_tally.hpp"

#include <iomanip>

#include "fwbench/ruleset_printer.hpp"
#include "host_notes.hpp"
#include "packet_outcome.hpp"

namespace fwbench {

namespace {

constexpr Hook hook_order[] = {Hook::prerouting, Hook::input, Hook::forward, Hook::output, Hook::postrouting};
constexpr const char* verdict_names[] = {"ACCEPT", "DROP", "REJECT", "QUEUE", "COPY", "MALFORMED", "SKIPPED", "ANSWER", "HELD"};

std::size_t hook_slot(Hook h) {
    for (std::size_t i = 0; i < std::size(hook_order); ++i)
        if (hook_order[i] == h) return i;
    return 0;
}

const char* origin_name(std::size_t o) { return capture_origin_name(static_cast<CaptureOrigin>(o)); }

}  // namespace

void PcapTally::add(const AnalyzedPacket& p) {
    ++packets_;
    const auto origin = static_cast<std::size_t>(p.origin);
    ++by_origin_[origin];
    if (p.origin == CaptureOrigin::malformed || p.origin == CaptureOrigin::skipped) {
        ++verdicts_[p.origin == CaptureOrigin::malformed ? 5 : 6];
        ++reasons_[p.reason];
        return;
    }
    if (p.origin == CaptureOrigin::forwarded_copy) {
        ++verdicts_[4];
        return;
    }
    if (p.origin == CaptureOrigin::answer || p.origin == CaptureOrigin::answer_to_unseen) {
        ++verdicts_[7];
        if (p.origin == CaptureOrigin::answer_to_unseen) ++reasons_[p.reason];
        return;
    }
    const PathResult& r = p.result;
    ++verdicts_[r.fate == Fate::rejected ? 2 : r.fate == Fate::queued ? 3 : r.fate == Fate::dropped ? 1 : r.fate == Fate::held ? 8 : 0];
    ++processed_;
    checksum_assumed_ += r.checksum_assumed;
    path_ns_ += p.path_ns;
    for (const auto& w : r.walks) evaluated_ += w.walk.rules_evaluated;
    ++fates_[origin][static_cast<std::size_t>(r.fate)];
    for (Hook h : r.hooks) ++traversed_[hook_slot(h)][origin];
    if (r.reason == DropReason::netfilter && r.last_own_walk()) {
        if (!r.hooks.empty()) ++dropped_at_hook_[hook_slot(r.hooks.back())][origin];
        const HookWalk& w = *r.last_own_walk();
        ++dropped_by_rule_[{p.input.family == Family::ipv6 ? 1 : 0, w.table, w.walk.chain, w.walk.rule}];
    } else if (r.reason != DropReason::none) {
        ++reasons_[drop_reason_name(r.reason)];
    }
    // TEE's copies dropped outside netfilter, each under its own name (the packet went on), and
    // the host's answers fwbench did not follow (the kernel walked them: counters are missing).
    for (const PathResult::Answer& a : r.answers) {
        if (a.tee_copy && a.reason != DropReason::none && a.reason != DropReason::netfilter)
            ++reasons_[std::string("tee_copy_") + drop_reason_name(a.reason)];
        else if (!a.tee_copy && a.reason == DropReason::not_modelled) ++reasons_["answer_not_modelled"];
    }
}

double PcapTally::ns_per_packet() const { return processed_ ? static_cast<double>(path_ns_) / static_cast<double>(processed_) : 0; }
double PcapTally::rules_evaluated_per_packet() const { return processed_ ? static_cast<double>(evaluated_) / static_cast<double>(processed_) : 0; }

// "filter blocklist rule 3: -A blocklist -s ... -j DROP", or "filter INPUT policy": the rule in
// its own chain, numbered there.
std::string PcapTally::describe_drop(const std::tuple<int, std::size_t, int, int>& where, const Ruleset& rs, const Ruleset* rs6) const {
    const auto& [family, table, chain, rule] = where;
    const bool of_rs6 = family == 1 && rs6;
    const Table& t = (of_rs6 ? *rs6 : rs).tables[table];
    const std::string tool = of_rs6 ? "ip6tables " : "";
    if (chain < 0) return tool + t.name + " ? policy";
    const Chain& c = t.chains[static_cast<std::size_t>(chain)];
    if (rule < 0) return tool + t.name + " " + c.name + " policy";
    return tool + rule_label(t, c, static_cast<std::size_t>(rule));
}

void PcapTally::add_json(nlohmann::ordered_json& j, const Ruleset& rs, const Ruleset* rs6) const {
    nlohmann::ordered_json o = nlohmann::ordered_json::object(), v = nlohmann::ordered_json::object(), f = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < origins; ++i)
        if (by_origin_[i]) o[origin_name(i)] = by_origin_[i];
    for (std::size_t i = 0; i < verdicts; ++i)
        if (verdicts_[i]) v[verdict_names[i]] = verdicts_[i];
    for (std::size_t i = 0; i < origins; ++i)
        for (std::size_t k = 0; k < fates; ++k)
            if (fates_[i][k]) f[origin_name(i)][fate_name(static_cast<Fate>(k))] = fates_[i][k];
    j["origins"] = o;
    j["verdicts"] = v;
    j["fates"] = f;
    j["drop_reasons"] = reasons_;
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    for (const auto& [where, n] : dropped_by_rule_) d[describe_drop(where, rs, rs6)] = n;
    j["dropped_by_rule"] = d;
    nlohmann::ordered_json jh = nlohmann::ordered_json::object();
    for (std::size_t h = 0; h < hooks; ++h)
        for (std::size_t i = 0; i < origins; ++i)
            if (traversed_[h][i])
                jh[hook_chain_name(hook_order[h])][origin_name(i)] = {{"traversed", traversed_[h][i]}, {"dropped", dropped_at_hook_[h][i]}};
    j["hooks"] = jh;
}

void PcapTally::write_text(std::ostream& os, const Ruleset& rs, const Host& host, const Ruleset* rs6) const {
    static const char* origin_text[] = {"from the wire",
                                        "generated by the host",
                                        "outbound copies of forwarded packets, and TEE's copies (counted once)",
                                        "the kernel's answers to packets above (REJECT, time exceeded: counted with them)",
                                        "the kernel's answers to packets the capture does not show (not counted)",
                                        "malformed",
                                        "skipped (not IP, or of a family without a ruleset)"};
    static_assert(std::size(origin_text) == origins);
    for (std::size_t i = 0; i < origins; ++i)
        if (by_origin_[i]) os << "    " << std::setw(8) << by_origin_[i] << "  " << origin_text[i] << "\n";
    os << "  what happened, by origin:\n";
    // By name, as the summary always listed them: local before wire.
    for (std::size_t i : {std::size_t{1}, std::size_t{0}}) {
        std::string line;
        for (std::size_t k = 0; k < fates; ++k)
            if (fates_[i][k]) line.append("  ").append(fate_name(static_cast<Fate>(k))).append(" ").append(std::to_string(fates_[i][k]));
        if (!line.empty()) os << "    " << std::left << std::setw(7) << origin_name(i) << std::right << line << "\n";
    }
    bool any_hook = false;
    for (std::size_t h = 0; h < hooks; ++h) {
        std::string line;
        for (std::size_t i : {std::size_t{1}, std::size_t{0}})
            if (traversed_[h][i])
                line.append("  ")
                    .append(origin_name(i))
                    .append(" ")
                    .append(std::to_string(traversed_[h][i]))
                    .append("/")
                    .append(std::to_string(dropped_at_hook_[h][i]));
        if (line.empty()) continue;
        if (!any_hook) os << "  hooks (packets traversed / dropped there), by origin:\n";
        any_hook = true;
        os << "    " << std::left << std::setw(12) << hook_chain_name(hook_order[h]) << std::right << line << "\n";
    }
    if (!dropped_by_rule_.empty()) {
        os << "  dropped or rejected by rules:\n";
        for (const auto& [where, n] : dropped_by_rule_) os << "    " << std::setw(8) << n << "  " << describe_drop(where, rs, rs6) << "\n";
    }
    if (!reasons_.empty()) {
        os << "  dropped by the kernel outside netfilter, or not processed:\n";
        for (const auto& [why, n] : reasons_) os << "    " << std::setw(8) << n << "  " << why << "\n";
        for (const auto& [why, n] : reasons_) {
            if (std::string hint = assumption_hint(host, why, n, processed_); !hint.empty()) os << "  note: " << hint << "\n";
            if (why == "conntrack_clash")
                os << "  note: conntrack_clash: a new connection's NAT found no free port (or id) and the kernel drops its packet at\n"
                      "    confirmation (insert_failed). The kernel tries at most 240 ports from random offsets: while ports are\n"
                      "    still free it may find one where fwbench's offsets did not.\n";
            if (why == "tee_copy_not_modelled")
                os << "  note: tee_copy_not_modelled: a TEE copy routed back to this host over lo, or larger than its way out's MTU,\n"
                      "    was followed up to POSTROUTING only: what the kernel does next (the copy's walks in over lo, or its answer\n"
                      "    to the copy's source) is not modelled, and those counters are missing. `fwbench explain` names which.\n";
            if (why == "answer_not_modelled")
                os << "  note: answer_not_modelled: an answer the host sends (REJECT's, an ICMP error, a reset) reached a hook\n"
                      "    fwbench cannot walk it through (its bytes are not known to a rule that reads them, or another refusal):\n"
                      "    the kernel walked it, and those counters are missing. `fwbench explain` names why.\n";
        }
    }
    if (const std::uint64_t n = of_origin(CaptureOrigin::answer_to_unseen))
        os << "  note: " << n
           << " packets on lo are the kernel's answers (a RST from another host's address, an ICMP error about a\n"
              "    datagram for another host) to packets the capture does not show: the host's own packets REJECTed in\n"
              "    OUTPUT, which never reach a device. The kernel counted those packets and their answers in OUTPUT and\n"
              "    after; fwbench's counters do not have them. `fwbench explain` can show such a packet's path.\n";
}

}  // namespace fwbench
