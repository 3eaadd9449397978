#include "fwbench/linear_engine.hpp"

#include <stdexcept>

#include "fwbench/chain_walk.hpp"

#include <algorithm>

namespace fwbench {

const char* verdict_name(Verdict v) {
    switch (v) {
        case Verdict::accept: return "ACCEPT";
        case Verdict::drop: return "DROP";
        case Verdict::reject: return "REJECT";
        case Verdict::queue: return "QUEUE";
        case Verdict::tproxy: return "TPROXY";
        case Verdict::synproxy: return "SYNPROXY";
    }
    return "?";
}

void EngineState::add_counters(const EngineState& other) {
    if (other.rules_.size() != rules_.size()) throw std::logic_error("add_counters: states of different rulesets");
    reference_walks += other.reference_walks;
    for (std::size_t t = 0; t < rules_.size(); ++t)
        for (std::size_t c = 0; c < rules_[t].size(); ++c) {
            for (std::size_t r = 0; r < rules_[t][c].size(); ++r) {
                rules_[t][c][r].packets += other.rules_[t][c][r].packets;
                rules_[t][c][r].bytes += other.rules_[t][c][r].bytes;
            }
            policies_[t][c].packets += other.policies_[t][c].packets;
            policies_[t][c].bytes += other.policies_[t][c].bytes;
        }
    for (const auto& [name, k] : other.nfacct_) {
        nfacct_[name].packets += k.packets;
        nfacct_[name].bytes += k.bytes;
    }
    for (const auto& [match, n] : other.assumed_decisions) assumed_decisions[match] += n;  // what the report names
    for (const auto& [target, d] : other.assumed_target_decisions) {
        auto& mine = assumed_target_decisions[target];
        mine.count += d.count;
        mine.assumption = d.assumption;
    }
    used_random_ = used_random_ || other.used_random_;
}

EngineState::EngineState(const Ruleset& rs, const EngineOptions& opt) : opt_(opt), rng_(opt.seed) {
    rules_.resize(rs.tables.size());
    policies_.resize(rs.tables.size());
    policy_counted_.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        const auto& chains = rs.tables[t].chains;
        rules_[t].resize(chains.size());
        policies_[t].resize(chains.size());
        for (const auto& c : chains) policy_counted_[t].push_back(rs.presence(c) == ChainPresence::counted ? 1 : 0);
        for (std::size_t c = 0; c < chains.size(); ++c) rules_[t][c].resize(chains[c].rules.size());
    }
    // xt_recent sizes each table's per-address stamp list for the largest --hitcount that uses
    // it: roundup_pow_of_two(max(ip_pkt_list_tot = 20, hitcount)).
    std::map<std::string, std::uint32_t> largest_hitcount;
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules)
                for (const auto& m : r.matches)
                    if (const auto* rm = std::get_if<RecentMatch>(&m.spec))
                        largest_hitcount[rm->name] = std::max(largest_hitcount[rm->name], rm->hitcount);
    for (const auto& [name, hits] : largest_hitcount) {
        std::size_t n = std::max<std::size_t>(20, std::min<std::uint32_t>(hits, 255)), cap = 1;
        while (cap < n) cap *= 2;
        recent[name].stamp_capacity = cap;
    }
    // Named tables are created by the first rule that loads with the name (checkentry runs in
    // load order: iptables-restore's line order); later rules with the name share the table and
    // its settings: hashlimit's key mode, masks, rate, burst and expiry, recent's --mask.
    std::vector<const Rule*> load_order;
    bool lines_known = true;
    for (const auto& t : rs.tables)
        for (const auto& c : t.chains)
            for (const auto& r : c.rules) {
                load_order.push_back(&r);
                lines_known = lines_known && r.line > 0;
            }
    if (lines_known) std::stable_sort(load_order.begin(), load_order.end(), [](const Rule* a, const Rule* b) { return a->line < b->line; });
    for (const Rule* r : load_order)
        for (const auto& m : r->matches) {
            if (const auto* h = std::get_if<HashLimitMatch>(&m.spec)) {
                auto& table = hashlimits[h->name];
                if (!table.config) table.config = h;
            } else if (const auto* rm = std::get_if<RecentMatch>(&m.spec)) {
                auto& table = recent[rm->name];
                if (!table.mask_set) {
                    table.mask_set = true;
                    table.mask = rm->mask;
                }
            }
        }
}

std::uint64_t EngineState::next_random() {
    // splitmix64: deterministic for a given seed, so runs repeat exactly.
    used_random_ = true;
    std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

bool LinearEngine::rule_matches(const Rule& r, Packet& p, Hook hook, EngineState& st) const {
    if (!ip_header_matches(r.ip, p)) return false;
    MatchContext ctx{hook, host_, ipsets_, st};
    for (const auto& m : r.matches) {
        const bool hit = evaluate_match(m, p, ctx);
        apply_match_effect(m, p);  // tested is enough: the rule need not match
        if (!hit) return false;
    }
    return true;
}

WalkResult LinearEngine::run(std::size_t table_index, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits) const {
    detail::InlineStack<32> stack;
    const Table& t = rs_.tables.at(table_index);
    const int base = rs_.base_chain(table_index, hook);
    return detail::walk_table(
        t, table_index, base, p, st, visits, stack, [](int, std::size_t i) { return i; },
        [&](int, std::size_t, const Rule& r) { return rule_matches(r, p, hook, st); });
}

}  // namespace fwbench
