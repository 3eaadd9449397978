#include "fwbench/ruleset_lint.hpp"

#include <algorithm>
#include <set>

#include "fwbench/conntrack.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/path_example.hpp"
#include "fwbench/ruleset_printer.hpp"

namespace fwbench {
namespace {

using Severity = LintFinding::Severity;
constexpr Hook all_hooks[] = {Hook::prerouting, Hook::input, Hook::forward, Hook::output, Hook::postrouting};

std::string label(const Ruleset& rs, const RuleRef& r) {
    const Table& t = rs.tables[r.table];
    const Chain& c = t.chains[r.chain];
    if (r.rule < 0) return t.name + " " + c.name + " policy " + (c.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT");
    return rule_label(t, c, static_cast<std::size_t>(r.rule));
}

// Every rule with where it is.
template <class F>
void for_each_rule(const Ruleset& rs, F&& f) {
    for (std::size_t t = 0; t < rs.tables.size(); ++t)
        for (std::size_t c = 0; c < rs.tables[t].chains.size(); ++c)
            for (std::size_t r = 0; r < rs.tables[t].chains[c].rules.size(); ++r)
                f(RuleRef{t, c, static_cast<int>(r)}, rs.tables[t].chains[c].rules[r]);
}

const Rule& rule_at(const Ruleset& rs, const RuleRef& r) { return rs.tables[r.table].chains[r.chain].rules[static_cast<std::size_t>(r.rule)]; }

bool is_loopback(const IpAddr& a) { return a.family == Family::ipv4 ? (a.v4_host() >> 24) == 127 : v6::is_loopback(a); }

IpAddr loopback(Family f) { return f == Family::ipv4 ? IpAddr::v4(0x7f000001) : *parse_ip("::1", Family::ipv6); }

// One packet through the host's path in a fresh state (its own conntrack table and counters).
struct PathRun {
    PathResult result;
    std::unique_ptr<PathState> state;
};
PathRun run_path(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, const Packet& p, Origin origin) {
    PacketPath path(rs, host, ipsets);
    PathRun run;
    run.state = std::make_unique<PathState>(rs, EngineOptions{}, host.sysctl());
    run.result = path.process(p, origin, *run.state, true);
    return run;
}

bool counted(const PathRun& run, const RuleRef& r) {
    return r.rule < 0 ? run.state->engine.policy(r.table, r.chain).packets > 0
                      : run.state->engine.rule(r.table, r.chain, static_cast<std::size_t>(r.rule)).packets > 0;
}

// The rule (or policy) whose verdict ended the packet's own last walk.
std::optional<RuleRef> deciding(const PathResult& r) {
    const HookWalk* w = r.last_own_walk();
    if (!w || w->walk.chain < 0) return std::nullopt;
    return RuleRef{w->table, static_cast<std::size_t>(w->walk.chain), w->walk.rule};
}

// A demonstration of `p` sent from `origin`, with its description; the caller adds its claims.
Demonstration demonstration(const Packet& p, Origin origin) {
    Demonstration d;
    d.packet = p;
    d.origin = origin;
    d.text = format_packet_description(p, origin == Origin::local);
    return d;
}

Packet tcp_syn(const IpAddr& src, const IpAddr& dst, std::uint16_t dport) {
    Packet p;
    p.family = src.family;
    p.src = src;
    p.dst = dst;
    p.proto = proto::tcp;
    p.sport = 40000;
    p.dport = dport;
    p.tcp_flags = tcp_flag::syn;
    p.ip_header_len = p.family == Family::ipv4 ? 20 : 40;
    p.length = p.ip_header_len + 20u;
    return p;
}

std::vector<IpAddr> own_addresses(const Host& host, Family family) {
    std::vector<IpAddr> out;
    for (const auto& itf : host.interfaces())
        for (const auto& a : itf.addrs)
            if (a.addr.family == family && !is_loopback(a.addr) && !a.tentative && !a.dadfailed &&
                !(family == Family::ipv6 && v6::is_link_local(a.addr)))
                out.push_back(a.addr);
    return out;
}

const Interface* device_of(const Host& host, const IpAddr& a) {
    for (const auto& itf : host.interfaces())
        for (const auto& x : itf.addrs)
            if (x.addr == a) return &itf;
    return nullptr;
}

// The single TCP or UDP destination port a rule tests (-p tcp --dport P), if any.
std::optional<std::pair<std::uint8_t, std::uint16_t>> single_port(const Rule& r) {
    for (const auto& m : r.matches)
        if (const auto* l4 = std::get_if<L4PortsMatch>(&m.spec))
            if (l4->dport && !l4->dport->negated && l4->dport->value.lo == l4->dport->value.hi && r.ip.proto && !r.ip.proto->negated)
                return std::pair{r.ip.proto->value, l4->dport->value.lo};
    return std::nullopt;
}

bool accepts(const Rule& r) {
    const auto* s = r.target ? std::get_if<StandardTarget>(&r.target->spec) : nullptr;
    return s && s->kind == StandardTarget::Kind::accept;
}

// --- the seed's pitfalls, on the path ---------------------------------------------------------

void own_connections(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, LintReport& report) {
    // The ports the ruleset lets in (TCP, one port per rule), else SSH's.
    std::vector<std::uint16_t> ports;
    for_each_rule(rs, [&](const RuleRef&, const Rule& r) {
        auto p = single_port(r);
        if (p && p->first == proto::tcp && accepts(r) && std::find(ports.begin(), ports.end(), p->second) == ports.end() && ports.size() < 8)
            ports.push_back(p->second);
    });
    if (ports.empty()) ports.push_back(22);
    const IpAddr lo = loopback(rs.family);
    for (const IpAddr& x : own_addresses(host, rs.family)) {
        for (std::uint16_t port : ports) {
            const Packet to_lo = tcp_syn(lo, lo, port), to_self = tcp_syn(x, x, port);
            const PathRun base = run_path(rs, host, ipsets, to_lo, Origin::local);
            if (base.result.fate != Fate::delivered) continue;
            const PathRun run = run_path(rs, host, ipsets, to_self, Origin::local);
            if (run.result.fate == Fate::delivered) continue;
            const auto by = deciding(run.result);
            LintFinding f;
            f.kind = "own-connection-dropped";
            f.message = "the host's own connection to " + format_endpoint(x, port) + " arrives on lo from " + format_ip(x) + " and is " +
                        fate_name(run.result.fate) + (by ? " by " + label(rs, *by) : std::string(" outside the rules"));
            if (by) f.rules.push_back(label(rs, *by));
            // Why: the rules that accept lo or this address, read for the usual two causes.
            for_each_rule(rs, [&](const RuleRef& ref, const Rule& r) {
                if (!accepts(r) || rs.tables[ref.table].name != "filter") return;
                const bool on_lo = r.ip.in && !r.ip.in->negated && !r.ip.in->value.wildcard && r.ip.in->value.name == "lo";
                if (on_lo && r.ip.src && !r.ip.src->negated && !r.ip.src->value.contains(x)) {
                    f.rules.push_back(label(rs, ref));
                    f.details.push_back("loopback is accepted only from " + format_prefix(r.ip.src->value) + " (" + label(rs, ref) +
                                        "), but the host's packets to any of its own addresses arrive on lo with that address as source");
                    f.details.push_back("fix: accept lo whatever the source: -A " + rs.tables[ref.table].chains[ref.chain].name + " -i lo -j ACCEPT");
                }
                const Interface* holder = device_of(host, x);
                if (r.ip.in && !r.ip.in->negated && holder && r.ip.in->value.matches(holder->name) && !r.ip.in->value.matches("lo") &&
                    (!r.ip.dst || r.ip.dst->value.contains(x))) {
                    const auto p = single_port(r);
                    if (p && p->second != port) return;
                    f.rules.push_back(label(rs, ref));
                    f.details.push_back("accepted only -i " + holder->name + " (" + label(rs, ref) + "), the device that holds " + format_ip(x) +
                                        ": the host's own packets to it arrive on lo");
                }
            });
            Demonstration d = demonstration(to_self, Origin::local);
            if (by) d.counts.push_back(*by);
            d.outcome = std::string(fate_name(run.result.fate)) + (by ? " by " + label(rs, *by) : std::string());
            f.demo = std::move(d);
            report.findings.push_back(std::move(f));
            break;  // one port shows it for this address
        }
    }
}

void port_forwards(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, LintReport& report) {
    const Table* nat = rs.table("nat");
    if (!nat) return;
    const std::size_t ti = static_cast<std::size_t>(nat - rs.tables.data());
    const int pre = nat->find_chain("PREROUTING");
    if (pre < 0) return;
    const Chain& chain = nat->chains[static_cast<std::size_t>(pre)];
    for (std::size_t i = 0; i < chain.rules.size(); ++i) {
        const Rule& r = chain.rules[i];
        const auto* dnat = r.target ? std::get_if<NatTarget>(&r.target->spec) : nullptr;
        const auto port = single_port(r);
        if (!dnat || dnat->kind != NatTarget::Kind::dnat || !port || !r.ip.in || r.ip.in->negated || r.ip.in->value.wildcard) continue;
        const Interface* in = host.interface(r.ip.in->value.name);
        if (!in) continue;
        std::optional<IpAddr> x;
        for (const auto& a : in->addrs)
            if (a.addr.family == rs.family && (!r.ip.dst || r.ip.dst->value.contains(a.addr) != r.ip.dst->negated)) x = a.addr;
        if (!x) continue;
        const RuleRef ref{ti, static_cast<std::size_t>(pre), static_cast<int>(i)};
        Packet wire = tcp_syn(*parse_ip(rs.family == Family::ipv4 ? "198.51.100.7" : "2001:db8:ffff::7", rs.family), *x, port->second);
        wire.proto = port->first;
        wire.in = IfaceName(in->name);
        const PathRun w = run_path(rs, host, ipsets, wire, Origin::wire);
        if (!counted(w, ref)) continue;  // the forward needs more than the address and port
        const std::string to = w.result.final_packet.dst == *x ? std::string("the forward's target") : format_ip(w.result.final_packet.dst);
        Packet own = tcp_syn(*x, *x, port->second);
        own.proto = port->first;
        const PathRun l = run_path(rs, host, ipsets, own, Origin::local);
        if (counted(l, ref)) continue;
        LintFinding f;
        f.kind = "port-forward-misses-own";
        f.message = "the host's own connections to " + format_endpoint(*x, port->second) + " are not forwarded to " + to + ": " + label(rs, ref) +
                    " sees only packets arriving on " + in->name;
        f.rules.push_back(label(rs, ref));
        f.details.push_back("the host's own packets pass nat OUTPUT, never nat PREROUTING; they are " + std::string(fate_name(l.result.fate)) +
                            (l.result.fate == Fate::delivered ? " to the host itself" : ""));
        f.details.push_back("fix: also -t nat -A OUTPUT -d " + format_ip(*x) + " -p " + format_protocol(port->first) + " -m " +
                            format_protocol(port->first) + " --dport " + std::to_string(port->second) + " -j " + target_text(*r.target));
        Demonstration d = demonstration(own, Origin::local);
        d.never_counts.push_back(ref);
        d.outcome = std::string(fate_name(l.result.fate)) + ", not forwarded";
        f.demo = std::move(d);
        report.findings.push_back(std::move(f));

        // Hairpin: hosts of the other networks reaching the same address and port.
        for (const auto& other : host.interfaces()) {
            if (other.loopback || other.name == in->name) continue;
            for (const auto& a : other.addrs) {
                if (a.addr.family != rs.family || is_loopback(a.addr) || (rs.family == Family::ipv6 && v6::is_link_local(a.addr))) continue;
                IpAddr peer = apply_mask(a.addr, prefix_mask(rs.family, a.prefixlen));
                peer.bytes[static_cast<std::size_t>(address_bytes(rs.family) - 1)] |= 10;
                if (peer == a.addr) peer.bytes[static_cast<std::size_t>(address_bytes(rs.family) - 1)] ^= 1;
                Packet hp = tcp_syn(peer, *x, port->second);
                hp.proto = port->first;
                hp.in = IfaceName(other.name);
                const PathRun h = run_path(rs, host, ipsets, hp, Origin::wire);
                if (counted(h, ref)) continue;
                LintFinding g;
                g.severity = Severity::note;
                g.kind = "port-forward-misses-other-networks";
                g.message = "connections from " + other.name + " to " + format_endpoint(*x, port->second) +
                            " are not forwarded either: " + label(rs, ref) + " sees only packets arriving on " + in->name;
                g.rules.push_back(label(rs, ref));
                g.details.push_back("hairpin NAT needs the forward without -i (with -d " + format_ip(*x) + ") and a SNAT/MASQUERADE back out of " +
                                    other.name);
                Demonstration hd = demonstration(hp, Origin::wire);
                hd.never_counts.push_back(ref);
                hd.outcome = std::string(fate_name(h.result.fate)) + ", not forwarded";
                g.demo = std::move(hd);
                report.findings.push_back(std::move(g));
                break;
            }
        }
    }
}

// NOTRACK (or CT --notrack) in raw PREROUTING that the host's own packets meet over lo: they
// passed raw OUTPUT first, where conntrack made their entry, so the rule leaves them tracked.
void notrack_for_own(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, LintReport& report) {
    const Table* raw = rs.table("raw");
    if (!raw) return;
    const std::size_t ti = static_cast<std::size_t>(raw - rs.tables.data());
    const int pre = raw->find_chain("PREROUTING");
    if (pre < 0) return;
    // The rules that would show an untracked packet (--ctstate/--state UNTRACKED): they must not count it.
    std::vector<RuleRef> untracked_tests;
    for_each_rule(rs, [&](const RuleRef& ref, const Rule& r) {
        for (const auto& m : r.matches) {
            const auto* st = std::get_if<StateMatch>(&m.spec);
            const auto* ct = std::get_if<ConntrackMatch>(&m.spec);
            const bool untracked = (st && !st->negated && (st->states & ct_state_bit::untracked)) ||
                                   (ct && ct->state && !ct->state->negated && (ct->state->value & ct_state_bit::untracked));
            if (untracked && rs.tables[ref.table].name != "raw") untracked_tests.push_back(ref);
        }
    });
    const Chain& chain = raw->chains[static_cast<std::size_t>(pre)];
    std::vector<IpAddr> targets = own_addresses(host, rs.family);
    targets.push_back(loopback(rs.family));
    for (std::size_t i = 0; i < chain.rules.size(); ++i) {
        const Rule& r = chain.rules[i];
        const auto* ct = r.target ? std::get_if<CtTarget>(&r.target->spec) : nullptr;
        if (!ct || !ct->notrack) continue;
        const RuleRef ref{ti, static_cast<std::size_t>(pre), static_cast<int>(i)};
        const auto port = single_port(r);
        for (const IpAddr& x : targets) {
            Packet own = tcp_syn(x, x, port ? port->second : 22);
            if (port) own.proto = port->first;
            const PathRun run = run_path(rs, host, ipsets, own, Origin::local);
            if (!counted(run, ref) || run.result.ct_state == CtState::untracked) continue;
            LintFinding f;
            f.kind = "notrack-misses-own";
            f.message = label(rs, ref) + " meets the host's own packets to " + format_ip(x) +
                        " already tracked: they pass raw OUTPUT first, where conntrack makes their entry";
            f.rules.push_back(label(rs, ref));
            Rule in_output = r;  // OUTPUT has no input device: the rule there without its -i
            in_output.ip.in.reset();
            const std::string rule_text = format_rule(in_output, "OUTPUT");
            f.details.push_back("the host's own packets reach raw PREROUTING only over lo, looped back with the entry they got in OUTPUT");
            f.details.push_back("to leave them untracked, the rule belongs in raw OUTPUT too: -t raw " + rule_text);
            Demonstration d = demonstration(own, Origin::local);
            d.counts.push_back(ref);
            d.never_counts = untracked_tests;
            d.outcome = std::string(fate_name(run.result.fate)) + ", tracked (" + ct_state_name(run.result.ct_state) + ")";
            f.demo = std::move(d);
            report.findings.push_back(std::move(f));
            break;
        }
    }
}

// -m addrtype --dst-type LOCAL accepting in INPUT: broadcasts to the host reach INPUT as
// BROADCAST, not LOCAL (and every address of 127.0.0.0/8 is LOCAL, held by a device or not).
void addrtype_local(const Ruleset& rs, const Host& host, const IpsetRegistry* ipsets, LintReport& report) {
    if (rs.family != Family::ipv4) return;
    for_each_rule(rs, [&](const RuleRef& ref, const Rule& r) {
        const Chain& chain = rs.tables[ref.table].chains[ref.chain];
        if (!(chain.hooks & hook_bit(Hook::input)) || !accepts(r)) return;
        bool local_dst = false;
        for (const auto& m : r.matches)
            if (const auto* at = std::get_if<AddrTypeMatch>(&m.spec))
                local_dst |= at->dst && !at->dst->negated && (at->dst->value & addr_type::local) && !(at->dst->value & addr_type::broadcast);
        if (!local_dst) return;
        for (const auto& itf : host.interfaces()) {
            if (itf.loopback) continue;
            for (const auto& a : itf.addrs) {
                if (a.addr.family != Family::ipv4 || a.prefixlen >= 31) continue;
                const std::uint32_t mask = ~0u << (32 - a.prefixlen);
                const IpAddr bcast = a.broadcast ? *a.broadcast : IpAddr::v4(a.addr.v4_host() | ~mask);
                IpAddr peer = IpAddr::v4((a.addr.v4_host() & mask) | 10);
                if (peer == a.addr) peer = IpAddr::v4((a.addr.v4_host() & mask) | 11);
                Packet b = tcp_syn(peer, bcast, 137);
                b.proto = proto::udp;
                b.tcp_flags = 0;
                b.in = IfaceName(itf.name);
                b.pkttype = PktType::broadcast;
                const PathRun run = run_path(rs, host, ipsets, b, Origin::wire);
                const auto& hooks = run.result.hooks;
                if (counted(run, ref) || std::find(hooks.begin(), hooks.end(), Hook::input) == hooks.end()) continue;
                LintFinding f;
                f.severity = Severity::note;
                f.kind = "addrtype-local-not-broadcast";
                f.message = label(rs, ref) + " does not take broadcasts to the host: " + format_ip(bcast) + " reaches INPUT as BROADCAST, not LOCAL";
                f.rules.push_back(label(rs, ref));
                f.details.push_back(
                    "--dst-type LOCAL is the local table's LOCAL routes: every address of 127.0.0.0/8 (held by a device or not) and "
                    "the host's own; its broadcast addresses are BROADCAST (--dst-type LOCAL,BROADCAST takes both)");
                Demonstration d = demonstration(b, Origin::wire);
                d.never_counts.push_back(ref);
                const auto by = deciding(run.result);
                d.outcome = std::string(fate_name(run.result.fate)) + (by ? " by " + label(rs, *by) : std::string());
                f.demo = std::move(d);
                report.findings.push_back(std::move(f));
                return;
            }
        }
    });
}

// --- over all packets ---------------------------------------------------------------------------

// Where regions went, each rule's and policy's pieces joined once (RuleReach::union_of).
template <class Key>
std::map<const Key*, bdd> joined(const std::map<const Key*, std::vector<bdd>>& pieces) {
    std::map<const Key*, bdd> out;
    for (const auto& [key, parts] : pieces) out.emplace(key, RuleReach::union_of(parts));
    return out;
}

struct Symbolic {
    const Ruleset& rs;
    const Host* host;
    const IpsetRegistry* ipsets;
    HeaderSpace& space;
    HookDecision& decision;
    std::map<const Rule*, bdd> arrived, matched;  // the packets that reached each rule, and that it matched
    std::map<const Chain*, bdd> policy;  // the packets each base chain's policy decided
    std::vector<IpAddr> local;
    template <class Key>
    static bdd of(const std::map<const Key*, bdd>& m, const Key* key) {
        auto it = m.find(key);
        return it == m.end() ? bdd_false() : it->second;
    }
};

// The hooks from which a chain is reached.
std::vector<Hook> hooks_of(const Chain& c) {
    std::vector<Hook> out;
    for (Hook h : all_hooks)
        if (c.hooks & hook_bit(h)) out.push_back(h);
    return out;
}

// A packet of `region` at `hook` as the path takes it (path_example), as a demonstration.
std::optional<Demonstration> path_packet(const Symbolic& s, Hook hook, const bdd& region) {
    const auto e = path_example(s.space, hook, region, s.local, s.host);
    if (!e) return std::nullopt;
    return demonstration(e->packet, e->origin);
}

// Checks a demonstration on fwbench's own path: every rule it claims counts it does, and none
// it claims never counts it does. A packet that does not show what it should is dropped.
bool holds(const Symbolic& s, Demonstration& d) {
    if (!s.host) return false;
    const PathRun run = run_path(s.rs, *s.host, s.ipsets, d.packet, d.origin);
    for (const auto& r : d.counts)
        if (!counted(run, r)) return false;
    for (const auto& r : d.never_counts)
        if (counted(run, r)) return false;
    const auto by = deciding(run.result);
    d.outcome = std::string(fate_name(run.result.fate)) + (by ? " by " + label(s.rs, *by) : std::string());
    return true;
}

void never_matching(const Symbolic& s, LintReport& report) {
    for_each_rule(s.rs, [&](const RuleRef& ref, const Rule& rule) {
        const Chain& chain = s.rs.tables[ref.table].chains[ref.chain];
        if (!chain.builtin && chain.hooks == 0) return;  // the chain's own finding
        const bdd arrived = Symbolic::of(s.arrived, &rule), matched = Symbolic::of(s.matched, &rule);
        if (matched != bdd_false()) return;
        LintFinding f;
        f.rules.push_back(label(s.rs, ref));
        // The rule's own packets at the hooks that reach it.
        bdd own = bdd_false();
        Hook own_hook = Hook::input;
        for (Hook h : hooks_of(chain)) {
            const bdd here = s.decision.rule_match(rule, h) & s.decision.hook_domain(h);
            if (here != bdd_false() && own == bdd_false()) own_hook = h;
            own |= here;
        }
        if (own == bdd_false()) {
            f.kind = "never-matches";
            f.message = label(s.rs, ref) + " matches no packet at the hooks that reach it";
            std::string hooks;
            for (Hook h : hooks_of(chain)) hooks += std::string(hooks.empty() ? "" : ", ") + hook_chain_name(h);
            f.details.push_back("reached from " + hooks + (rule.ip.out ? "; -o never matches where there is no output device yet" : "") +
                                (rule.ip.in ? "; -i never matches where there is no input device" : ""));
            report.findings.push_back(std::move(f));
            return;
        }
        // Shadowed: earlier rules of the chain take every packet it would match. One earlier rule
        // that matches all of them is named alone; else those that take some, the first five.
        std::vector<RuleRef> shadows;
        std::size_t more = 0;
        for (int j = 0; j < ref.rule; ++j) {
            const Rule& earlier = chain.rules[static_cast<std::size_t>(j)];
            bdd covers = bdd_false();
            for (Hook h : hooks_of(chain)) covers |= s.decision.rule_match(earlier, h);
            if ((own & !covers) == bdd_false()) {
                shadows.assign(1, RuleRef{ref.table, ref.chain, j});
                more = 0;
                f.details.push_back("rule " + std::to_string(j + 1) + " above matches every packet it would match");
                break;
            }
            if ((Symbolic::of(s.matched, &earlier) & own) == bdd_false()) continue;
            if (shadows.size() < 5) shadows.push_back(RuleRef{ref.table, ref.chain, j});
            else ++more;
        }
        f.kind = arrived == bdd_false() ? "never-reached" : "never-matches";
        f.message = label(s.rs, ref) + (arrived == bdd_false() ? " is never reached: every packet is decided before it"
                                                               : " never matches: every packet it would match is decided before it");
        for (const auto& sh : shadows) f.rules.push_back(label(s.rs, sh));
        if (f.details.empty() && !shadows.empty())
            f.details.push_back("the rules above take its packets" + (more ? " (" + std::to_string(more) + " more not listed)" : std::string()));
        bdd demo_region = own;
        if (!shadows.empty()) {
            // The packets the first shadowing rule takes (none when it is itself never matched).
            demo_region = own & Symbolic::of(s.matched, &rule_at(s.rs, shadows.front()));
        }
        if (auto d = path_packet(s, own_hook, demo_region)) {
            if (!shadows.empty()) d->counts.push_back(shadows.front());
            d->never_counts.push_back(ref);
            if (holds(s, *d)) f.demo = std::move(*d);
        }
        report.findings.push_back(std::move(f));
    });
}

void unused_chains_and_policies(const Symbolic& s, LintReport& report) {
    for (std::size_t t = 0; t < s.rs.tables.size(); ++t)
        for (std::size_t c = 0; c < s.rs.tables[t].chains.size(); ++c) {
            const Chain& chain = s.rs.tables[t].chains[c];
            if (!chain.builtin && chain.hooks == 0) {
                LintFinding f;
                f.severity = Severity::note;
                f.kind = "chain-unused";
                f.message = s.rs.tables[t].name + " chain " + chain.name + " is never jumped to from a built-in chain (" +
                            std::to_string(chain.rules.size()) + " rule" + (chain.rules.size() == 1 ? "" : "s") + " never run)";
                report.findings.push_back(std::move(f));
                continue;
            }
            if (!chain.builtin || chain.rules.empty() || s.rs.presence(chain) == ChainPresence::absent) continue;
            const bdd reached = Symbolic::of(s.policy, &chain);
            if (reached != bdd_false()) continue;
            LintFinding f;
            f.severity = Severity::note;
            f.kind = "policy-never-decides";
            f.message = s.rs.tables[t].name + " " + chain.name + "'s policy " + (chain.policy == StandardTarget::Kind::drop ? "DROP" : "ACCEPT") +
                        " never decides: its rules decide every packet";
            f.rules.push_back(label(s.rs, RuleRef{t, c, -1}));
            report.findings.push_back(std::move(f));
        }
}

// Whether any rule changes what later rules see of a packet (its mark, TOS, TTL, conntrack state)
// or, in OUTPUT and INPUT, its addresses (a translation the later tables see).
bool changes_packets(const Ruleset& rs) {
    bool changes = false;
    for_each_rule(rs, [&](const RuleRef& ref, const Rule& r) {
        if (!r.target) return;
        const auto& spec = r.target->spec;
        const bool nat_seen_later = std::holds_alternative<NatTarget>(spec) &&
                                    (rs.tables[ref.table].chains[ref.chain].hooks & (hook_bit(Hook::output) | hook_bit(Hook::input)));
        changes |= std::holds_alternative<MarkTarget>(spec) || std::holds_alternative<ConnmarkTarget>(spec) ||
                   std::holds_alternative<RewriteTarget>(spec) || std::holds_alternative<CtTarget>(spec) || nat_seen_later;
    });
    return changes;
}

// Above the proof's limit, a test per rule that is sufficient, not complete, and cheap (the
// rules after it, until one meets its packets): a rule that ends the walk is redundant when the
// first later rule of its chain that any of its packets meets matches them all and has the same
// target, or, in a built-in chain, none meets them and the policy's verdict is the rule's. Sound
// only where no rule changes what later rules see (changes_packets).
bool decided_alike_after(const Symbolic& s, const RuleRef& ref, const Rule& rule, const bdd& hits) {
    const Chain& chain = s.rs.tables[ref.table].chains[ref.chain];
    if (!is_terminating(rule.target->spec) || std::holds_alternative<NatTarget>(rule.target->spec)) return false;
    for (std::size_t j = static_cast<std::size_t>(ref.rule) + 1; j < chain.rules.size(); ++j) {
        const Rule& later = chain.rules[j];
        bdd m = bdd_false();
        for (Hook h : hooks_of(chain)) m |= s.decision.rule_match(later, h);
        if ((hits & m) == bdd_false()) continue;
        return (hits & !m) == bdd_false() && later.target && later.target->spec == rule.target->spec;
    }
    const auto* std_target = std::get_if<StandardTarget>(&rule.target->spec);
    return chain.builtin && std_target && std_target->kind == chain.policy;
}

void redundant_rules(const Symbolic& s, const LintOptions& opt, LintReport& report) {
    const bool by_proof = s.rs.rule_count() <= opt.redundancy_limit;
    if (!by_proof && changes_packets(s.rs)) {
        report.skipped.push_back("redundant rules: " + std::to_string(s.rs.rule_count()) + " rules, over the limit of " +
                                 std::to_string(opt.redundancy_limit) +
                                 " for a proof per rule, and rules that change packets (MARK, TOS, NOTRACK, OUTPUT's NAT) rule out the quick test");
        return;
    }
    if (!by_proof)
        report.skipped.push_back("redundant rules beyond the quick test: " + std::to_string(s.rs.rule_count()) + " rules, over the limit of " +
                                 std::to_string(opt.redundancy_limit) +
                                 " for a proof per rule; a rule is reported when the rule after it that meets its packets decides them all alike");
    std::map<Hook, std::vector<DecidedRegion>> full;
    for_each_rule(s.rs, [&](const RuleRef& ref, const Rule& rule) {
        if (!rule.target || std::holds_alternative<LogTarget>(rule.target->spec)) return;  // counting and logging rules are kept for what they show
        const bdd hits = Symbolic::of(s.matched, &rule);
        if (hits == bdd_false()) return;  // never matches: its own finding
        const Chain& chain = s.rs.tables[ref.table].chains[ref.chain];
        if (by_proof) {
            Ruleset without = s.rs;
            auto& rules = without.tables[ref.table].chains[ref.chain].rules;
            rules.erase(rules.begin() + ref.rule);
            ProofLimits limits;
            HookDecision other(s.space, without, s.host, s.ipsets, limits);
            for (Hook h : hooks_of(chain)) {
                if (!full.count(h)) full[h] = s.decision.decide(h);
                if (differing_region(full[h], other.decide(h)) != bdd_false()) return;
            }
        } else if (!decided_alike_after(s, ref, rule, hits)) {
            return;
        }
        LintFinding f;
        f.severity = Severity::note;
        f.kind = "redundant";
        f.message = label(s.rs, ref) + " is redundant: without it every packet is decided the same";
        f.rules.push_back(label(s.rs, ref));
        const Hook h = hooks_of(chain).front();
        if (auto d = path_packet(s, h, hits)) {
            d->counts.push_back(ref);
            if (holds(s, *d)) f.demo = std::move(*d);
        }
        report.findings.push_back(std::move(f));
    });
}

void unknown_interfaces(const Ruleset& rs, const Host& host, LintReport& report) {
    for_each_rule(rs, [&](const RuleRef& ref, const Rule& rule) {
        for (const auto* pat : {rule.ip.in ? &rule.ip.in->value : nullptr, rule.ip.out ? &rule.ip.out->value : nullptr}) {
            if (!pat) continue;
            bool any = false;
            for (const auto& itf : host.interfaces()) any |= pat->matches(itf.name);
            if (any) continue;
            LintFinding f;
            f.kind = "unknown-interface";
            f.message =
                label(rs, ref) + " names " + pat->name + (pat->wildcard ? "+, which matches no device" : ", a device") + " the host does not have";
            f.rules.push_back(label(rs, ref));
            f.details.push_back("the host's devices:" + [&] {
                std::string s;
                for (const auto& itf : host.interfaces()) s += " " + itf.name;
                return s;
            }());
            report.findings.push_back(std::move(f));
        }
    });
}

}  // namespace

std::size_t LintReport::warnings() const {
    return static_cast<std::size_t>(
        std::count_if(findings.begin(), findings.end(), [](const LintFinding& f) { return f.severity == Severity::warning; }));
}

LintReport lint_ruleset(const Ruleset& rs, const Host* host, const IpsetRegistry* ipsets, const LintOptions& opt) {
    LintReport report;
    if (host) {
        own_connections(rs, *host, ipsets, report);
        port_forwards(rs, *host, ipsets, report);
        notrack_for_own(rs, *host, ipsets, report);
        addrtype_local(rs, *host, ipsets, report);
        unknown_interfaces(rs, *host, report);
    } else {
        report.skipped.push_back("the host's own connections, port-forwards and interface names: no --host given");
    }
    std::vector<IpAddr> local;
    if (host)
        for (const auto& itf : host->interfaces())
            for (const auto& a : itf.addrs) local.push_back(a.addr);
    BddSession session(1);
    {
        HeaderSpace space = HeaderSpace::for_rulesets(session, rs.family, host, {&rs});
        RuleReach reach;
        HookDecision decision(space, rs, host, ipsets, report.limits);
        decision.record(&reach);
        for (Hook h : all_hooks) decision.decide(h);
        decision.record(nullptr);
        Symbolic s{rs, host, ipsets, space, decision, joined(reach.arrived), joined(reach.matched), joined(reach.policy), local};
        never_matching(s, report);
        unused_chains_and_policies(s, report);
        redundant_rules(s, opt, report);
    }
    return report;
}

}  // namespace fwbench
