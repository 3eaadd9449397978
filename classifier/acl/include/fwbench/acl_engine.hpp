#pragma once
// The peer: DPDK's rte_acl on the chains it can express, configured at its best, so fwbench's
// compiled engine is measured against what people deploy.
//
// What it takes: one built-in chain whose rules are all 5-tuple boxes (-s/-d prefixes,
// -p, tcp/udp/classbench port ranges; rule_box_shape says "exact") with a terminating target
// (ACCEPT, DROP, REJECT, QUEUE) and no jumps. Anything else is refused with the first rule it
// cannot take, named by position and text (AclNotApplicable).
//
// How: five fields as DPDK's ipv4 examples lay them out — protocol (a byte, bitmask), source and
// destination (32-bit masks), the two ports (16-bit ranges sharing one 4-byte input word); for
// IPv6 eleven, as its ipv6 examples do: each address as four 32-bit masks, a prefix's length
// spread over them (32 for each word it covers whole, the rest in the word it ends in); rule
// i gets priority N - i (rte_acl prefers the highest; first match wins) and userdata i + 1 (0
// means no match). The classify method is the fastest this CPU and the EAL allow, tried from
// AVX512X32 down (AVX512X32 needs the EAL's --force-max-simd-bitwidth=512, which fwbench passes).
//
// Keys are built outside the timed region (make_key), in network byte order as rte_acl reads
// packet data. Costs: build time and memory are rte_acl's (rte_acl_build; rte_acl_dump's size).

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fwbench/box_index.hpp"
#include "fwbench/linear_engine.hpp"

struct rte_acl_ctx;

namespace fwbench {

struct AclNotApplicable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The bytes rte_acl reads for one packet.
struct AclKey {
    std::uint8_t proto = 0, pad[3] = {0, 0, 0};
    std::uint32_t src = 0, dst = 0;  // network order
    std::uint16_t sport = 0, dport = 0;  // network order
};
// False for packets the kernel would not read ports from (fragments, truncated headers, IPv6).
bool make_acl_key(const Packet& p, AclKey& key);
// The same for IPv6.
struct AclKey6 {
    std::uint8_t proto = 0, pad[3] = {0, 0, 0};
    std::uint32_t src[4] = {}, dst[4] = {};  // network order, word by word
    std::uint16_t sport = 0, dport = 0;  // network order
};
bool make_acl_key(const Packet& p, AclKey6& key);

class AclEngine {
public:
    // Requires an initialised EAL (rte_acl allocates from it). Throws AclNotApplicable or
    // std::runtime_error (rte_acl's own failures, e.g. -ENOMEM).
    AclEngine(const Ruleset& rs, std::size_t table, Hook hook);
    ~AclEngine();
    AclEngine(const AclEngine&) = delete;
    AclEngine& operator=(const AclEngine&) = delete;

    // For each key, the deciding rule's index (0-based) or -1 for the policy.
    // The keys are the ruleset's family's.
    void classify(const AclKey* const* keys, std::size_t n, std::int32_t* rule) const;
    void classify(const AclKey6* const* keys, std::size_t n, std::int32_t* rule) const;
    // The walk result for a rule index from classify (verdict, chain, rule, counters).
    WalkResult result(std::int32_t rule, const Packet& p, EngineState& st) const;

    const char* algorithm() const { return algorithm_; }
    std::size_t memory_bytes() const { return memory_; }
    int chain() const { return chain_; }
    bool has_lookup() const { return ctx_ != nullptr; }  // false: no rule any packet meets, the policy decides

private:
    template <class AclRuleT, class Box>
    void build(Hook hook);
    void classify_bytes(const std::uint8_t** keys, std::size_t n, std::int32_t* rule) const;
    const Ruleset& rs_;
    std::size_t table_;
    int chain_ = -1;
    rte_acl_ctx* ctx_ = nullptr;
    const char* algorithm_ = "";
    std::size_t memory_ = 0;
};

}  // namespace fwbench
