#include "fwbench/compiled_engine.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <functional>
#include <stdexcept>
#include <type_traits>

#include "fwbench/chain_walk.hpp"

namespace fwbench {

const char* rule_compilation_name(RuleCompilation c) {
    switch (c) {
        case RuleCompilation::exact: return "exact";
        case RuleCompilation::filtered: return "filtered";
        case RuleCompilation::run_time: return "run_time";
    }
    return "?";
}

namespace {

// What both families' keys hold past the addresses; `icmp_proto` is the family's ICMP.
template <class Key>
void fill_key(const Packet& p, std::uint8_t icmp_proto, Key& key) {
    key.sport = p.sport;
    key.dport = p.dport;
    key.proto = p.proto;
    key.ct = ct_state_bits(p.ct, true);
    key.tcp_flags = p.proto == proto::tcp ? p.tcp_flags : 0;
    key.icmp = p.proto == icmp_proto ? static_cast<std::uint16_t>(p.icmp_type << 8 | p.icmp_code) : 0;
    key.in_ifs = key.out_ifs = 0;
}

}  // namespace

bool compiled_key(const Packet& p, PacketKey& key) {
    if (p.family != Family::ipv4 || p.fragment || !p.l4_present) return false;
    key.src = p.src.v4_host();
    key.dst = p.dst.v4_host();
    fill_key(p, proto::icmp, key);
    return true;
}

bool compiled_key6(const Packet& p, PacketKey6& key) {
    if (p.family != Family::ipv6 || p.fragment || !p.l4_present || p.ext_headers_cut) return false;
    for (int w = 0; w < 4; ++w) {
        key.src[w] = p.src.word(w);
        key.dst[w] = p.dst.word(w);
    }
    fill_key(p, proto::icmpv6, key);
    return true;
}

int InterfacePatterns::id_of(const IfacePattern& pattern) {
    for (std::size_t i = 0; i < patterns_.size(); ++i)
        if (patterns_[i] == pattern) return static_cast<int>(i);
    if (patterns_.size() >= max_patterns || pattern.name.size() > 15) return -1;
    patterns_.push_back(pattern);
    rebuild();
    return static_cast<int>(patterns_.size() - 1);
}

std::size_t InterfacePatterns::slot_of(const std::uint64_t name[2], std::size_t mask) {
    std::uint64_t h = (name[0] ^ (name[1] * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
    return static_cast<std::size_t>(h >> 32) & mask;
}

// A device's bytes are zero past its name, so an exact pattern compares all 16 bytes and a
// wildcard only its prefix.
void InterfacePatterns::rebuild() {
    wild_name_.clear();
    wild_mask_.clear();
    wild_bit_.clear();
    std::size_t exact = 0;
    for (std::size_t i = 0; i < patterns_.size(); ++i) {
        if (!patterns_[i].wildcard) {
            ++exact;
            continue;
        }
        unsigned char name[16] = {}, mask[16] = {};
        std::memcpy(name, patterns_[i].name.data(), patterns_[i].name.size());
        std::memset(mask, 0xff, patterns_[i].name.size());
        for (int half = 0; half < 2; ++half) {
            std::uint64_t n, m;
            std::memcpy(&n, name + 8 * half, 8);
            std::memcpy(&m, mask + 8 * half, 8);
            wild_name_.push_back(n);
            wild_mask_.push_back(m);
        }
        wild_bit_.push_back(std::uint64_t{1} << i);
    }
    std::size_t size = 8;
    while (size < 2 * exact) size *= 2;
    named_.assign(exact ? size : 0, Named{});
    for (const auto& p : patterns_) {
        if (p.wildcard) continue;
        Named n;
        char bytes[16] = {};
        std::memcpy(bytes, p.name.data(), p.name.size());
        std::memcpy(n.name, bytes, 16);
        n.used = true;
        for (std::size_t j = 0; j < patterns_.size(); ++j)
            if (patterns_[j].matches(p.name)) n.bits |= std::uint64_t{1} << j;
        std::size_t s = slot_of(n.name, size - 1);
        while (named_[s].used) s = (s + 1) & (size - 1);
        named_[s] = n;
    }
}

std::uint64_t InterfacePatterns::matching(const IfaceName& device) const {
    std::uint64_t d[2];
    std::memcpy(d, device.chars.data(), 16);
    if (!named_.empty()) {
        const std::size_t mask = named_.size() - 1;
        for (std::size_t s = slot_of(d, mask); named_[s].used; s = (s + 1) & mask)
            if (named_[s].name[0] == d[0] && named_[s].name[1] == d[1]) return named_[s].bits;
    }
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < wild_bit_.size(); ++i) {
        const bool equal = (((d[0] ^ wild_name_[2 * i]) & wild_mask_[2 * i]) | ((d[1] ^ wild_name_[2 * i + 1]) & wild_mask_[2 * i + 1])) == 0;
        bits |= equal ? wild_bit_[i] : 0;
    }
    return bits;
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

template <class Shape>
void narrow(std::uint32_t& lo, std::uint32_t& hi, std::uint32_t a, std::uint32_t b, Shape& s) {
    lo = std::max(lo, a);
    hi = std::min(hi, b);
    if (lo > hi) s.empty = true;
    s.narrowed = true;
}

template <class Shape>
void narrow16(std::uint16_t& lo, std::uint16_t& hi, std::uint32_t a, std::uint32_t b, Shape& s) {
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

namespace {

// One template for both families: only the addresses and the ICMP match differ.
template <class Box>
BasicRuleBoxShape<Box> shape_rule(const Rule& r, const ExtraCompilation* extra) {
    constexpr bool v6 = std::is_same_v<Box, RuleBox6>;
    BasicRuleBoxShape<Box> s;
    RuleExtra& x = s.extra;
    auto residual = [&](std::string what) {
        if (s.exact) s.residual = std::move(what);
        s.exact = false;
    };
    const IpHeaderSpec& ip = r.ip;
    auto prefix = [&](const std::optional<Neg<IpPrefix>>& pf, auto& lo, auto& hi, const char* flag) {
        if (!pf) return;
        if (pf->negated) return residual(std::string("! ") + flag + " " + format_prefix(pf->value));
        // For a non-contiguous mask, the hull of what it matches (per word, for IPv6).
        if constexpr (v6) {
            for (int w = 0; w < 4; ++w) {
                const std::uint32_t a = pf->value.addr.word(w), m = pf->value.mask.word(w);
                narrow(lo[w], hi[w], a & m, (a & m) | ~m, s);
            }
        } else {
            const std::uint32_t a = pf->value.addr.v4_host(), m = pf->value.mask.v4_host();
            narrow(lo, hi, a & m, (a & m) | ~m, s);
        }
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
    auto interface = [&](const std::optional<Neg<IfacePattern>>& pattern, std::uint64_t& mask, std::uint64_t& want, const char* flag) {
        if (!pattern) return;
        const int id = extra && extra->interfaces ? extra->interfaces->id_of(pattern->value) : -1;
        if (id < 0)
            return residual(std::string(pattern->negated ? "! " : "") + flag + " " + pattern->value.name + (pattern->value.wildcard ? "+" : ""));
        mask |= std::uint64_t{1} << id;
        if (!pattern->negated) want |= std::uint64_t{1} << id;
        s.has_extra = s.narrowed = true;
    };
    interface(ip.in, x.in_mask, x.in_want, "-i");
    interface(ip.out, x.out_mask, x.out_want, "-o");
    // Keyed packets are never non-first fragments: "! -f" holds for all of them.
    if (ip.fragment && (*ip.fragment || !extra)) residual(*ip.fragment ? "-f" : "! -f");
    const bool tcp_only = s.box.proto_lo == proto::tcp && s.box.proto_hi == proto::tcp;
    const std::uint8_t icmp_proto = v6 ? proto::icmpv6 : proto::icmp;
    const bool icmp_only = s.box.proto_lo == icmp_proto && s.box.proto_hi == icmp_proto;
    auto ct_state = [&](std::uint8_t states, bool negated, const Match& m) {
        if (!extra || !extra->ct_state || x.ct_mask != 0 || states == 0) return residual(describe(m));
        x.ct_mask = states;
        x.ct_negated = negated;
        s.has_extra = s.narrowed = true;
    };
    for (const auto& m : r.matches) {
        if (has_effect(m.spec)) {
            residual(describe(m));
            break;  // conditions after a match with an effect must not keep the walk from reaching it
        }
        if (const auto* l4 = std::get_if<L4PortsMatch>(&m.spec)) {
            auto port = [&](const std::optional<Neg<PortRange>>& pr, std::uint16_t& lo, std::uint16_t& hi) {
                if (!pr) return;
                if (pr->negated) return residual(describe(m));
                narrow16(lo, hi, pr->value.lo, pr->value.hi, s);
            };
            port(l4->sport, s.box.sport_lo, s.box.sport_hi);
            port(l4->dport, s.box.dport_lo, s.box.dport_hi);
            if (l4->tcp_flags) {
                if (extra && tcp_only && !l4->tcp_flags->negated && x.flags_mask == 0 && l4->tcp_flags->value.mask != 0) {
                    x.flags_mask = l4->tcp_flags->value.mask;
                    x.flags_want = l4->tcp_flags->value.comp & x.flags_mask;
                    if (x.flags_want != l4->tcp_flags->value.comp) s.empty = true;  // a flag wanted outside the mask
                    s.has_extra = s.narrowed = true;
                } else {
                    residual(describe(m));
                }
            }
            if (l4->tcp_option || l4->reads_transport_extras()) residual(describe(m));
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
        } else if (const auto* icmp = std::get_if<IcmpMatch>(&m.spec)) {
            if (!extra || !icmp_only || icmp->v6 != v6 || icmp->negated || x.icmp_lo != 0 || x.icmp_hi != 0xffff) {
                residual(describe(m));
            } else if (!icmp->any) {
                x.icmp_lo = static_cast<std::uint16_t>(icmp->type << 8 | icmp->code_lo);
                x.icmp_hi = static_cast<std::uint16_t>(icmp->type << 8 | icmp->code_hi);
                if (icmp->code_lo > icmp->code_hi) s.empty = true;
                s.has_extra = s.narrowed = true;
            }
        } else if (const auto* st = std::get_if<StateMatch>(&m.spec)) {
            ct_state(st->states, st->negated, m);
        } else if (const auto* ct = std::get_if<ConntrackMatch>(&m.spec)) {
            const bool state_only = ct->state && !ct->proto && !ct->orig_src && !ct->orig_dst && !ct->repl_src && !ct->repl_dst && !ct->orig_sport &&
                                    !ct->orig_dport && !ct->repl_sport && !ct->repl_dport && !ct->status && !ct->expire && !ct->dir;
            if (state_only) ct_state(ct->state->value, ct->state->negated, m);
            else residual(describe(m));
        } else if (!std::holds_alternative<CommentMatch>(m.spec)) {
            residual(describe(m));
        }
    }
    return s;
}

}  // namespace

RuleBoxShape rule_box_shape(const Rule& r, const ExtraCompilation* extra) { return shape_rule<RuleBox>(r, extra); }
RuleBoxShape6 rule_box_shape6(const Rule& r, const ExtraCompilation* extra) { return shape_rule<RuleBox6>(r, extra); }

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

template <class Box>
std::uint32_t CompiledEngine::ChainPlan<Box>::next_candidate(const typename BoxLayout<Box>::Key& k, std::uint32_t from) const {
    if (index) {
        std::uint32_t r = index->next(k, from);
        return r == BasicBoxIndex<Box>::none ? static_cast<std::uint32_t>(boxes.size()) : r;
    }
    std::uint32_t r = from;
    while (r < boxes.size() && !(boxes[r].contains(k) && (boxes[r].extra == 0 || extras[boxes[r].extra - 1u].holds(k)))) ++r;
    return r;
}

template <class Key>
bool CompiledEngine::key_of(const Packet& p, Key& key) const {
    if constexpr (std::is_same_v<Key, PacketKey6>) {
        if (!compiled_key6(p, key)) return false;
    } else if (!compiled_key(p, key)) {
        return false;
    }
    if (!interfaces_.empty()) {
        key.in_ifs = interfaces_.matching(p.in);
        key.out_ifs = interfaces_.matching(p.out);
    }
    return true;
}

CompiledEngine::CompiledEngine(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets, CompiledEngineOptions opt)
    : rs_(rs), linear_(rs, host, ipsets) {
    base_.resize(rs.tables.size());
    rewrites_key_.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        for (const Chain& c : rs.tables[t].chains)
            for (const Rule& r : c.rules)
                if (r.target && std::holds_alternative<NptTarget>(r.target->spec)) rewrites_key_[t] = true;
        for (int h = 0; h < hook_count; ++h) {
            base_[t][static_cast<std::size_t>(h)] = rs.base_chain(t, static_cast<Hook>(h));
        }
        if (jump_depth(rs.tables[t]) > max_jump_depth)
            throw std::runtime_error(rs.source + ": table " + rs.tables[t].name + " nests jumps deeper than " + std::to_string(max_jump_depth) +
                                     " chains");
    }
    if (rs.family == Family::ipv6) plan_chains(plans6_, opt);
    else plan_chains(plans_, opt);
}

template <class Box>
void CompiledEngine::plan_chains(Plans<Box>& plans, const CompiledEngineOptions& opt) {
    const Ruleset& rs = rs_;
    plans.resize(rs.tables.size());
    for (std::size_t t = 0; t < rs.tables.size(); ++t) {
        const Table& table = rs.tables[t];
        plans[t].resize(table.chains.size());
        ExtraCompilation extra{&interfaces_, table.name != "raw"};
        for (std::size_t c = 0; c < table.chains.size(); ++c) {
            const Chain& chain = table.chains[c];
            ChainPlan<Box>& plan = plans[t][c];
            std::map<RuleExtra, std::uint16_t> extra_ids;
            for (std::size_t r = 0; r < chain.rules.size(); ++r) {
                BasicRuleBoxShape<Box> s = shape_rule<Box>(chain.rules[r], &extra);
                if (s.has_extra && !s.empty) {
                    auto [it, added] = extra_ids.try_emplace(s.extra, static_cast<std::uint16_t>(plan.extras.size() + 1));
                    if (added && plan.extras.size() >= 0xffff) {
                        // The box's 16 bits are spent: this rule's tests are left to run time.
                        extra_ids.erase(it);
                        if (s.exact) s.residual = "more distinct interface/state/flag tests in one chain than the index keeps";
                        s.exact = false;
                    } else {
                        if (added) plan.extras.push_back(s.extra);
                        s.box.extra = it->second;
                    }
                }
                if (s.empty) {
                    // No packet meets these conditions together: the rule is left whole to run
                    // time, where they fail.
                    s.box = Box{};
                    s.exact = s.narrowed = false;
                    s.residual = "conditions no packet meets together";
                }
                plan.boxes.push_back(s.box);
                plan.exact.push_back(s.exact ? 1 : 0);
                RuleCompilation how = s.exact ? RuleCompilation::exact : s.narrowed ? RuleCompilation::filtered : RuleCompilation::run_time;
                ++counts_[static_cast<int>(how)];
                if (!s.exact) not_exact_.push_back({table.name, chain.name, static_cast<int>(r + 1), how, s.residual});
            }
            if (chain.rules.size() >= opt.index_threshold) plan.index.emplace(plan.boxes, opt.index, plan.extras);
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

namespace {

template <class Box>
class CompiledLookup final : public PreparedLookup {
public:
    using Key = typename BoxLayout<Box>::Key;
    CompiledLookup(const BasicBoxIndex<Box>& index, std::vector<Key> keys) : index_(index), keys_(std::move(keys)) {}
    std::size_t size() const override { return keys_.size(); }
    void run(std::int32_t* out) const override {
        constexpr std::size_t burst = 64;
        std::uint32_t found[burst];
        for (std::size_t i = 0; i < keys_.size(); i += burst) {
            const std::size_t n = std::min(burst, keys_.size() - i);
            index_.first_burst(keys_.data() + i, n, found);
            for (std::size_t j = 0; j < n; ++j) out[i + j] = found[j] == BasicBoxIndex<Box>::none ? -1 : static_cast<std::int32_t>(found[j]);
        }
    }

private:
    const BasicBoxIndex<Box>& index_;
    std::vector<Key> keys_;
};

}  // namespace

std::unique_ptr<PreparedLookup> CompiledEngine::prepare_lookup(std::size_t table, Hook hook, const std::vector<Packet>& packets) const {
    return rs_.family == Family::ipv6 ? prepare_lookup_in(plans6_, table, hook, packets) : prepare_lookup_in(plans_, table, hook, packets);
}

template <class Box>
std::unique_ptr<PreparedLookup> CompiledEngine::prepare_lookup_in(const Plans<Box>& plans, std::size_t table, Hook hook,
                                                                  const std::vector<Packet>& packets) const {
    if (table >= base_.size()) return nullptr;
    const int base = base_[table][static_cast<std::size_t>(hook)];
    if (base < 0 || rewrites_key_[table]) return nullptr;
    const ChainPlan<Box>& plan = plans[table][static_cast<std::size_t>(base)];
    if (!plan.index || !plan.first_match_only) return nullptr;
    std::vector<typename BoxLayout<Box>::Key> keys(packets.size());
    for (std::size_t i = 0; i < packets.size(); ++i)
        if (!key_of(packets[i], keys[i])) return nullptr;
    return std::make_unique<CompiledLookup<Box>>(*plan.index, std::move(keys));
}

WalkResult CompiledEngine::walk(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits,
                                std::uint32_t first_candidate) const {
    if (!rewrites_key_[table]) {
        if (rs_.family == Family::ipv6) {
            PacketKey6 key;
            if (key_of(p, key)) return walk_keyed(plans6_, key, table, hook, p, st, visits, first_candidate);
        } else {
            PacketKey key;
            if (key_of(p, key)) return walk_keyed(plans_, key, table, hook, p, st, visits, first_candidate);
        }
    }
    FixedStack stack;
    return detail::walk_table(
        rs_.tables[table], table, base_[table][static_cast<std::size_t>(hook)], p, st, visits, stack, [](int, std::size_t i) { return i; },
        [&](int, std::size_t, const Rule& r) { return linear_.rule_matches(r, p, hook, st); });
}

template <class Box>
WalkResult CompiledEngine::walk_keyed(const Plans<Box>& plans, const typename BoxLayout<Box>::Key& key, std::size_t table, Hook hook, Packet& p,
                                      EngineState& st, std::vector<RuleVisit>* visits, std::uint32_t first_candidate) const {
    FixedStack stack;
    const int base = base_[table][static_cast<std::size_t>(hook)];
    const auto& chain_plans = plans[table];
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

void CompiledEngine::run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const {
    if (rs_.family == Family::ipv6) run_burst_in(plans6_, table, hook, packets, n, st, out);
    else run_burst_in(plans_, table, hook, packets, n, st, out);
}

template <class Box>
void CompiledEngine::run_burst_in(const Plans<Box>& plans, std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st,
                                  WalkResult* out) const {
    const int base = base_[table][static_cast<std::size_t>(hook)];
    const BasicBoxIndex<Box>* index = nullptr;
    const ChainPlan<Box>* plan = nullptr;
    if (base >= 0) {
        plan = &plans[table][static_cast<std::size_t>(base)];
        if (plan->index) index = &*plan->index;
    }
    const bool direct = index && plan->first_match_only;
    constexpr std::size_t group = 64;
    typename BoxLayout<Box>::Key keys[group];
    std::uint32_t first[group];
    std::uint32_t slot[group];
    for (std::size_t g = 0; g < n; g += group) {
        const std::size_t m = std::min(group, n - g);
        std::size_t keyed = 0;
        for (std::size_t j = 0; j < m; ++j) {
            first[j] = BoxIndex::none;
            if (index && key_of(*packets[g + j], keys[keyed])) slot[keyed++] = static_cast<std::uint32_t>(j);
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
    auto add = [&](const auto& plans) {
        for (const auto& t : plans)
            for (const auto& c : t) {
                total += c.boxes.capacity() * sizeof(c.boxes[0]) + c.extras.capacity() * sizeof(RuleExtra) + c.exact.capacity();
                if (c.index) total += c.index->memory_bytes();
            }
    };
    add(plans_);
    add(plans6_);
    return total;
}

ClassifierStats CompiledEngine::stats() const {
    ClassifierStats s;
    s.memory_bytes = memory_bytes();
    s.counts = {{"rules_exact", count(RuleCompilation::exact)},
                {"rules_filtered", count(RuleCompilation::filtered)},
                {"rules_at_run_time", count(RuleCompilation::run_time)}};
    s.rules_not_exact = not_exact_;
    return s;
}

}  // namespace fwbench
