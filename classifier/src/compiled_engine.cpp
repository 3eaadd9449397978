#include "fwbench/compiled_engine.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <stdexcept>

#include "chain_walk.hpp"

namespace fwbench {

const char* rule_compilation_name(RuleCompilation c) {
    switch (c) {
        case RuleCompilation::exact: return "exact";
        case RuleCompilation::filtered: return "filtered";
        case RuleCompilation::run_time: return "run_time";
    }
    return "?";
}

bool compiled_key(const Packet& p, PacketKey& key) {
    if (p.family != Family::ipv4 || p.fragment || !p.l4_present) return false;
    key.src = p.src.v4_host();
    key.dst = p.dst.v4_host();
    key.sport = p.sport;
    key.dport = p.dport;
    key.proto = p.proto;
    return true;
}

namespace {

// The jump stack of a compiled walk: fixed, since the walk must not allocate.
class FixedStack {
public:
    bool empty() const { return size_ == 0; }
    void push_back(const detail::Frame& f) { frames_[size_++] = f; }
    const detail::Frame& back() const { return frames_[size_ - 1]; }
    void pop_back() { --size_; }

private:
    std::array<detail::Frame, CompiledEngine::max_jump_depth> frames_;  // not cleared: only pushed frames are read
    std::size_t size_ = 0;
};

void narrow(std::uint32_t& lo, std::uint32_t& hi, std::uint32_t a, std::uint32_t b, RuleBoxShape& s) {
    lo = std::max(lo, a);
    hi = std::min(hi, b);
    if (lo > hi) s.empty = true;
    s.narrowed = true;
}

void narrow16(std::uint16_t& lo, std::uint16_t& hi, std::uint32_t a, std::uint32_t b, RuleBoxShape& s) {
    std::uint32_t l = lo, h = hi;
    narrow(l, h, a, b, s);
    lo = static_cast<std::uint16_t>(l);
    hi = static_cast<std::uint16_t>(std::min<std::uint32_t>(h, 0xffff));
}

std::string describe(const Match& m) {
    std::string out = "-m " + m.module;
    if (!m.options.empty()) {
        const RuleOption& o = m.options.front();
        out += std::string(o.negated ? " !" : "") + " --" + o.name;
        for (const auto& a : o.args) out += " " + a;
    }
    return out;
}

}  // namespace

RuleBoxShape rule_box_shape(const Rule& r) {
    RuleBoxShape s;
    auto residual = [&](std::string what) {
        if (s.exact) s.residual = std::move(what);
        s.exact = false;
    };
    const IpHeaderSpec& ip = r.ip;
    auto prefix = [&](const std::optional<Neg<IpPrefix>>& pf, std::uint32_t& lo, std::uint32_t& hi, const char* flag) {
        if (!pf) return;
        if (pf->negated) return residual(std::string("! ") + flag + " " + format_prefix(pf->value));
        std::uint32_t a = pf->value.addr.v4_host(), m = pf->value.mask.v4_host();
        narrow(lo, hi, a & m, (a & m) | ~m, s);  // for a non-contiguous mask, the hull of what it matches
        if (mask_length(pf->value.mask) < 0) residual(std::string(flag) + " " + format_prefix(pf->value) + " (non-contiguous mask)");
    };
    prefix(ip.src, s.box.src_lo, s.box.src_hi, "-s");
    prefix(ip.dst, s.box.dst_lo, s.box.dst_hi, "-d");
    if (ip.proto) {
        if (ip.proto->negated) residual("! -p " + format_protocol(ip.proto->value));
        else {
            std::uint32_t lo = s.box.proto_lo, hi = s.box.proto_hi;
            narrow(lo, hi, ip.proto->value, ip.proto->value, s);
            s.box.proto_lo = static_cast<std::uint8_t>(lo);
            s.box.proto_hi = static_cast<std::uint8_t>(hi);
        }
    }
    if (ip.in) residual(std::string(ip.in->negated ? "! " : "") + "-i " + ip.in->value.name + (ip.in->value.wildcard ? "+" : ""));
    if (ip.out) residual(std::string(ip.out->negated ? "! " : "") + "-o " + ip.out->value.name + (ip.out->value.wildcard ? "+" : ""));
    if (ip.fragment) residual(*ip.fragment ? "-f" : "! -f");
    for (const auto& m : r.matches) {
        if (is_stateful(m.spec)) {
            residual(describe(m));
            break;  // conditions after a stateful match must not keep the walk from reaching it
        }
        if (const auto* l4 = std::get_if<L4PortsMatch>(&m.spec)) {
            auto port = [&](const std::optional<Neg<PortRange>>& pr, std::uint16_t& lo, std::uint16_t& hi) {
                if (!pr) return;
                if (pr->negated) return residual(describe(m));
                narrow16(lo, hi, pr->value.lo, pr->value.hi, s);
            };
            port(l4->sport, s.box.sport_lo, s.box.sport_hi);
            port(l4->dport, s.box.dport_lo, s.box.dport_hi);
            if (l4->tcp_flags || l4->tcp_option) residual(describe(m));
        } else if (const auto* mp = std::get_if<MultiportMatch>(&m.spec)) {
            if (mp->negated || mp->which == MultiportMatch::Which::either || mp->ports.empty()) {
                residual(describe(m));
                continue;
            }
            std::uint32_t lo = 0xffff, hi = 0;
            for (const auto& pr : mp->ports) lo = std::min<std::uint32_t>(lo, pr.lo), hi = std::max<std::uint32_t>(hi, pr.hi);
            if (mp->which == MultiportMatch::Which::source) narrow16(s.box.sport_lo, s.box.sport_hi, lo, hi, s);
            else narrow16(s.box.dport_lo, s.box.dport_hi, lo, hi, s);
            if (mp->ports.size() > 1) residual(describe(m));  // the box is the list's hull
        } else if (!std::holds_alternative<CommentMatch>(m.spec)) {
            residual(describe(m));
        }
    }
    return s;
}

namespace {

// The deepest nesting of jumps (gotos push nothing) from any chain of the table.
std::size_t jump_depth(const Table& t) {
    std::vector<int> memo(t.chains.size(), -1);
    std::function<int(std::size_t)> depth = [&](std::size_t c) -> int {
        if (memo[c] >= 0) return memo[c];
        memo[c] = 0;  // the parser refuses loops; this only guards the recursion
        int d = 0;
        for (const auto& r : t.chains[c].rules)
            if (r.target)
                if (const auto* j = std::get_if<JumpTarget>(&r.target->spec))
                    d = std::max(d, depth(static_cast<std::size_t>(j->chain_index)) + (j->is_goto ? 0 : 1));
        return memo[c] = d;
    };
    int deepest = 0;
    for (std::size_t c = 0; c < t.chains.size(); ++c) deepest = std::max(deepest, depth(c));
    return static_cast<std::size_t>(deepest);
}

}  // namespace

std::uint32_t CompiledEngine::ChainPlan::next_candidate(const PacketKey& k, std::uint32_t from) const {
    if (index) {
        std::uint32_t r = index->next(k, from);
        return r == BoxIndex::none ? static_cast<std::uint32_t>(boxes.size()) : r;
    }
    std::uint32_t r = from;
    while (r < boxes.size() && !boxes[r].contains(k)) ++r;
    return r;
}

CompiledEngine::CompiledEngine(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets, CompiledEngineOptions opt)
    : rs_(rs), linear_(rs, host, ipsets) {
    base_.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        for (int h = 0; h < hook_count; ++h) {
            int b = rs.tables[t].find_chain(hook_chain_name(static_cast<Hook>(h)));
            base_[t][static_cast<std::size_t>(h)] = b >= 0 && rs.tables[t].chains[static_cast<std::size_t>(b)].builtin ? b : -1;
        }
        if (jump_depth(rs.tables[t]) > max_jump_depth)
            throw std::runtime_error(rs.source + ": table " + rs.tables[t].name + " nests jumps deeper than " +
                                     std::to_string(max_jump_depth) + " chains");
    }
    if (rs.family != Family::ipv4) {
        compiled_ = false;
        why_not_ = "the compiled engine indexes IPv4 rulesets; this IPv6 ruleset is walked linearly";
        return;
    }
    plans_.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        const Table& table = rs.tables[t];
        plans_[t].resize(table.chains.size());
        for (std::size_t c = 0; c < table.chains.size(); ++c) {
            const Chain& chain = table.chains[c];
            ChainPlan& plan = plans_[t][c];
            for (std::size_t r = 0; r < chain.rules.size(); ++r) {
                RuleBoxShape s = rule_box_shape(chain.rules[r]);
                if (s.empty) {
                    // No packet meets these conditions together: the rule is left whole to run
                    // time, where they fail.
                    s.box = RuleBox{};
                    s.exact = s.narrowed = false;
                    s.residual = "conditions no packet meets together";
                }
                plan.boxes.push_back(s.box);
                plan.exact.push_back(s.exact ? 1 : 0);
                RuleCompilation how = s.exact ? RuleCompilation::exact : s.narrowed ? RuleCompilation::filtered : RuleCompilation::run_time;
                ++counts_[static_cast<int>(how)];
                if (!s.exact) not_exact_.push_back({table.name, chain.name, static_cast<int>(r + 1), how, s.residual});
            }
            if (chain.rules.size() >= opt.index_threshold) plan.index.emplace(plan.boxes, opt.index);
            plan.first_match_only = chain.builtin;
            for (std::size_t r = 0; r < chain.rules.size() && plan.first_match_only; ++r) {
                const Rule& rule = chain.rules[r];
                const auto* standard = rule.target ? std::get_if<StandardTarget>(&rule.target->spec) : nullptr;
                bool ends = rule.target && ((standard && standard->kind != StandardTarget::Kind::return_) ||
                                            std::holds_alternative<RejectTarget>(rule.target->spec));
                plan.first_match_only = plan.exact[r] && ends;
            }
        }
    }
}

WalkResult CompiledEngine::walk(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits,
                                std::uint32_t first_candidate) const {
    FixedStack stack;
    PacketKey key;
    const bool keyed = compiled_ && compiled_key(p, key);
    const int base = base_[table][static_cast<std::size_t>(hook)];
    if (!keyed) {
        return detail::walk_table(
            rs_.tables[table], table, base, p, st, visits, stack, [](int, std::size_t i) { return i; },
            [&](int, std::size_t, const Rule& r) { return linear_.rule_matches(r, p, hook, st); });
    }
    const auto& chain_plans = plans_[table];
    return detail::walk_table(
        rs_.tables[table], table, base, p, st, visits, stack,
        [&](int chain, std::size_t i) -> std::size_t {
            if (chain == base && i == 0 && first_candidate != BoxIndex::none) return first_candidate;
            return chain_plans[static_cast<std::size_t>(chain)].next_candidate(key, static_cast<std::uint32_t>(i));
        },
        [&](int chain, std::size_t i, const Rule& r) {
            return chain_plans[static_cast<std::size_t>(chain)].exact[i] || linear_.rule_matches(r, p, hook, st);
        });
}

WalkResult CompiledEngine::run(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits) const {
    return walk(table, hook, p, st, visits, BoxIndex::none);
}

void CompiledEngine::run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st,
                               WalkResult* out) const {
    const int base = base_[table][static_cast<std::size_t>(hook)];
    const BoxIndex* index = nullptr;
    const ChainPlan* plan = nullptr;
    if (compiled_ && base >= 0) {
        plan = &plans_[table][static_cast<std::size_t>(base)];
        if (plan->index) index = &*plan->index;
    }
    const bool direct = index && plan->first_match_only;
    constexpr std::size_t group = 64;
    PacketKey keys[group];
    std::uint32_t first[group];
    std::uint32_t slot[group];
    for (std::size_t g = 0; g < n; g += group) {
        const std::size_t m = std::min(group, n - g);
        std::size_t keyed = 0;
        for (std::size_t j = 0; j < m; ++j) {
            first[j] = BoxIndex::none;
            if (index && compiled_key(*packets[g + j], keys[keyed])) slot[keyed++] = static_cast<std::uint32_t>(j);
        }
        if (keyed) {
            std::uint32_t found[group];
            index->first_burst(keys, keyed, found);
            const auto rules = static_cast<std::uint32_t>(rs_.tables[table].chains[static_cast<std::size_t>(base)].rules.size());
            for (std::size_t j = 0; j < keyed; ++j) first[slot[j]] = found[j] == BoxIndex::none ? rules : found[j];
        }
        if (!direct) {
            for (std::size_t j = 0; j < m; ++j) out[g + j] = walk(table, hook, *packets[g + j], st, nullptr, first[j]);
            continue;
        }
        // First match decides: what the walk would give, without walking.
        const Table& t = rs_.tables[table];
        const std::size_t rules = t.chains[static_cast<std::size_t>(base)].rules.size();
        for (std::size_t j = 0; j < m; ++j) {
            Packet& p = *packets[g + j];
            if (first[j] == BoxIndex::none) {  // not keyed: the full walk
                out[g + j] = walk(table, hook, p, st, nullptr, BoxIndex::none);
                continue;
            }
            const bool policy = first[j] >= rules;
            out[g + j] = detail::decide_first_match(t, table, base, policy ? -1 : static_cast<int>(first[j]), p, st);
            out[g + j].rules_evaluated = policy ? 0 : 1;  // as the walk counts: the one rule it tested
        }
    }
}

std::size_t CompiledEngine::memory_bytes() const {
    std::size_t total = 0;
    for (const auto& t : plans_)
        for (const auto& c : t) {
            total += c.boxes.capacity() * sizeof(RuleBox) + c.exact.capacity();
            if (c.index) total += c.index->memory_bytes();
        }
    return total;
}

}  // namespace fwbench
