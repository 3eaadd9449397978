#include "fwbench/hook_decision.hpp"

#include <algorithm>
#include <stdexcept>

#include "fwbench/engine_state.hpp"
#include "fwbench/linear_engine.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench {
namespace {

// Why a TPROXY rule's packets are outside the proof: its verdict is the host's sockets'.
constexpr const char* tproxy_not_modelled = " accepts or drops by the host's transparent sockets";
constexpr const char* synproxy_not_modelled =
    " answers a client's SYN with a SYN cookie and passes its ACK only with a valid one, by TCP flags the proof does not split on";
constexpr const char* tee_not_modelled = " sends a copy of the packet through OUTPUT and POSTROUTING, which the proof does not follow";

using Verdict6 = HookOutcome::Verdict;

std::string options_text(const std::vector<RuleOption>& options) {
    std::string s;
    for (const auto& o : options) {
        if (o.negated) s += " !";
        s += " --" + o.name;
        for (const auto& a : o.args) s += " " + a;
    }
    return s;
}

bool bit_of(std::uint64_t v, int width, int i) { return (v >> (width - 1 - i)) & 1; }

// A target whose effect the outcome lists as written (TOS and DSCP show in the TOS bits).
bool listed_rewrite(const RewriteTarget& rw) { return rw.kind != RewriteTarget::Kind::tos && rw.kind != RewriteTarget::Kind::dscp; }

HookOutcome::Verdict verdict_of_policy(StandardTarget::Kind k) {
    switch (k) {
        case StandardTarget::Kind::drop: return Verdict6::drop;
        case StandardTarget::Kind::queue: return Verdict6::queue;
        default: return Verdict6::accept;
    }
}

const char* verdict_name(HookOutcome::Verdict v) {
    switch (v) {
        case Verdict6::accept: return "ACCEPT";
        case Verdict6::drop: return "DROP";
        case Verdict6::reject: return "REJECT";
        case Verdict6::queue: return "QUEUE";
        case Verdict6::unmodelled: return "NOT MODELLED";
    }
    return "?";
}

std::string nat_text(const NatTarget& n, Family family) {
    static const char* kinds[] = {"DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP"};
    std::string s = kinds[static_cast<int>(n.kind)];
    for (const auto& r : n.ranges) {
        s += ' ';
        if (r.has_addr) s += format_ip(r.addr_lo) + (r.addr_hi == r.addr_lo ? "" : "-" + format_ip(r.addr_hi));
        if (r.has_ports) s += ":" + std::to_string(r.port_lo) + (r.port_hi == r.port_lo ? "" : "-" + std::to_string(r.port_hi));
    }
    if (n.kind == NatTarget::Kind::netmap) s += " " + format_prefix(n.netmap_to);
    (void)family;
    return s;
}

std::string effects_text(HookOutcome::Verdict v, const std::string& detail, const std::optional<NatTarget>& nat, const std::optional<CtTarget>& ct,
                         const std::vector<std::string>& rewrites) {
    std::string s = verdict_name(v);
    if (!detail.empty()) s += " (" + detail + ")";
    if (nat) s += ", " + nat_text(*nat, nat->ranges.empty() ? Family::ipv4 : nat->ranges[0].addr_lo.family);
    if (ct) s += ct->notrack ? ", NOTRACK" : ", CT";
    for (const auto& r : rewrites) s += ", " + r;
    return s;
}

}  // namespace

std::string match_text(const Match& m) { return "-m " + m.module + options_text(m.options); }
std::string target_text(const Target& t) { return t.name + options_text(t.options); }

// ---------------------------------------------------------------------------------------------
// Outcomes

bool HookOutcome::same_effects(const HookOutcome& o) const {
    return verdict == o.verdict && detail == o.detail && nat == o.nat && ct == o.ct && rewrites == o.rewrites;
}

bdd HookOutcome::bits_differ(const HookOutcome& o, const bdd& within) const {
    // Bit by bit inside `within` (each small), joined while the union stays small: two vectors of
    // unrelated variables differ on a set whose BDD can be as large as the values they take.
    bdd d = bdd_false();
    auto add = [&](const bdd& x, const bdd& y) {
        if (x == y) return;
        const bdd part = within & (x ^ y);
        if (part == bdd_false()) return;
        if (d != bdd_false() && bdd_nodecount(d) > 100000) return;  // a subset is enough to show and to count as differing
        d |= part;
    };
    for (std::size_t i = 0; i < 32; ++i) {
        add(mark[i], o.mark[i]);
        add(ctmark[i], o.ctmark[i]);
    }
    for (std::size_t i = 0; i < 8; ++i) add(tos[i], o.tos[i]);
    return d;
}

std::string HookOutcome::describe() const { return effects_text(verdict, detail, nat, ct, rewrites); }

std::string ConcreteOutcome::describe() const {
    std::string s = effects_text(verdict, detail, nat, ct, rewrites);
    char buf[64];
    std::snprintf(buf, sizeof buf, ", mark 0x%x, ctmark 0x%x, tos 0x%02x", mark, ctmark, tos);
    return s + buf;
}

ConcreteOutcome evaluate(const HookOutcome& o, const HeaderSpace& space, const Assignment& a) {
    const bdd point = space.cube(a);
    auto value = [&](const bdd& b) { return bdd_restrict(b, point) == bdd_true(); };
    ConcreteOutcome c{o.verdict, o.detail, o.nat, o.ct, o.rewrites, 0, 0, 0};
    for (int i = 0; i < 32; ++i) {
        if (value(o.mark[static_cast<std::size_t>(i)])) c.mark |= 1u << (31 - i);
        if (value(o.ctmark[static_cast<std::size_t>(i)])) c.ctmark |= 1u << (31 - i);
    }
    for (int i = 0; i < 8; ++i)
        if (value(o.tos[static_cast<std::size_t>(i)])) c.tos = static_cast<std::uint8_t>(c.tos | (1u << (7 - i)));
    return c;
}

// ---------------------------------------------------------------------------------------------
// The symbolic walk

struct HookDecision::State {
    HookOutcome out;
    std::optional<CtState> forced_state;  // NOTRACK in raw: the rest of the hook sees UNTRACKED
    bool snat_set = false, dnat_set = false;  // a translation this hook set up (--ctstate SNAT/DNAT)
    bdd overrides = bdd_true();  // fields a translation or TTL rewrite made constant, as a cube
    bool ttl_unknown = false;  // TTL/HL incremented or decremented: later TTL tests not modelled
    // TCPMSS or TCPOPTSTRIP ran: later tests of TCP options not modelled; after TCPMSS (which may
    // add 4 bytes) nor of the length.
    bool options_rewritten = false, length_rewritten = false;
    bool flags_rewritten = false;  // ECN set TCP's ECE or CWR: later -m ecn tests of them not modelled
    bool pristine = true;  // nothing above changed: rule BDDs may be cached
    bool operator==(const State& o) const {
        if (!out.same_effects(o.out) || forced_state != o.forced_state || snat_set != o.snat_set || dnat_set != o.dnat_set ||
            overrides != o.overrides || ttl_unknown != o.ttl_unknown || options_rewritten != o.options_rewritten ||
            length_rewritten != o.length_rewritten || flags_rewritten != o.flags_rewritten)
            return false;
        for (std::size_t i = 0; i < 32; ++i)
            if (out.mark[i] != o.out.mark[i] || out.ctmark[i] != o.out.ctmark[i]) return false;
        for (std::size_t i = 0; i < 8; ++i)
            if (out.tos[i] != o.out.tos[i]) return false;
        return true;
    }
};

struct HookDecision::Flow {
    State st;
    bdd region;
};

namespace {

template <class Flow>
void add_flow(std::vector<Flow>& flows, const bdd& region, const decltype(Flow::st)& st) {
    if (region == bdd_false()) return;
    for (auto& f : flows)
        if (f.st == st) {
            f.region |= region;
            return;
        }
    flows.push_back({st, region});
}

// The union of many regions, paired off level by level: each OR then joins BDDs of like size,
// where ORing them one by one into a growing union redoes its whole size each time.
bdd balanced_or(std::vector<bdd> v) {
    while (v.size() > 1) {
        std::vector<bdd> joined;
        for (std::size_t i = 0; i + 1 < v.size(); i += 2) joined.push_back(v[i] | v[i + 1]);
        if (v.size() % 2) joined.push_back(v.back());
        v = std::move(joined);
    }
    return v.empty() ? bdd_false() : v[0];
}

// Flows with the same state joined into one (balanced_or per state).
template <class Flow>
std::vector<Flow> merge_flows(const std::vector<Flow>& flows) {
    std::vector<Flow> out;
    std::vector<std::vector<bdd>> parts;
    for (const auto& f : flows) {
        std::size_t i = 0;
        while (i < out.size() && !(out[i].st == f.st)) ++i;
        if (i == out.size()) {
            out.push_back({f.st, bdd_false()});
            parts.emplace_back();
        }
        parts[i].push_back(f.region);
    }
    for (std::size_t i = 0; i < out.size(); ++i) out[i].region = balanced_or(std::move(parts[i]));
    return out;
}

}  // namespace

bdd RuleReach::union_of(const std::vector<bdd>& parts) { return balanced_or(parts); }

bdd differing_region(const std::vector<DecidedRegion>& a, const std::vector<DecidedRegion>& b) {
    std::vector<bdd> parts;
    for (const auto& x : a)
        for (const auto& y : b) {
            const bdd overlap = x.region & y.region;
            if (overlap == bdd_false()) continue;
            parts.push_back(x.outcome.same_effects(y.outcome) ? x.outcome.bits_differ(y.outcome, overlap) : overlap);
        }
    return balanced_or(parts);
}

HookDecision::HookDecision(HeaderSpace& space, const Ruleset& rs, const HostView* host, const IpsetRegistry* ipsets, ProofLimits& limits)
    : space_(space), rs_(rs), host_(host), ipsets_(ipsets), limits_(limits) {}

bdd HookDecision::hook_domain(Hook hook) const {
    const bdd no_in = space_.equals(Field::in_iface, 0), no_out = space_.equals(Field::out_iface, 0);
    bdd d = space_.valid();
    switch (hook) {
        case Hook::prerouting:
        case Hook::input: return d & !no_in & no_out;
        case Hook::forward: return d & !no_in & !no_out;
        case Hook::output: return d & no_in & !no_out;
        case Hook::postrouting: return d & !no_out;  // a forwarded packet keeps its input device
    }
    return d;
}

std::optional<bdd> HookDecision::ipset_bdd(const SetMatch& s) {
    const Ipset* set = ipsets_ ? ipsets_->find(s.set_name) : nullptr;
    const std::string key = s.set_name + (s.dirs.empty() || s.dirs[0] ? " src" : " dst");
    auto it = sets_.find(key);
    if (it != sets_.end()) return it->second;
    // Exact for sets of addresses or networks, one dimension, no nomatch entries; others are atoms.
    bool exact = set && set->family == space_.family() && set->dims.size() == 1 && set->dims[0] == IpsetEntry::Dim::Kind::net;
    if (exact)
        for (const auto& e : set->entries) exact &= !e.nomatch && e.dims.size() == 1;
    if (!exact) return std::nullopt;
    const Field f = s.dirs.empty() || s.dirs[0] ? Field::src : Field::dst;
    bdd r = bdd_false();
    for (const auto& e : set->entries) {
        const auto& d = e.dims[0];
        r |= d.is_range ? space_.address_range(f, d.net.addr, d.range_hi) : space_.prefix(f, d.net);
    }
    sets_.emplace(key, r);
    return r;
}

std::optional<bdd> HookDecision::addrtype_bdd(const AddrTypeMatch& m, Field f, std::uint16_t types) {
    const auto* host = dynamic_cast<const Host*>(host_);
    if (!host || space_.family() != Family::ipv4) return std::nullopt;
    // __inet_dev_addr_type: 0/8 and 255.255.255.255 broadcast, 224/4 multicast, else the type of
    // the local table's longest matching route (through the limiting device, if any), else unicast.
    const Field dev = m.limit_iface_out ? Field::out_iface : Field::in_iface;
    const bool limited = m.limit_iface_in || m.limit_iface_out;
    auto type_bit = [](RouteType t) -> std::uint16_t {
        switch (t) {
            case RouteType::unicast: return addr_type::unicast;
            case RouteType::local: return addr_type::local;
            case RouteType::broadcast: return addr_type::broadcast;
            case RouteType::anycast: return addr_type::anycast;
            case RouteType::multicast: return addr_type::multicast;
            case RouteType::blackhole: return addr_type::blackhole;
            case RouteType::unreachable: return addr_type::unreachable;
            case RouteType::prohibit: return addr_type::prohibit;
            case RouteType::throw_: return addr_type::throw_;
            case RouteType::nat: return addr_type::nat;
        }
        return addr_type::unicast;
    };
    bdd result = bdd_false(), covered = bdd_false();
    auto take = [&](const bdd& here, std::uint16_t bit) {
        if (types & bit) result |= here & !covered;
        covered |= here;
    };
    take(space_.prefix(f, *parse_prefix("0.0.0.0/8", Family::ipv4).prefix), addr_type::broadcast);
    take(space_.prefix(f, *parse_prefix("255.255.255.255/32", Family::ipv4).prefix), addr_type::broadcast);
    take(space_.prefix(f, *parse_prefix("224.0.0.0/4", Family::ipv4).prefix), addr_type::multicast);
    if (const RouteTable* local = host->table(rt_table_local)) {
        std::vector<const Route*> routes;
        for (const auto& r : local->routes())
            if (r.dst.addr.family == Family::ipv4) routes.push_back(&r);
        std::stable_sort(routes.begin(), routes.end(), [](const Route* a, const Route* b) {
            return a->prefixlen != b->prefixlen ? a->prefixlen > b->prefixlen : a->metric < b->metric;
        });
        for (const Route* r : routes) {
            const bdd here = space_.prefix(f, r->dst) & !covered;
            if (limited) {
                const bdd through = space_.interface_is(dev, r->dev);
                if (types & type_bit(r->type)) result |= here & through;
                if (types & addr_type::unicast) result |= here & !through;
            } else if (types & type_bit(r->type)) {
                result |= here;
            }
            covered |= here;
        }
    }
    if (types & addr_type::unicast) result |= !covered;
    return result;
}

bdd HookDecision::match_bdd(const Match& m, const State& st, Hook hook) {
    const HeaderSpace& s = space_;
    const bdd not_frag = !s.bit(Field::fragment, 0);
    auto ports = [&](Field f, const std::optional<Neg<PortRange>>& r) {
        if (!r) return bdd_true();
        bdd in = s.in_range(f, r->value.lo, r->value.hi);
        return r->negated ? !in : in;
    };
    auto state_is = [&](CtState v) {
        if (st.forced_state) return *st.forced_state == v ? bdd_true() : bdd_false();
        return s.equals(Field::ct_state, static_cast<std::uint64_t>(v));
    };
    auto has_entry = [&] { return state_is(CtState::new_) | state_is(CtState::established) | state_is(CtState::related); };
    auto state_bits = [&](std::uint8_t states, bool with_nat) {
        bdd hit = bdd_false();
        if (states & ct_state_bit::invalid) hit |= state_is(CtState::invalid);
        if (states & ct_state_bit::new_) hit |= state_is(CtState::new_);
        if (states & ct_state_bit::established) hit |= state_is(CtState::established);
        if (states & ct_state_bit::related) hit |= state_is(CtState::related);
        if (states & ct_state_bit::untracked) hit |= state_is(CtState::untracked);
        if (with_nat && (states & ct_state_bit::snat)) hit |= has_entry() & (st.snat_set ? bdd_true() : s.bit(Field::ct_snat, 0));
        if (with_nat && (states & ct_state_bit::dnat)) hit |= has_entry() & (st.dnat_set ? bdd_true() : s.bit(Field::ct_dnat, 0));
        return hit;
    };
    auto bits_equal = [&](const std::array<bdd, 32>& bits, std::uint32_t value, std::uint32_t mask) {
        bdd r = bdd_true();
        for (int i = 0; i < 32; ++i)
            if (bit_of(mask, 32, i)) r &= bit_of(value, 32, i) ? bits[static_cast<std::size_t>(i)] : !bits[static_cast<std::size_t>(i)];
        return r;
    };
    auto tos_equal = [&](std::uint8_t value, std::uint8_t mask) {
        bdd r = bdd_true();
        for (int i = 0; i < 8; ++i)
            if (bit_of(mask, 8, i)) r &= bit_of(value, 8, i) ? st.out.tos[static_cast<std::size_t>(i)] : !st.out.tos[static_cast<std::size_t>(i)];
        return r;
    };
    if (const auto* l4 = std::get_if<L4PortsMatch>(&m.spec);
        st.options_rewritten && (std::holds_alternative<TcpmssMatch>(m.spec) || (l4 && l4->tcp_option))) {
        unmodelled_ = match_text(m) + " after TCPMSS or TCPOPTSTRIP in this hook (they rewrite the TCP options)";
        return bdd_false();
    }
    // (--tcp-flags cannot name ECE or CWR: only -m ecn reads them.)
    if (const auto* ecn = std::get_if<EcnMatch>(&m.spec); st.flags_rewritten && ecn) {
        if (ecn->ece || ecn->cwr) {
            unmodelled_ = match_text(m) + " after ECN set TCP's ECE or CWR flag in this hook";
            return bdd_false();
        }
    }
    if (st.length_rewritten && std::holds_alternative<LengthMatch>(m.spec)) {
        unmodelled_ = match_text(m) + " after TCPMSS in this hook (it may add an MSS option, 4 bytes longer)";
        return bdd_false();
    }
    if (const auto* label = std::get_if<ConnlabelMatch>(&m.spec); label && label->set) {
        unmodelled_ = match_text(m) + " (testing it sets the connection's label, which later tests read)";
        return bdd_false();
    }
    auto atom = [&]() {
        const std::string key = match_text(m);
        (is_stateful(m.spec) ? limits_.history : limits_.opaque).insert(key);
        return space_.atom(key);
    };
    (void)hook;
    return std::visit(
        [&](const auto& spec) -> bdd {
            using T = std::decay_t<decltype(spec)>;
            if constexpr (std::is_same_v<T, L4PortsMatch>) {
                bdd r = not_frag & ports(Field::sport, spec.sport) & ports(Field::dport, spec.dport);
                if (spec.tcp_flags) {
                    bdd f = s.masked(Field::tcp_flags, spec.tcp_flags->value.comp, spec.tcp_flags->value.mask);
                    r &= spec.tcp_flags->negated ? !f : f;
                }
                if (spec.tcp_option || spec.reads_transport_extras()) r &= atom();
                return r;
            } else if constexpr (std::is_same_v<T, IcmpMatch>) {
                bdd hit = spec.any ? bdd_true() : s.equals(Field::icmp_type, spec.type) & s.in_range(Field::icmp_code, spec.code_lo, spec.code_hi);
                return not_frag & (spec.negated ? !hit : hit);
            } else if constexpr (std::is_same_v<T, MultiportMatch>) {
                bdd hit = bdd_false();
                for (const auto& r : spec.ports) {
                    bdd sp = s.in_range(Field::sport, r.lo, r.hi), dp = s.in_range(Field::dport, r.lo, r.hi);
                    hit |= spec.which == MultiportMatch::Which::source ? sp : spec.which == MultiportMatch::Which::destination ? dp : (sp | dp);
                }
                return not_frag & (spec.negated ? !hit : hit);
            } else if constexpr (std::is_same_v<T, StateMatch>) {
                bdd hit = state_bits(spec.states, false);
                return spec.negated ? !hit : hit;
            } else if constexpr (std::is_same_v<T, ConntrackMatch>) {
                bdd r = bdd_true();
                if (spec.state) {
                    bdd hit = state_bits(spec.state->value, true);
                    r = spec.state->negated ? !hit : hit;
                }
                const bool rest = spec.dir || spec.proto || spec.orig_src || spec.orig_dst || spec.repl_src || spec.repl_dst || spec.orig_sport ||
                                  spec.orig_dport || spec.repl_sport || spec.repl_dport || spec.status || spec.expire;
                const bdd entry = has_entry();
                return r & ((entry & (rest ? atom() : bdd_true())) | (!entry & (spec.state ? bdd_true() : bdd_false())));
            } else if constexpr (std::is_same_v<T, IpRangeMatch>) {
                bdd r = bdd_true();
                if (spec.src) {
                    bdd in = s.address_range(Field::src, spec.src->value.lo, spec.src->value.hi);
                    r &= spec.src->negated ? !in : in;
                }
                if (spec.dst) {
                    bdd in = s.address_range(Field::dst, spec.dst->value.lo, spec.dst->value.hi);
                    r &= spec.dst->negated ? !in : in;
                }
                return r;
            } else if constexpr (std::is_same_v<T, AddrTypeMatch>) {
                bdd r = bdd_true();
                for (auto [f, want] : {std::pair{Field::src, &spec.src}, std::pair{Field::dst, &spec.dst}}) {
                    if (!*want) continue;
                    std::optional<bdd> t = addrtype_bdd(spec, f, (*want)->value);
                    if (!t) return atom();
                    r &= (*want)->negated ? !*t : *t;
                }
                return r;
            } else if constexpr (std::is_same_v<T, MarkMatch>) {
                bdd eq = bits_equal(spec.connmark ? st.out.ctmark : st.out.mark, spec.value, spec.mask);
                bdd r = spec.negated ? !eq : eq;
                return spec.connmark ? has_entry() & r : r;
            } else if constexpr (std::is_same_v<T, CommentMatch>) {
                return bdd_true();
            } else if constexpr (std::is_same_v<T, LengthMatch>) {
                bdd in = s.in_range(Field::length, spec.len.lo, spec.len.hi);
                return spec.negated ? !in : in;
            } else if constexpr (std::is_same_v<T, TosMatch>) {
                bdd eq = tos_equal(spec.value, spec.mask);
                return spec.negated ? !eq : eq;
            } else if constexpr (std::is_same_v<T, EcnMatch>) {
                bdd r = bdd_true();
                if (spec.ip_ect) {
                    bdd eq = tos_equal(spec.ip_ect->value, 0x03);
                    r &= spec.ip_ect->negated ? !eq : eq;
                }
                // xt_ecn's TCP part: no match without a TCP header to read (a later fragment).
                for (const auto& [flag, bit] : {std::pair{spec.ece, 0x40}, std::pair{spec.cwr, 0x80}}) {
                    if (!flag) continue;
                    bdd set = s.masked(Field::tcp_flags, static_cast<std::uint64_t>(bit), static_cast<std::uint64_t>(bit));
                    r &= not_frag & (flag->negated ? !set : set);
                }
                return r;
            } else if constexpr (std::is_same_v<T, DscpMatch>) {
                bdd eq = tos_equal(static_cast<std::uint8_t>(spec.dscp << 2), 0xfc);
                return spec.negated ? !eq : eq;
            } else if constexpr (std::is_same_v<T, TtlMatch>) {
                if (st.ttl_unknown) {
                    unmodelled_ = match_text(m) + " after a TTL or hop limit increment or decrement in this hook";
                    return bdd_false();
                }
                switch (spec.op) {
                    case TtlMatch::Op::eq: return s.equals(Field::ttl, spec.value);
                    case TtlMatch::Op::ne: return !s.equals(Field::ttl, spec.value);
                    case TtlMatch::Op::lt: return spec.value == 0 ? bdd_false() : s.in_range(Field::ttl, 0, spec.value - 1u);
                    case TtlMatch::Op::gt: return spec.value == 255 ? bdd_false() : s.in_range(Field::ttl, spec.value + 1u, 255);
                }
                return bdd_false();
            } else if constexpr (std::is_same_v<T, PktTypeMatch>) {
                PktType t = spec.type == PktType::outgoing ? PktType::host : spec.type;
                bdd eq = s.equals(Field::pkttype, static_cast<std::uint64_t>(t));
                return spec.negated ? !eq : eq;
            } else if constexpr (std::is_same_v<T, SetMatch>) {
                std::optional<bdd> in = ipset_bdd(spec);
                if (!in) return atom();
                return spec.negated ? !*in : *in;
            } else {
                return atom();
            }
        },
        m.spec);
}

bdd HookDecision::rule_bdd(const Rule& rule, const State& st, Hook hook) {
    if (st.pristine) {
        auto it = pristine_rules_.find(&rule);
        if (it != pristine_rules_.end()) return it->second;
    }
    const HeaderSpace& s = space_;
    bdd r = bdd_true();
    const IpHeaderSpec& ip = rule.ip;
    auto neg = [](const bdd& b, bool n) { return n ? !b : b; };
    if (ip.src) r &= neg(s.prefix(Field::src, ip.src->value), ip.src->negated);
    if (ip.dst) r &= neg(s.prefix(Field::dst, ip.dst->value), ip.dst->negated);
    if (ip.in) r &= neg(s.interface_matches(Field::in_iface, ip.in->value), ip.in->negated);
    if (ip.out) r &= neg(s.interface_matches(Field::out_iface, ip.out->value), ip.out->negated);
    if (ip.proto) r &= neg(s.equals(Field::proto, ip.proto->value), ip.proto->negated);
    if (ip.fragment) r &= *ip.fragment ? s.bit(Field::fragment, 0) : !s.bit(Field::fragment, 0);
    for (const auto& m : rule.matches) {
        if (r == bdd_false()) break;
        r &= match_bdd(m, st, hook);
        if (!unmodelled_.empty()) return bdd_false();
    }
    if (st.overrides != bdd_true()) r = bdd_restrict(r, st.overrides);
    if (st.pristine) pristine_rules_.emplace(&rule, r);
    return r;
}

void HookDecision::walk_chain(const Table& t, int chain, std::vector<Flow> flows, std::vector<Flow>& returned, std::vector<Flow>& accepted,
                              std::vector<DecidedRegion>& decided, Hook hook, const TableContext& tc) {
    const Chain& c = t.chains[static_cast<std::size_t>(chain)];
    const HeaderSpace& s = space_;
    auto decide = [&](const bdd& region, const State& st, HookOutcome::Verdict v, std::string detail) {
        HookOutcome o = st.out;
        o.verdict = v;
        o.detail = std::move(detail);
        decided.push_back({std::move(o), region});
    };
    for (const Rule& rule : c.rules) {
        if (flows.empty()) break;
        std::vector<Flow> next;
        for (const Flow& f : flows) {
            const bdd m = rule_bdd(rule, f.st, hook);
            if (!unmodelled_.empty()) {
                decide(f.region, f.st, Verdict6::unmodelled, unmodelled_);
                unmodelled_.clear();
                continue;
            }
            const bdd hit = f.region & m;
            if (reach_) {
                reach_->arrived[&rule].push_back(f.region);
                if (hit != bdd_false()) reach_->matched[&rule].push_back(hit);
            }
            add_flow(next, hit == bdd_false() ? f.region : f.region & !m, f.st);
            if (hit == bdd_false()) continue;
            if (!rule.target) {
                add_flow(next, hit, f.st);
                continue;
            }
            const TargetSpec& spec = rule.target->spec;
            if (const auto* std_t = std::get_if<StandardTarget>(&spec)) {
                switch (std_t->kind) {
                    case StandardTarget::Kind::accept: accepted.push_back({f.st, hit}); break;
                    case StandardTarget::Kind::drop: decide(hit, f.st, Verdict6::drop, ""); break;
                    case StandardTarget::Kind::queue: decide(hit, f.st, Verdict6::queue, "QUEUE"); break;
                    case StandardTarget::Kind::return_: add_flow(returned, hit, f.st); break;
                }
            } else if (const auto* j = std::get_if<JumpTarget>(&spec)) {
                std::vector<Flow> back;
                walk_chain(t, j->chain_index, {{f.st, hit}}, back, accepted, decided, hook, tc);
                for (const Flow& b : back) add_flow(j->is_goto ? returned : next, b.region, b.st);
            } else if (const auto* rj = std::get_if<RejectTarget>(&spec)) {
                decide(hit, f.st, Verdict6::reject, rj->with);
            } else if (std::holds_alternative<NfqueueTarget>(spec)) {
                decide(hit, f.st, Verdict6::queue, target_text(*rule.target));
            } else if (const auto* n = std::get_if<NatTarget>(&spec)) {
                State st = f.st;
                st.out.nat = *n;
                const bool dst = n->kind == NatTarget::Kind::dnat || n->kind == NatTarget::Kind::redirect ||
                                 (n->kind == NatTarget::Kind::netmap && (hook == Hook::prerouting || hook == Hook::output));
                (dst ? st.dnat_set : st.snat_set) = true;
                st.pristine = false;
                if (tc.later_tables) {
                    // The later tables of this hook see the translated packet (nat_apply runs before them).
                    std::optional<IpAddr> addr;
                    std::optional<std::uint16_t> port;
                    bool single = n->ranges.size() <= 1 && n->kind != NatTarget::Kind::netmap;
                    if (single && !n->ranges.empty()) {
                        const NatRange& r = n->ranges[0];
                        if (r.has_addr) single &= r.addr_lo == r.addr_hi, addr = r.addr_lo;
                        if (r.has_ports) single &= r.port_lo == r.port_hi, port = r.port_lo;
                    }
                    if (n->kind == NatTarget::Kind::redirect) {
                        IpAddr lo;
                        lo.family = s.family();
                        if (s.family() == Family::ipv4) lo = IpAddr::v4(0x7f000001);
                        else lo.bytes[15] = 1;
                        addr = lo;
                    }
                    if (n->kind == NatTarget::Kind::masquerade || (!dst && !addr)) single = false;
                    if (!single) {
                        decide(hit, st, Verdict6::unmodelled,
                               "a translation to one of several addresses or ports, which later tables of this hook see");
                        continue;
                    }
                    const Field af = dst ? Field::dst : Field::src, pf = dst ? Field::dport : Field::sport;
                    if (addr) st.overrides &= s.address(af, *addr);
                    if (port) st.overrides &= s.equals(pf, *port);
                }
                accepted.push_back({st, hit});
            } else if (std::holds_alternative<NptTarget>(spec)) {
                decide(hit, f.st, Verdict6::unmodelled, target_text(*rule.target) + " rewrites an address's prefix, which the rest of the way sees");
            } else if (std::holds_alternative<TproxyTarget>(spec)) {
                decide(hit, f.st, Verdict6::unmodelled, target_text(*rule.target) + tproxy_not_modelled);
            } else if (std::holds_alternative<TeeTarget>(spec)) {
                decide(hit, f.st, Verdict6::unmodelled, target_text(*rule.target) + tee_not_modelled);
            } else if (std::holds_alternative<SynproxyTarget>(spec)) {
                decide(hit, f.st, Verdict6::unmodelled, target_text(*rule.target) + synproxy_not_modelled);
            } else {
                apply_continuing(spec, *rule.target, hit, f.st, next, tc);
            }
        }
        flows = std::move(next);
    }
    for (const Flow& f : flows) add_flow(returned, f.region, f.st);
}

void HookDecision::apply_continuing(const TargetSpec& spec, const Target& target, const bdd& hit, const State& in, std::vector<Flow>& next,
                                    const TableContext& tc) {
    const HeaderSpace& s = space_;
    State st = in;
    auto bits32 = [](std::uint32_t v, int i) { return bit_of(v, 32, i); };
    if (const auto* m = std::get_if<MarkTarget>(&spec)) {
        for (int i = 0; i < 32; ++i) {
            auto& b = st.out.mark[static_cast<std::size_t>(i)];
            b = (bits32(m->mask, i) ? bdd_false() : b) ^ (bits32(m->value, i) ? bdd_true() : bdd_false());
        }
    } else if (const auto* c = std::get_if<ConnmarkTarget>(&spec)) {
        // xt_CONNMARK changes nothing without a conntrack entry.
        bdd entry = st.forced_state ? bdd_false() : s.in_range(Field::ct_state, 1, 3);
        add_flow(next, hit & !entry, in);
        for (int i = 0; i < 32; ++i) {
            auto& ctm = st.out.ctmark[static_cast<std::size_t>(i)];
            auto& mk = st.out.mark[static_cast<std::size_t>(i)];
            const bdd old_mark = mk, old_ct = ctm;
            switch (c->mode) {
                case ConnmarkTarget::Mode::set:
                    ctm = (bits32(c->ctmask, i) ? bdd_false() : old_ct) ^ (bits32(c->ctmark, i) ? bdd_true() : bdd_false());
                    break;
                case ConnmarkTarget::Mode::save:
                    ctm = (bits32(c->ctmask, i) ? bdd_false() : old_ct) ^ (bits32(c->nfmask, i) ? old_mark : bdd_false());
                    break;
                case ConnmarkTarget::Mode::restore:
                    mk = (bits32(c->nfmask, i) ? bdd_false() : old_mark) ^ (bits32(c->ctmask, i) ? old_ct : bdd_false());
                    break;
            }
        }
        st.pristine = false;
        add_flow(next, hit & entry, st);
        return;
    } else if (std::holds_alternative<LogTarget>(spec) || std::holds_alternative<RateEstimatorTarget>(spec) ||
               std::holds_alternative<SideEffectTarget>(spec)) {
        limits_.ignored.insert(target.name);
        add_flow(next, hit, in);
        return;
    } else if (std::holds_alternative<HmarkTarget>(spec)) {
        // The mark becomes a hash of the packet: each bit an opaque atom of this target.
        const std::string key = target_text(target);
        limits_.opaque.insert(key);
        for (int i = 0; i < 32; ++i) st.out.mark[static_cast<std::size_t>(i)] = space_.atom(key + " (mark bit " + std::to_string(i) + ")");
    } else if (const auto* ct = std::get_if<CtTarget>(&spec)) {
        st.out.ct = *ct;
        if (ct->notrack && tc.raw) st.forced_state = CtState::untracked;
    } else if (const auto* rw = std::get_if<RewriteTarget>(&spec)) {
        switch (rw->kind) {
            case RewriteTarget::Kind::tos:
                for (int i = 0; i < 8; ++i) {
                    auto& b = st.out.tos[static_cast<std::size_t>(i)];
                    b = (bit_of(rw->mask, 8, i) ? bdd_false() : b) ^ (bit_of(rw->value, 8, i) ? bdd_true() : bdd_false());
                }
                break;
            case RewriteTarget::Kind::dscp:
                for (int i = 0; i < 6; ++i) st.out.tos[static_cast<std::size_t>(i)] = bit_of(rw->value, 6, i) ? bdd_true() : bdd_false();
                break;
            case RewriteTarget::Kind::ttl_set:
                st.overrides &= s.equals(Field::ttl, rw->value & 0xff);
                st.ttl_unknown = false;
                break;
            case RewriteTarget::Kind::ttl_inc:
            case RewriteTarget::Kind::ttl_dec: st.ttl_unknown = true; break;
            case RewriteTarget::Kind::tcpmss_set:
            case RewriteTarget::Kind::tcpmss_clamp: st.options_rewritten = st.length_rewritten = true; break;
            case RewriteTarget::Kind::tcpoptstrip: st.options_rewritten = true; break;
            case RewriteTarget::Kind::ecn:
                for (int i = 6; i < 8; ++i)  // the ECN field: TOS's two low bits
                    if (bit_of(rw->mask, 8, i)) st.out.tos[static_cast<std::size_t>(i)] = bit_of(rw->value, 8, i) ? bdd_true() : bdd_false();
                st.flags_rewritten = st.flags_rewritten || (rw->mask & 0xc0);
                break;
            default: break;
        }
        if (listed_rewrite(*rw)) st.out.rewrites.push_back(target_text(target));
    }
    st.pristine = false;
    add_flow(next, hit, st);
}

HookDecision::State HookDecision::start_state() const {
    State start;
    for (int i = 0; i < 32; ++i) {
        start.out.mark[static_cast<std::size_t>(i)] = space_.bit(Field::mark, i);
        start.out.ctmark[static_cast<std::size_t>(i)] = space_.bit(Field::ctmark, i);
    }
    for (int i = 0; i < 8; ++i) start.out.tos[static_cast<std::size_t>(i)] = space_.bit(Field::tos, i);
    return start;
}

bdd HookDecision::rule_match(const Rule& rule, Hook hook) {
    const bdd m = rule_bdd(rule, start_state(), hook);
    unmodelled_.clear();  // nothing is left out for an untouched packet
    return m;
}

std::vector<DecidedRegion> HookDecision::decide(Hook hook) {
    std::vector<Flow> flows{{start_state(), hook_domain(hook)}};
    std::vector<DecidedRegion> decided;

    const auto order = tables_in_hook_order(hook, rs_.backend);
    std::vector<std::pair<std::size_t, int>> present;  // table index, base chain
    for (const auto& name : order) {
        for (std::size_t ti = 0; ti < rs_.tables.size(); ++ti) {
            if (rs_.tables[ti].name != name) continue;
            const int base = rs_.base_chain(ti, hook);
            if (base >= 0) present.emplace_back(ti, base);
        }
    }
    const bdd icmp = space_.equals(Field::proto, space_.family() == Family::ipv4 ? proto::icmp : proto::icmpv6);
    for (std::size_t k = 0; k < present.size(); ++k) {
        const auto [ti, base] = present[k];
        const Table& t = rs_.tables[ti];
        TableContext tc;
        tc.raw = t.name == "raw";
        tc.later_tables = k + 1 < present.size();
        const bool nat = t.name == "nat";
        std::vector<Flow> next;
        for (const Flow& f : flows) {
            bdd region = f.region;
            if (nat) {
                // nf_nat_inet_fn: the chain sees a connection's first packet only: NEW, or RELATED
                // but not an ICMP error (those are translated by their connection's binding).
                bdd first = bdd_false();
                if (!f.st.forced_state)
                    first = space_.equals(Field::ct_state, static_cast<std::uint64_t>(CtState::new_)) |
                            (space_.equals(Field::ct_state, static_cast<std::uint64_t>(CtState::related)) & !icmp);
                add_flow(next, region & !first, f.st);
                region &= first;
            }
            if (region == bdd_false()) continue;
            std::vector<Flow> returned, accepted;
            walk_chain(t, base, {{f.st, region}}, returned, accepted, decided, hook, tc);
            const Chain& bc = t.chains[static_cast<std::size_t>(base)];
            for (const Flow& r : returned) {
                if (reach_) reach_->policy[&bc].push_back(r.region);
                HookOutcome::Verdict v = verdict_of_policy(bc.policy);
                if (v == Verdict6::accept) {
                    add_flow(next, r.region, r.st);
                } else {
                    HookOutcome o = r.st.out;
                    o.verdict = v;
                    o.detail = v == Verdict6::queue ? "QUEUE" : "";
                    decided.push_back({std::move(o), r.region});
                }
            }
            for (const Flow& a : merge_flows(accepted)) add_flow(next, a.region, a.st);
        }
        flows = std::move(next);
    }
    for (const Flow& f : flows) decided.push_back({f.st.out, f.region});

    // One region per outcome.
    auto same = [](const HookOutcome& x, const HookOutcome& y) {
        if (!x.same_effects(y)) return false;
        for (std::size_t i = 0; i < 32; ++i)
            if (x.mark[i] != y.mark[i] || x.ctmark[i] != y.ctmark[i]) return false;
        for (std::size_t i = 0; i < 8; ++i)
            if (x.tos[i] != y.tos[i]) return false;
        return true;
    };
    std::vector<DecidedRegion> merged;
    std::vector<std::vector<bdd>> parts;
    for (auto& d : decided) {
        if (d.region == bdd_false()) continue;
        std::size_t i = 0;
        while (i < merged.size() && !same(merged[i].outcome, d.outcome)) ++i;
        if (i == merged.size()) {
            merged.push_back({std::move(d.outcome), bdd_false()});
            parts.emplace_back();
        }
        parts[i].push_back(d.region);
    }
    for (std::size_t i = 0; i < merged.size(); ++i) merged[i].region = balanced_or(std::move(parts[i]));
    return merged;
}

// ---------------------------------------------------------------------------------------------
// The same decision for one packet, through the linear engine

ConcreteOutcome concrete_outcome(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets, Hook hook, const Packet& packet) {
    LinearEngine engine(rs, host, ipsets);
    EngineState st(rs, EngineOptions{});
    Packet p = packet;
    ConcreteOutcome out;
    const auto order = tables_in_hook_order(hook, rs.backend);
    std::vector<std::pair<std::size_t, int>> present;
    for (const auto& name : order)
        for (std::size_t ti = 0; ti < rs.tables.size(); ++ti)
            if (rs.tables[ti].name == name && rs.base_chain(ti, hook) >= 0) present.emplace_back(ti, rs.base_chain(ti, hook));
    const std::uint8_t icmp = p.family == Family::ipv4 ? proto::icmp : proto::icmpv6;
    for (std::size_t k = 0; k < present.size(); ++k) {
        const std::size_t ti = present[k].first;
        const Table& t = rs.tables[ti];
        if (t.name == "nat") {
            const bool first = p.ct.state == CtState::new_ || (p.ct.state == CtState::related && p.proto != icmp);
            if (!first) continue;
        }
        std::vector<RuleVisit> visits;
        const WalkResult r = engine.run(ti, hook, p, st, &visits);
        const Target* tee = nullptr;
        for (const RuleVisit& v : visits) {
            if (!v.matched || v.rule < 0) continue;
            const Rule& rule = t.chains[static_cast<std::size_t>(v.chain)].rules[static_cast<std::size_t>(v.rule)];
            if (!rule.target) continue;
            if (!tee && std::holds_alternative<TeeTarget>(rule.target->spec)) tee = &*rule.target;
            if (const auto* ct = std::get_if<CtTarget>(&rule.target->spec)) out.ct = *ct;
            if (const auto* rw = std::get_if<RewriteTarget>(&rule.target->spec); rw && listed_rewrite(*rw))
                out.rewrites.push_back(target_text(*rule.target));
        }
        if (r.notrack && t.name == "raw") p.ct = ConntrackView{CtState::untracked, CtDir::original, 0, p.ct.mark, p.proto, 0, {}, {}};
        if (r.verdict == Verdict::tproxy || r.verdict == Verdict::synproxy || tee) {
            out.verdict = Verdict6::unmodelled;
            out.detail = tee                              ? target_text(*tee) + tee_not_modelled
                         : r.verdict == Verdict::synproxy ? target_text(*r.target) + synproxy_not_modelled
                                                          : target_text(*r.target) + tproxy_not_modelled;
            break;
        }
        if (r.verdict != Verdict::accept) {
            out.verdict = r.verdict == Verdict::drop ? Verdict6::drop : r.verdict == Verdict::queue ? Verdict6::queue : Verdict6::reject;
            if (r.target) {
                if (const auto* rj = std::get_if<RejectTarget>(&r.target->spec)) out.detail = rj->with;
                else if (out.verdict == Verdict6::queue)
                    out.detail = std::holds_alternative<NfqueueTarget>(r.target->spec) ? target_text(*r.target) : "QUEUE";
            } else if (out.verdict == Verdict6::queue) {
                out.detail = "QUEUE";
            }
            break;
        }
        if (r.nat) {
            out.nat = *r.nat;
            const bool dst = r.nat->kind == NatTarget::Kind::dnat || r.nat->kind == NatTarget::Kind::redirect ||
                             (r.nat->kind == NatTarget::Kind::netmap && (hook == Hook::prerouting || hook == Hook::output));
            p.ct.status |= dst ? ct_status::dst_nat : ct_status::src_nat;
            if (k + 1 < present.size()) {
                bool single = r.nat->ranges.size() <= 1 && r.nat->kind != NatTarget::Kind::netmap && r.nat->kind != NatTarget::Kind::masquerade;
                IpAddr* addr = dst ? &p.dst : &p.src;
                std::uint16_t* port = dst ? &p.dport : &p.sport;
                bool have_addr = false;
                if (single && !r.nat->ranges.empty()) {
                    const NatRange& nr = r.nat->ranges[0];
                    if (nr.has_addr) single &= nr.addr_lo == nr.addr_hi, *addr = nr.addr_lo, have_addr = true;
                    if (nr.has_ports) single &= nr.port_lo == nr.port_hi, *port = nr.port_lo;
                }
                if (r.nat->kind == NatTarget::Kind::redirect) {
                    IpAddr lo;
                    lo.family = p.family;
                    if (p.family == Family::ipv4) lo = IpAddr::v4(0x7f000001);
                    else lo.bytes[15] = 1;
                    *addr = lo;
                    have_addr = true;
                }
                if (!dst && !have_addr) single = false;
                if (!single) {
                    out.verdict = Verdict6::unmodelled;
                    out.detail = "a translation to one of several addresses or ports, which later tables of this hook see";
                    break;
                }
            }
        }
    }
    out.mark = p.mark;
    out.ctmark = p.ct.mark;
    out.tos = p.tos;
    return out;
}

}  // namespace fwbench
