#pragma once
// The compiled engine: the linear engine's answers — verdicts, every counter, stateful matches
// in the same order — without testing every rule.
//
// How: each rule of each chain is reduced to a box over the IPv4 5-tuple (box_index.hpp) built
// from the conditions the kernel tests before anything with state: -s, -d, -p, and the port
// ranges of tcp/udp/sctp/dccp/classbench and multiport matches up to the first stateful match.
// A rule is "exact" when its box is the whole rule (nothing else to test), "filtered" when the
// box narrows it but other conditions remain (interfaces, states, marks, flags, a stateful
// match, ...), evaluated exactly, in the rule's order, when the walk reaches it. The walk is the
// linear engine's (chain_walk.hpp); where the linear engine tests rule i, this one asks the
// chain's BoxIndex for the first rule at or after i whose box holds the packet, and tests only
// that one (not at all when exact). Skipping a rule is safe: its box excludes the packet, so one
// of its stateless leading conditions fails and the kernel would not have reached its state.
// Chains of fewer than `index_threshold` rules scan their boxes instead of descending a tree.
//
// What is not compiled falls back to the reference path: IPv6 rulesets, and packets whose
// ports the kernel would not read (fragments, truncated transport headers), walk every rule.
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

enum class EngineKind : std::uint8_t { linear, compiled };

enum class RuleCompilation : std::uint8_t { exact, filtered, run_time };
const char* rule_compilation_name(RuleCompilation c);

struct CompiledRuleReport {
    std::string table, chain;
    int rule = 0;  // 1-based
    RuleCompilation how = RuleCompilation::exact;
    std::string evaluated_at_run_time;  // the first condition left to run time, as written
};

// A rule's box and what is left for run time. Only conditions the kernel tests before any
// stateful match narrow the box: ipt_ip (-s -d -p) always comes first; matches go in order.
// exact: the box is the whole rule (for packets compiled_key accepts); empty: no packet meets
// the conditions together; residual: the first condition left to run time, as written.
struct RuleBoxShape {
    RuleBox box;
    bool exact = true, narrowed = false, empty = false;
    std::string residual;
};
RuleBoxShape rule_box_shape(const Rule& r);

struct CompiledEngineOptions {
    BoxIndexOptions index;
    std::size_t index_threshold = 8;
};

class CompiledEngine {
public:
    static constexpr std::size_t max_jump_depth = 256;

    CompiledEngine(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets = nullptr, CompiledEngineOptions opt = {});

    // As LinearEngine::run: same verdict, counters and state changes.
    WalkResult run(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits = nullptr) const;
    // A burst through one table and hook: the base chain's first candidates are found for all
    // packets in one interleaved index pass, then each packet's walk goes on as run() does.
    void run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const;

    const Ruleset& ruleset() const { return rs_; }
    // Every rule that is not exact, with what is left to run time; plus counts of each kind.
    const std::vector<CompiledRuleReport>& not_exact() const { return not_exact_; }
    std::size_t count(RuleCompilation c) const { return counts_[static_cast<int>(c)]; }
    bool compiled() const { return compiled_; }   // false: an IPv6 ruleset, walked linearly
    std::string why_not_compiled() const { return why_not_; }
    std::size_t memory_bytes() const;

private:
    struct ChainPlan {
        std::vector<RuleBox> boxes;               // one per rule
        std::vector<std::uint8_t> exact;          // 1 when the box is the whole rule
        std::optional<BoxIndex> index;            // long chains only
        // Every rule exact and ending the walk (ACCEPT, DROP, QUEUE, REJECT): a packet's first
        // matching rule decides, so a burst needs no walk at all.
        bool first_match_only = false;
        std::uint32_t next_candidate(const PacketKey& k, std::uint32_t from) const;
    };

    WalkResult walk(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits,
                    std::uint32_t first_candidate) const;

    const Ruleset& rs_;
    LinearEngine linear_;  // tests the rules boxes cannot decide
    bool compiled_ = true;
    std::string why_not_;
    std::vector<std::vector<ChainPlan>> plans_;       // [table][chain]
    std::vector<std::array<int, hook_count>> base_;   // [table][hook]: base chain index or -1
    std::vector<CompiledRuleReport> not_exact_;
    std::size_t counts_[3] = {0, 0, 0};
};

// Whether fwbench's compiled path reads this packet's 5-tuple as the kernel would: IPv4, not a
// fragment, transport header present. Other packets walk every rule.
bool compiled_key(const Packet& p, PacketKey& key);

}  // namespace fwbench
