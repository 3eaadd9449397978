#pragma once
// One interface every engine implements, so the packet path, the ClassBench run, the benchmarks
// and kernel_cost hold "an engine" and never dispatch on which one.
//
// What: run() walks one table's built-in chain for a hook with one packet, exactly as the
// kernel's ipt_do_table would (verdict, the deciding rule, every counter and stateful match in
// EngineState); run_burst() does the same for n packets through one table and hook (an engine
// may batch its lookups there; the answers are run()'s, in packet order). stats() reports what
// the engine built (memory, how rules were compiled), for --json and the benchmarks.
//
// Invariants: an engine is immutable once built and may be shared by threads, each with its own
// EngineState. run() and run_burst() never allocate, throw or log unless `visits` is asked for.
//
// Implementations: LinearEngine (the reference), CompiledEngine (box index), and, in the acl
// floor, AclClassifier (DPDK's rte_acl with the reference for what it cannot take); the factory
// from an engine's name is classifier_factory.hpp (acl floor, since it knows all three).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fwbench/engine_state.hpp"

namespace fwbench {

// How the compiled engine treats one rule: exact (its box is the whole rule), filtered (the box
// narrows it, the rest is tested when reached) or run_time (tested when reached).
enum class RuleCompilation : std::uint8_t { exact, filtered, run_time };
const char* rule_compilation_name(RuleCompilation c);

struct CompiledRuleReport {
    std::string table, chain;
    int rule = 0;  // 1-based
    RuleCompilation how = RuleCompilation::exact;
    std::string evaluated_at_run_time;  // the first condition left to run time, as written
};

// What an engine built, in the order it is reported.
struct ClassifierStats {
    std::size_t memory_bytes = 0;
    std::vector<std::pair<std::string, std::uint64_t>> counts;  // e.g. rules_exact
    std::vector<std::pair<std::string, std::string>> notes;  // e.g. algorithm, not_compiled
    std::optional<std::vector<CompiledRuleReport>> rules_not_exact;  // the compiled engine's rules that are not exact
};

// The lookup alone, over keys made beforehand: each key's first matching rule of one chain, the
// question rte_acl_classify answers. For comparing engines each at its best: the whole walk also
// makes each key from its packet and bumps counters. Immutable once made; run() never allocates.
class PreparedLookup {
public:
    virtual ~PreparedLookup() = default;
    virtual std::size_t size() const = 0;  // the keys made
    // out[i]: key i's first matching rule (0-based) or -1 (none: the policy decides).
    virtual void run(std::int32_t* out) const = 0;
};

class Classifier {
public:
    virtual ~Classifier() = default;
    Classifier() = default;
    Classifier(const Classifier&) = delete;
    Classifier& operator=(const Classifier&) = delete;

    virtual const char* name() const = 0;
    // Walks `table`'s built-in chain for `hook`; a table without that chain accepts untouched.
    // With `visits`, every rule tested is recorded in order (and the policy when it decides).
    virtual WalkResult run(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits = nullptr) const = 0;
    // run() for each packet, in order, into out[0..n); engines override it to batch lookups.
    virtual void run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const;
    virtual ClassifierStats stats() const = 0;
    virtual const Ruleset& ruleset() const = 0;
    // Keys for `packets` through `table` at `hook`, made now, for a lookup timed apart from the
    // walk. Null where the engine has no lookup apart from its walk, or where a first match is
    // not the walk's whole answer (a rule the lookup cannot decide, one that does not end the
    // walk, a packet that must be walked rule by rule): a ClassBench set has one.
    virtual std::unique_ptr<PreparedLookup> prepare_lookup(std::size_t table, Hook hook, const std::vector<Packet>& packets) const;
};

}  // namespace fwbench
