#include "local_nat_notes.hpp"

#include <algorithm>
#include <variant>

#include "fwbench/packet_path.hpp"

#include "fwbench/ruleset_printer.hpp"

namespace fwbench {

LocalNatNotes::LocalNatNotes(const Ruleset& rs, const Host& host) {
    for (std::size_t ti = 0; ti < rs.tables.size(); ++ti) {
        if (rs.tables[ti].name != "nat") continue;
        const auto& chains = rs.tables[ti].chains;
        for (std::size_t ci = 0; ci < chains.size(); ++ci) {
            // A rewriting rule in a user chain may be reached from either hook: NETMAP then
            // writes whichever address that hook's manip is, so it is taken both ways.
            const bool output = chains[ci].name == "OUTPUT", postrouting = chains[ci].name == "POSTROUTING";
            if (chains[ci].builtin && !output && !postrouting) continue;
            for (std::size_t ri = 0; ri < chains[ci].rules.size(); ++ri) {
                const auto& target = chains[ci].rules[ri].target;
                const NatTarget* nat = target ? std::get_if<NatTarget>(&target->spec) : nullptr;
                if (!nat) continue;
                const bool dst = nat->kind == NatTarget::Kind::dnat || nat->kind == NatTarget::Kind::redirect;
                const bool src = nat->kind == NatTarget::Kind::snat || nat->kind == NatTarget::Kind::masquerade;
                const int t = static_cast<int>(ti), c = static_cast<int>(ci), r = static_cast<int>(ri);
                if ((dst || nat->kind == NatTarget::Kind::netmap) && !postrouting) rewriters_.push_back({t, c, r, nat, true});
                if ((src || nat->kind == NatTarget::Kind::netmap) && !output) rewriters_.push_back({t, c, r, nat, false});
            }
        }
    }
    for (const auto& itf : host.interfaces())
        for (const auto& a : itf.addrs) own_.push_back(a.addr);
}

bool LocalNatNotes::could_have_written(const Rewriter& r, const Packet& p) const {
    const IpAddr& addr = r.writes_destination ? p.dst : p.src;
    const std::uint16_t port = r.writes_destination ? p.dport : p.sport;
    const bool ports = proto_has_ports(p.proto);
    auto port_in = [&](const NatRange& range) { return !range.has_ports || !ports || (port >= range.port_lo && port <= range.port_hi); };
    switch (r.nat->kind) {
        case NatTarget::Kind::netmap: return r.nat->netmap_to.contains(addr);
        case NatTarget::Kind::redirect: {
            // nf_nat_redirect_ipv4: the host's own packets go to 127.0.0.1.
            if (addr.family != Family::ipv4 || addr.bytes[0] != 127 || addr.bytes[1] != 0 || addr.bytes[2] != 0 || addr.bytes[3] != 1) return false;
            return r.nat->ranges.empty() || port_in(r.nat->ranges.front());
        }
        case NatTarget::Kind::masquerade: {
            bool own = false;
            for (const IpAddr& a : own_) own = own || a == addr;
            return own && (r.nat->ranges.empty() || port_in(r.nat->ranges.front()));
        }
        case NatTarget::Kind::dnat:
        case NatTarget::Kind::snat:
            for (const NatRange& range : r.nat->ranges)
                if ((!range.has_addr || (addr.family == range.addr_lo.family && addr >= range.addr_lo && addr <= range.addr_hi)) && port_in(range))
                    return true;
            return false;
    }
    return false;
}

void LocalNatNotes::add(const AnalyzedPacket& p) {
    if (p.origin != CaptureOrigin::local || rewriters_.empty()) return;
    bool suspect = false;
    const PathResult& result = p.result;
    for (std::size_t i = 0; i < result.walks.size(); ++i) {
        const HookWalk& w = result.walks[i];
        if (!result.is_own_walk(i) || std::string_view(w.table_name) != "nat" || (w.hook != Hook::output && w.hook != Hook::postrouting)) continue;
        const bool destination = w.hook == Hook::output;
        for (Rewriter& r : rewriters_) {
            if (r.writes_destination != destination || static_cast<int>(w.table) != r.table) continue;
            if (w.walk.chain == r.chain && w.walk.rule == r.rule) continue;  // the walk took this very rule
            if (!could_have_written(r, p.input)) continue;  // the addresses as captured: after NAT
            r.hit = true;
            suspect = true;
        }
    }
    packets_ += suspect;
}

std::vector<std::string> LocalNatNotes::rules(const Ruleset& rs) const {
    std::vector<std::string> out;
    for (const Rewriter& r : rewriters_) {
        if (!r.hit) continue;
        const Table& table = rs.tables[static_cast<std::size_t>(r.table)];
        std::string line = rule_label(table, table.chains[static_cast<std::size_t>(r.chain)], static_cast<std::size_t>(r.rule));
        if (out.empty() || out.back() != line) out.push_back(line);
    }
    return out;
}

std::vector<std::string> LocalNatNotes::chains(const Ruleset& rs) const {
    std::vector<std::string> out;
    auto name = [&](const Table& t, const Chain& c) {
        std::string label = t.name + " " + c.name;
        if (std::find(out.begin(), out.end(), label) == out.end()) out.push_back(std::move(label));
    };
    // Chains with rules that `hook` reaches in the tables it passes before nat (all of them with
    // `through_nat`).
    auto before_nat = [&](Hook hook, bool through_nat) {
        for (std::string_view table : tables_in_hook_order(hook, rs.backend)) {
            if (table == "nat" && !through_nat) return;
            const Table* t = rs.table(table);
            if (!t) continue;
            for (const Chain& c : t->chains)
                if ((c.hooks & hook_bit(hook)) && !c.rules.empty()) name(*t, c);
        }
    };
    for (const Rewriter& r : rewriters_) {
        if (!r.hit) continue;
        const Hook hook = r.writes_destination ? Hook::output : Hook::postrouting;
        if (hook == Hook::postrouting) before_nat(Hook::output, true);
        before_nat(hook, false);
        // The nat chains from which the rewriting rule's chain can be reached, itself included.
        const Table& nat = rs.tables[static_cast<std::size_t>(r.table)];
        std::vector<bool> leads(nat.chains.size(), false);
        leads[static_cast<std::size_t>(r.chain)] = true;
        for (bool grew = true; grew;) {
            grew = false;
            for (std::size_t ci = 0; ci < nat.chains.size(); ++ci)
                for (const Rule& rule : nat.chains[ci].rules) {
                    const auto* jump = rule.target ? std::get_if<JumpTarget>(&rule.target->spec) : nullptr;
                    if (jump && !leads[ci] && leads[static_cast<std::size_t>(jump->chain_index)]) grew = leads[ci] = true;
                }
        }
        for (std::size_t ci = 0; ci < nat.chains.size(); ++ci)
            if (leads[ci] && (nat.chains[ci].hooks & hook_bit(hook))) name(nat, nat.chains[ci]);
    }
    return out;
}

}  // namespace fwbench
