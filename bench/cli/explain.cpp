#include "explain.hpp"

#include <sstream>

#include "fwbench/ruleset_parser.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

namespace {

std::string verdict_text(const Target* t, const Chain& base) {
    if (!t) return std::string("policy ") + (base.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT");
    return t->name;
}

}  // namespace

std::string format_explanation(const PacketPath& path, const PathResult& r, const std::string& description, bool local,
                               const std::vector<LoggedLine>& log) {
    const Ruleset& rs = path.ruleset();
    std::ostringstream os;
    os << "packet: " << description << (local ? "  (sent by a local socket)" : "  (from the wire)") << "\n";
    for (const auto& item : r.trace) {
        if (item.kind != PathEventKind::walk) {
            os << "  " << describe_event(item, r.detail, path.host()) << "\n";
            continue;
        }
        const HookWalk& w = r.walks[static_cast<std::size_t>(item.walk)];
        const Table& t = rs.tables[w.table];
        os << "  " << hook_chain_name(w.hook) << " / " << w.table_name << "   in=" << (w.in.empty() ? std::string_view("-") : w.in.view())
           << " out=" << (w.out.empty() ? std::string_view("-") : w.out.view()) << "   " << format_endpoint(w.seen->src, w.seen->sport) << " > "
           << format_endpoint(w.seen->dst, w.seen->dport);
        if (w.seen->mark) os << " mark=0x" << std::hex << w.seen->mark << std::dec;
        os << "\n";
        std::size_t next_log = 0;
        while (next_log < log.size() && log[next_log].walk != static_cast<std::size_t>(item.walk)) ++next_log;
        for (const auto& v : w.visits) {
            const Chain& chain = t.chains[static_cast<std::size_t>(v.chain)];
            if (v.rule < 0) {
                os << "      " << chain.name << " policy " << (chain.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT") << "\n";
                continue;
            }
            const Rule& rule = chain.rules[static_cast<std::size_t>(v.rule)];
            os << "      " << chain.name << " #" << (v.rule + 1) << "  " << format_rule(rule, chain.name) << "\n";
            if (v.matched) {
                os << "          matched" << (rule.target ? " -> " + rule.target->name : std::string(" (no target: counted)")) << "\n";
                // The walk's log lines are in its visits' order: each belongs to the next matched LOG rule.
                if (next_log < log.size() && log[next_log].walk == static_cast<std::size_t>(item.walk) && log[next_log].chain == v.chain &&
                    log[next_log].rule == v.rule)
                    os << "          logs: " << log[next_log++].text << "\n";
            } else os << "          no match: " << path.why_not(rule, *w.seen, w.hook) << "\n";
        }
        const Chain& base = t.chains[static_cast<std::size_t>(t.find_chain(hook_chain_name(w.hook)))];
        os << "      => " << verdict_name(w.walk.verdict) << " (" << verdict_text(w.walk.target, base) << ")\n";
    }
    os << "fate: " << fate_name(r.fate);
    if (r.fate == Fate::dropped || r.fate == Fate::rejected || r.fate == Fate::queued) {
        if (r.reason == DropReason::netfilter && r.last_own_walk()) {
            const HookWalk& w = *r.last_own_walk();
            const Table& t = rs.tables[w.table];
            if (w.walk.rule >= 0) {
                const Chain& chain = t.chains[static_cast<std::size_t>(w.walk.chain)];
                os << " by " << t.name << " " << chain.name << " rule " << (w.walk.rule + 1) << ": "
                   << format_rule(chain.rules[static_cast<std::size_t>(w.walk.rule)], chain.name);
            } else {
                os << " by the policy of " << t.name << " " << hook_chain_name(w.hook);
            }
        } else if (r.reason != DropReason::none) {
            os << " (" << drop_reason_name(r.reason) << ": " << drop_detail_text(r.detail) << ")";
        }
    } else if (!r.out_iface.empty() && r.fate != Fate::delivered) {
        os << " out of " << r.out_iface.view();
    }
    os << "\n";
    return os.str();
}

}  // namespace fwbench
