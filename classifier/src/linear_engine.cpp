#include "fwbench/linear_engine.hpp"

#include <algorithm>

namespace fwbench {

const char* verdict_name(Verdict v) {
    switch (v) {
        case Verdict::accept: return "ACCEPT";
        case Verdict::drop: return "DROP";
        case Verdict::reject: return "REJECT";
        case Verdict::queue: return "QUEUE";
    }
    return "?";
}

EngineState::EngineState(const Ruleset& rs, const EngineOptions& opt) : opt_(opt), rng_(opt.seed) {
    rules_.resize(rs.tables.size());
    policies_.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        const auto& chains = rs.tables[t].chains;
        rules_[t].resize(chains.size());
        policies_[t].resize(chains.size());
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

bool LinearEngine::rule_matches(const Rule& r, const Packet& p, Hook hook, EngineState& st) const {
    if (!ip_header_matches(r.ip, p)) return false;
    MatchContext ctx{hook, host_, ipsets_, st};
    for (const auto& m : r.matches)
        if (!evaluate_match(m, p, ctx)) return false;
    return true;
}

namespace {

// Effects of the targets that let the walk continue.
void apply_continuing_target(const TargetSpec& spec, Packet& p, WalkResult& res) {
    if (const auto* m = std::get_if<MarkTarget>(&spec)) {
        p.mark = (p.mark & ~m->mask) ^ m->value;
    } else if (const auto* c = std::get_if<ConnmarkTarget>(&spec)) {
        if (!p.ct.has_entry()) return;  // xt_CONNMARK does nothing without a conntrack entry
        switch (c->mode) {
            case ConnmarkTarget::Mode::set: p.ct.mark = (p.ct.mark & ~c->ctmask) ^ c->ctmark; break;
            case ConnmarkTarget::Mode::save: p.ct.mark = (p.ct.mark & ~c->ctmask) ^ (p.mark & c->nfmask); break;
            case ConnmarkTarget::Mode::restore: p.mark = (p.mark & ~c->nfmask) ^ (p.ct.mark & c->ctmask); break;
        }
    } else if (std::holds_alternative<LogTarget>(spec)) {
        ++res.log_events;
    } else if (const auto* ct = std::get_if<CtTarget>(&spec)) {
        if (ct->notrack) res.notrack = true;
    } else if (const auto* rw = std::get_if<RewriteTarget>(&spec)) {
        switch (rw->kind) {
            case RewriteTarget::Kind::tos:
                p.tos = static_cast<std::uint8_t>((p.tos & ~rw->mask) ^ rw->value);
                break;
            case RewriteTarget::Kind::dscp:
                p.tos = static_cast<std::uint8_t>((p.tos & 0x03) | (rw->value << 2));
                break;
            case RewriteTarget::Kind::ttl_set: p.ttl = static_cast<std::uint8_t>(rw->value); break;
            case RewriteTarget::Kind::ttl_inc:
                p.ttl = static_cast<std::uint8_t>(p.ttl + rw->value > 255 ? 255 : p.ttl + rw->value);
                break;
            case RewriteTarget::Kind::ttl_dec:
                p.ttl = static_cast<std::uint8_t>(p.ttl < rw->value ? 0 : p.ttl - rw->value);
                break;
            case RewriteTarget::Kind::tcpmss_set: p.tcp_mss = static_cast<std::uint16_t>(rw->value); break;
            case RewriteTarget::Kind::classify: p.priority = rw->value; break;
            case RewriteTarget::Kind::tcpmss_clamp:
            case RewriteTarget::Kind::checksum_fill:
            case RewriteTarget::Kind::trace:
                break;
        }
    }
}

Verdict verdict_of(StandardTarget::Kind k) {
    switch (k) {
        case StandardTarget::Kind::accept: return Verdict::accept;
        case StandardTarget::Kind::drop: return Verdict::drop;
        case StandardTarget::Kind::queue: return Verdict::queue;
        case StandardTarget::Kind::return_: break;
    }
    return Verdict::accept;
}

}  // namespace

WalkResult LinearEngine::run(std::size_t table_index, Hook hook, Packet& p, EngineState& st,
                             std::vector<RuleVisit>* visits) const {
    WalkResult res;
    const Table& t = rs_.tables.at(table_index);
    const int base = t.find_chain(hook_chain_name(hook));
    if (base < 0 || !t.chains[static_cast<std::size_t>(base)].builtin) return res;  // no such hook here

    struct Frame {
        int chain;
        std::size_t next;
    };
    std::vector<Frame> stack;
    int chain = base;
    std::size_t i = 0;

    auto apply_policy = [&] {
        const Chain& bc = t.chains[static_cast<std::size_t>(base)];
        st.count_policy(table_index, static_cast<std::size_t>(base), p.length);
        if (visits) visits->push_back({base, -1, true});
        res.verdict = verdict_of(bc.policy);
        res.chain = base;
        res.rule = -1;
        res.target = nullptr;
    };

    // Falling off the end of a chain and RETURN are the same: back to the last jump's next
    // rule, or, with no jump to return to, the base chain's policy (the kernel's underflow rule).
    // Returns false when the policy decided.
    auto return_from_chain = [&] {
        if (stack.empty()) {
            apply_policy();
            return false;
        }
        chain = stack.back().chain;
        i = stack.back().next;
        stack.pop_back();
        return true;
    };

    while (true) {
        const Chain& c = t.chains[static_cast<std::size_t>(chain)];
        if (i >= c.rules.size()) {
            if (!return_from_chain()) return res;
            continue;
        }
        const Rule& r = c.rules[i];
        ++res.rules_evaluated;
        bool matched = rule_matches(r, p, hook, st);
        if (visits) visits->push_back({chain, static_cast<int>(i), matched});
        if (!matched) {
            ++i;
            continue;
        }
        st.count_rule(table_index, static_cast<std::size_t>(chain), i, p.length);
        if (!r.target) {
            ++i;
            continue;
        }
        const TargetSpec& spec = r.target->spec;
        auto decide = [&](Verdict v) {
            res.verdict = v;
            res.chain = chain;
            res.rule = static_cast<int>(i);
            res.target = &*r.target;
        };
        if (const auto* s = std::get_if<StandardTarget>(&spec)) {
            if (s->kind != StandardTarget::Kind::return_) {
                decide(verdict_of(s->kind));
                return res;
            }
            if (!return_from_chain()) return res;
            continue;
        }
        if (const auto* j = std::get_if<JumpTarget>(&spec)) {
            if (!j->is_goto) stack.push_back({chain, i + 1});
            chain = j->chain_index;
            i = 0;
            continue;
        }
        if (std::holds_alternative<RejectTarget>(spec)) {
            decide(Verdict::reject);
            return res;
        }
        if (std::holds_alternative<NfqueueTarget>(spec)) {
            decide(Verdict::queue);
            return res;
        }
        if (const auto* n = std::get_if<NatTarget>(&spec)) {
            decide(Verdict::accept);
            res.nat = n;
            return res;
        }
        apply_continuing_target(spec, p, res);
        ++i;
    }
}

}  // namespace fwbench
