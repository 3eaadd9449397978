#pragma once
// rte_acl behind the Classifier interface: every built-in chain rte_acl can express is looked up
// there; the chains it cannot take, and the packets it cannot key, are walked by the reference
// engine, so the answers are always the kernel's.
//
// How: at construction one AclEngine per (table, hook) base chain; a chain AclEngine refuses is
// recorded with its reason (on_reference()). run_burst() keys up to 64 packets at a time on the
// stack (make_acl_key), classifies the keyed ones in one rte_acl_classify call and turns each
// rule index into the walk result and counters; unkeyed packets (fragments, truncated headers)
// are walked by the reference and counted in EngineState::reference_walks.
//
// Invariants: immutable after construction; run() and run_burst() do not allocate. Requires an
// initialised EAL (rte_acl allocates from DPDK memory).

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fwbench/acl_engine.hpp"
#include "fwbench/classifier.hpp"
#include "fwbench/linear_engine.hpp"

namespace fwbench {

class AclClassifier final : public Classifier {
public:
    AclClassifier(const Ruleset& rs, const HostView& host, const IpsetRegistry* ipsets = nullptr);

    const char* name() const override { return "acl"; }
    WalkResult run(std::size_t table, Hook hook, Packet& p, EngineState& st, std::vector<RuleVisit>* visits = nullptr) const override;
    void run_burst(std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st, WalkResult* out) const override;
    ClassifierStats stats() const override;
    const Ruleset& ruleset() const override { return rs_; }
    // rte_acl_classify over prepared keys, in bursts of 64: where rte_acl took the chain whole.
    std::unique_ptr<PreparedLookup> prepare_lookup(std::size_t table, Hook hook, const std::vector<Packet>& packets) const override;

    // Why rte_acl does not take this table's chain for `hook` (nullopt: it does).
    std::optional<std::string> why_on_reference(std::size_t table, Hook hook) const;

private:
    template <class Key>  // AclKey or AclKey6: the ruleset's family
    WalkResult run_keyed(const AclEngine& acl, std::size_t table, Hook hook, Packet& p, EngineState& st) const;
    template <class Key>
    void run_burst_keyed(const AclEngine& acl, std::size_t table, Hook hook, Packet* const* packets, std::size_t n, EngineState& st,
                         WalkResult* out) const;
    const AclEngine* acl_for(std::size_t table, Hook hook) const {
        return table < chains_.size() ? chains_[table][static_cast<std::size_t>(hook)].get() : nullptr;
    }

    const Ruleset& rs_;
    LinearEngine reference_;
    std::vector<std::array<std::unique_ptr<AclEngine>, hook_count>> chains_;  // [table][hook]
    std::vector<std::array<std::string, hook_count>> refused_;  // [table][hook]: why not, or empty
};

}  // namespace fwbench
