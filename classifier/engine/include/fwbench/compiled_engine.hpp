#pragma once
// The compiled engine: the linear engine's answers — verdicts, every counter, stateful matches
// in the same order — without testing every rule.
//
// How: each rule of each chain is reduced to a box over the 5-tuple (box_index.hpp; an IPv6
// address is four 32-bit word ranges, exact for any prefix) built
// from the conditions the kernel tests before anything with state: -s, -d, -p, and the port
// ranges of tcp/udp/sctp/dccp/classbench and multiport matches up to the first stateful match;
// interfaces (with wildcards), conntrack states, TCP flags and ICMP types become bit tests
// checked with the box (RuleExtra). A rule is "exact" when box and bit tests are the whole rule
// (nothing else to test), "filtered" when they narrow it but other conditions remain (marks,
// address types, negated ports, a stateful match, ...), evaluated exactly, in the rule's order,
// when the walk reaches it. The walk is the
// linear engine's (chain_walk.hpp); where the linear engine tests rule i, this one asks the
// chain's BoxIndex for the first rule at or after i whose box holds the packet, and tests only
// that one (not at all when exact). Skipping a rule is safe: its box excludes the packet, so one
// of its stateless leading conditions fails and the kernel would not have reached its state.
// Chains of fewer than `index_threshold` rules scan their boxes instead of descending a tree.
//
// What is not compiled falls back to the reference path: packets whose ports the kernel would
// not read (later fragments, truncated transport or IPv6 extension headers) walk every rule.
//
// Invariants: immutable after construction; run() and run_burst() never allocate, throw or
// log (jump depth is bounded at construction; a deeper ruleset is refused there).
//
// Costs: construction builds one BoxIndex per chain; memory_bytes() reports the total.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwbench/box_index.hpp"
#include "fwbench/linear_engine.hpp"

namespace fwbench {

// The ruleset's interface patterns (-i/-o, exact or wildcard), at most 64: a packet's input and
// output devices become bit sets over them (PacketKey::in_ifs/out_ifs), computed once per walk:
// a device named by an exact pattern is one hash probe (its bits, wildcards included, are
// precomputed); any other name is tested against the wildcard patterns only.
class InterfacePatterns {
public:
    static constexpr std::size_t max_patterns = 64;
    // The pattern's bit, added if new; -1 when 64 are taken or the name is longer than a device's.
    int id_of(const IfacePattern& pattern);
    std::uint64_t matching(const IfaceName& device) const;
    bool empty() const { return patterns_.empty(); }

private:
    struct Named {  // an exact pattern's name, and every pattern bit that name matches
        std::uint64_t name[2] = {0, 0};
        std::uint64_t bits = 0;
        bool used = false;
    };
    void rebuild();
    static std::size_t slot_of(const std::uint64_t name[2], std::size_t mask);

    std::vector<IfacePattern> patterns_;
    std::vector<Named> named_;  // open addressing, a power of two long
    // Wildcards as parallel arrays: the prefix bytes, which bytes count, the pattern's bit.
    std::vector<std::uint64_t> wild_name_, wild_mask_, wild_bit_;
};

// What rule_box_shape may compile beyond the 5-tuple (into RuleBoxShape::extra). Without it
// (rte_acl), every such condition is left to run time.
struct ExtraCompilation {
    InterfacePatterns* interfaces = nullptr;  // -i / -o
    // -m state / -m conntrack --ctstate. Not in raw, where CT --notrack changes the state
    // during the walk (the key is read once, when the walk begins).
    bool ct_state = false;
};

// A rule's box and what is left for run time. Only conditions the kernel tests before any
// stateful match narrow the box: ipt_ip (-s -d -p -i -o -f) always comes first; matches go in
// order. With `extra`, interfaces, conntrack state, TCP flags and ICMP type/code become
// bit tests (RuleExtra) and "! -f" holds for every keyed packet.
// exact: box and extra are the whole rule (for packets compiled_key accepts); empty: no packet
// meets the conditions together; residual: the first condition left to run time, as written.
template <class Box>
struct BasicRuleBoxShape {
    Box box;
    RuleExtra extra;
    bool exact = true, narrowed = false, empty = false, has_extra = false;
    std::string residual;
};
using RuleBoxShape = BasicRuleBoxShape<RuleBox>;
using RuleBoxShape6 = BasicRuleBoxShape<RuleBox6>;
RuleBoxShape rule_box_shape(const Rule& r, const ExtraCompilation* extra = nullptr);
// An ip6tables rule's: its addresses as word ranges, ICMPv6 types among the bit tests.
RuleBoxShape6 rule_box_shape6(const Rule& r, const ExtraCompilation* extra = nullptr);

struct CompiledEngineOptions {
    BoxIndexOptions index;
    std::size_t index_threshold = 8;
};

class CompiledEngine final : public Classifier {
public:
    static constexpr std::size_t max_jump_depth = 256;

    CompiledEngine(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets = nullptr, CompiledEngineOptions opt = {});

    const char* name() const override { return "compiled"; }
    // As LinearEngine::run: same verdict, counters and state changes.
    WalkResult run(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits = nullptr) const override;
    // A burst through one table and hook: the base chain's first candidates are found for all
    // packets in one interleaved index pass, then each packet's walk goes on as run() does.
    void run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const override;
    // memory_bytes, rules_exact/filtered/at_run_time, the rules not exact.
    ClassifierStats stats() const override;
    // The base chain's index over prepared keys, in bursts of 64 as run_burst looks up: where the
    // chain is indexed and its first match decides (ChainPlan::first_match_only).
    std::unique_ptr<PreparedLookup> prepare_lookup(std::size_t table, Hook hook, const std::vector<Packet>& packets) const override;

    const Ruleset& ruleset() const override { return rs_; }
    // Every rule that is not exact, with what is left to run time; plus counts of each kind.
    const std::vector<CompiledRuleReport>& not_exact() const { return not_exact_; }
    std::size_t count(RuleCompilation c) const { return counts_[static_cast<int>(c)]; }
    std::size_t memory_bytes() const;

private:
    template <class Box>
    struct ChainPlan {
        std::vector<Box> boxes;  // one per rule
        std::vector<RuleExtra> extras;  // box.extra - 1 indexes it
        std::vector<std::uint8_t> exact;  // 1 when the box is the whole rule
        std::optional<BasicBoxIndex<Box>> index;  // long chains only
        // Every rule exact and ending the walk (ACCEPT, DROP, QUEUE, REJECT): a packet's first
        // matching rule decides, so a burst needs no walk at all.
        bool first_match_only = false;
        std::uint32_t next_candidate(const typename BoxLayout<Box>::Key& k, std::uint32_t from) const;
    };
    template <class Box>
    using Plans = std::vector<std::vector<ChainPlan<Box>>>;  // [table][chain]

    template <class Box>
    void plan_chains(Plans<Box>& plans, const CompiledEngineOptions& opt);
    WalkResult walk(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits, std::uint32_t first_candidate) const;
    template <class Box>
    WalkResult walk_keyed(const Plans<Box>& plans, const typename BoxLayout<Box>::Key& key, std::size_t table, Hook hook, Packet& p, EngineState& st,
                          std::vector<RuleVisit>* visits, std::uint32_t first_candidate) const;
    template <class Box>
    std::unique_ptr<PreparedLookup> prepare_lookup_in(const Plans<Box>& plans, std::size_t table, Hook hook,
                                                      const std::vector<Packet>& packets) const;
    template <class Box>
    void run_burst_in(const Plans<Box>& plans, std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st,
                      WalkResult* out) const;
    // compiled_key (compiled_key6) plus the interface bits: false for packets walked rule by rule.
    template <class Key>  // PacketKey or PacketKey6
    bool key_of(const Packet& p, Key& key) const;

    const Ruleset& rs_;
    LinearEngine linear_;  // tests the rules boxes cannot decide
    Plans<RuleBox> plans_;  // an IPv4 ruleset's
    Plans<RuleBox6> plans6_;  // an IPv6 ruleset's
    std::vector<std::array<int, hook_count>> base_;  // [table][hook]: base chain index or -1
    // Tables with a target that rewrites an address the key holds (SNPT, DNPT): walked unkeyed, since
    // the rules after it must see the new address.
    std::vector<bool> rewrites_key_;
    InterfacePatterns interfaces_;
    std::vector<CompiledRuleReport> not_exact_;
    std::size_t counts_[3] = {0, 0, 0};
};

// Whether fwbench's compiled path reads this packet's 5-tuple as the kernel would: IPv4, not a
// fragment, transport header present. Other packets walk every rule. Fills the key's 5-tuple,
// conntrack state bits, TCP flags and ICMP type/code; not the interface bits (they depend on
// the engine's patterns).
bool compiled_key(const Packet& p, PacketKey& key);
// The same for IPv6: not a later fragment, the extension headers whole, the transport header present.
bool compiled_key6(const Packet& p, PacketKey6& key);

}  // namespace fwbench
