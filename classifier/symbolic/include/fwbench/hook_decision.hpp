#pragma once
// HookDecision: what one layout does at one hook with every packet at once — the header space
// cut into regions, each with the outcome the hook's tables give all of its packets.
//
// What: decide(hook) walks the hook's tables in the kernel's order (tables_in_hook_order) over
// BDD regions instead of packets, as ipt_do_table walks one packet: a rule splits each region
// into the part it matches and the rest; jumps, gotos, RETURN and policies move regions as they
// move a packet; MARK, CONNMARK and TOS rewrite the region's mark and TOS bits (each bit kept as
// a BDD over the original bits, so a later --mark test reads the new value exactly); NOTRACK
// makes the rest of the hook see UNTRACKED; nat chains see only a connection's first packet
// (NEW, or RELATED but not an ICMP error), and a translation in OUTPUT is what later tables see.
// The stateless part is exact; conntrack's state is a free variable, as are the matches fwbench
// does not model bit for bit (HeaderSpace atoms, named in `limits`).
//
// Invariants: the regions of one decision are disjoint and cover the hook's valid packets; an
// outcome's bit vectors are functions of the original packet (HeaderSpace variables only).
// concrete_outcome() gives, for one packet, the outcome the same tables give it through the
// linear engine — the reference the symbolic walk is tested against.
// Costs: one BDD conjunction and one difference per rule and region state; rule BDDs are built
// once per rule while no effect has changed the region's mark, TOS or addresses.

#include <bdd.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fwbench/header_space.hpp"
#include "fwbench/host.hpp"
#include "fwbench/ipset.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

// What a hook does with a packet. The bit vectors say the packet's mark, connection mark and
// TOS after the hook, each bit a BDD over the original packet (a constant, the same bit, ...).
struct HookOutcome {
    enum class Verdict : std::uint8_t { accept, drop, reject, queue, unmodelled };
    Verdict verdict = Verdict::accept;
    std::string detail;  // REJECT's --reject-with, NFQUEUE's number, why a region is unmodelled
    std::optional<NatTarget> nat;  // the first packet's translation
    std::optional<CtTarget> ct;  // NOTRACK / CT
    std::vector<std::string> rewrites;  // TTL, HL, TCPMSS, CLASSIFY, ... as written, in order
    std::array<bdd, 32> mark, ctmark;
    std::array<bdd, 8> tos;
    // The same outcome but for the bit vectors (which must be compared over a region).
    bool same_effects(const HookOutcome& o) const;
    // Packets of `within` whose mark, connection mark or TOS differ between the two: all of
    // them, or (when their union grows past 100,000 nodes) a nonempty part of them.
    bdd bits_differ(const HookOutcome& o, const bdd& within) const;
    std::string describe() const;  // "ACCEPT", "DROP", "DNAT --to-destination ...", mark ...
};

struct DecidedRegion {
    HookOutcome outcome;
    bdd region;
};

// What the proof could not take exactly, named in its report.
struct ProofLimits {
    std::set<std::string> history;  // limit, hashlimit, recent, statistic, connlimit, nfacct
    std::set<std::string> opaque;  // stateless matches treated as free atoms
    std::set<std::string> ignored;  // LOG, NFLOG and RATEEST (they change no outcome)
};

// The result of concrete_outcome: the outcome with its bit vectors evaluated.
struct ConcreteOutcome {
    HookOutcome::Verdict verdict = HookOutcome::Verdict::accept;
    std::string detail;
    std::optional<NatTarget> nat;
    std::optional<CtTarget> ct;
    std::vector<std::string> rewrites;
    std::uint32_t mark = 0, ctmark = 0;
    std::uint8_t tos = 0;
    bool operator==(const ConcreteOutcome&) const = default;
    std::string describe() const;
};

// Where regions went during decide() (lint's view): for each rule, the packets that reached it and
// those it matched; for each base chain, the packets its policy decided. Kept as the pieces each
// walk produced; union() joins them.
struct RuleReach {
    std::map<const Rule*, std::vector<bdd>> arrived, matched;
    std::map<const Chain*, std::vector<bdd>> policy;
    static bdd union_of(const std::vector<bdd>& parts);
};

class HookDecision {
public:
    // With `reach`, decide() records into it where regions went.
    void record(RuleReach* reach) { reach_ = reach; }
    HookDecision(HeaderSpace& space, const Ruleset& rs, const HostView* host, const IpsetRegistry* ipsets, ProofLimits& limits);
    std::vector<DecidedRegion> decide(Hook hook);
    // The packets that can reach `hook`: valid interfaces for it (OUTPUT has no input device,
    // PREROUTING and INPUT no output device).
    bdd hook_domain(Hook hook) const;
    // The packets a rule matches as the first rule of a walk sees them (no mark or TOS changed).
    bdd rule_match(const Rule& rule, Hook hook);

private:
    struct State;
    struct Flow;
    State start_state() const;
    bdd rule_bdd(const Rule& rule, const State& st, Hook hook);
    bdd match_bdd(const Match& m, const State& st, Hook hook);
    // nullopt: not modelled exactly (the match becomes an atom).
    std::optional<bdd> ipset_bdd(const SetMatch& s);
    std::optional<bdd> addrtype_bdd(const AddrTypeMatch& m, Field f, std::uint16_t types);
    struct TableContext {
        bool raw = false;  // NOTRACK makes the rest of the hook see UNTRACKED
        bool later_tables = false;  // tables after this one at the hook see its translations
    };
    // Walks `flows` through a chain: regions a terminal verdict ends go to `decided`, those
    // ACCEPT or a translation ends to `accepted`, those that fall off the end or RETURN to
    // `returned`.
    void walk_chain(const Table& t, int chain, std::vector<Flow> flows, std::vector<Flow>& returned, std::vector<Flow>& accepted,
                    std::vector<DecidedRegion>& decided, Hook hook, const TableContext& tc);
    void apply_continuing(const TargetSpec& spec, const Target& target, const bdd& hit, const State& in, std::vector<Flow>& next,
                          const TableContext& tc);

    HeaderSpace& space_;
    const Ruleset& rs_;
    const HostView* host_;
    const IpsetRegistry* ipsets_;
    ProofLimits& limits_;
    std::map<const Rule*, bdd> pristine_rules_;
    std::map<std::string, bdd> sets_;
    RuleReach* reach_ = nullptr;
    std::string unmodelled_;  // set by match_bdd when a rule cannot be taken exactly for a region
};

// The linear engine's answer for one packet at `hook` (its in/out, conntrack view and mark as
// given), in the same terms: the tables in order, nat only for a first packet, NOTRACK's
// UNTRACKED and OUTPUT's translation seen by the later tables.
ConcreteOutcome concrete_outcome(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets, Hook hook, const Packet& p);
// The packets two decisions of one hook decide differently (unmodelled regions included as
// outcomes of their own).
bdd differing_region(const std::vector<DecidedRegion>& a, const std::vector<DecidedRegion>& b);
// A match as its atom is keyed: "-m MODULE" and its options as iptables-save writes them.
std::string match_text(const Match& m);
// A target as iptables-save writes it after -j: "DNAT --to-destination 192.0.2.10:22".
std::string target_text(const Target& t);
// A symbolic outcome for one assignment of its region.
ConcreteOutcome evaluate(const HookOutcome& o, const HeaderSpace& space, const Assignment& a);

}  // namespace fwbench
