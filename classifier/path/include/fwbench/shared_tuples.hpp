#pragma once
// SharedTuples: the tuples of every worker's connections, for dataplanes whose workers each keep
// a conntrack table of their own (one PathState per worker, nothing shared per packet).
//
// Why: the kernel has one conntrack table. NAT's port search asks it whether a reply tuple is
// taken (nf_nat_used_tuple) and confirmation refuses a tuple another connection holds; with a
// table per worker, two workers each found a port free that the other held, and bound two live
// connections to one reply tuple — an answer the kernel never gives (on the 200k router workload,
// two workers' counters differed from one's by a thousand packets). A port dataplane needs the
// same map to find which worker owns a reply that its NIC's hash sent elsewhere.
//
// How: tuple -> (worker, connection) in 64 shards by the tuple's hash, each an open table under
// a spinlock of its own (a pthread mutex went to the kernel whenever two workers met: futex
// calls and context switches on the port dataplane's profile). Written only when a connection
// is confirmed (both tuples at once, both shards locked: refused when another worker's live
// connection holds either) and when its own worker removes it; read by NAT's search and by a
// dataplane's steering for what the worker's own table does not hold. Not touched by a packet of
// an established connection, nor at all with one worker (no registry).
// Whether another worker's connection is live is read from its expiry (Connection::expires_ns,
// a relaxed atomic), against the asking worker's clock.
//
// Invariants: a registered connection stays allocated until its worker releases it (Conntrack
// releases a connection before dropping its tuples); each tuple names at most one connection.
//
// Not shared (each worker sees only its own): nf_nat_bysource's lists (a client's earlier
// mapping held by another worker is not offered), and TIME_WAIT takeover (another worker's
// connection cannot be killed from here: its tuple counts as taken). docs/dataplane.md says
// what still differs from one worker.

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "fwbench/conntrack.hpp"

namespace fwbench {

class SharedTuples {
public:
    // Registers both tuples of `c` for `worker`. False, registering nothing, when another
    // worker's connection live at `now_ns` holds either (a dead one's entry is taken over).
    bool claim(const Connection& c, unsigned worker, std::uint64_t now_ns);
    // Removes the tuples that still name `c`.
    void release(const Connection& c);
    // Whether a connection of another worker than `worker`, live at `now_ns`, holds `t`.
    bool held_elsewhere(const ConnTuple& t, unsigned worker, std::uint64_t now_ns);
    // The worker whose connection live at `now_ns` holds `t`.
    std::optional<unsigned> owner(const ConnTuple& t, std::uint64_t now_ns);

    struct Stats {
        std::uint64_t claims = 0, refused_claims = 0;  // confirmations; refused: another worker's tuple
        std::uint64_t taken_elsewhere = 0;  // NAT's search found a tuple taken by another worker
    };
    Stats stats();
    std::size_t size();

private:
    struct Holder {
        const Connection* conn = nullptr;
        unsigned worker = 0;
    };
    static bool live(const Holder& h, std::uint64_t now_ns) { return h.conn->expires_ns >= now_ns; }
    struct alignas(64) Shard {
        std::atomic<bool> busy{false};
        OpenTable<ConnTuple, Holder, ConnTupleHash, ConnTupleEq> table;
        std::uint64_t claims = 0, refused_claims = 0, taken_elsewhere = 0;
        void lock();
        void unlock();
    };
    static constexpr std::size_t shard_count = 64;
    Shard& shard_of(const ConnTuple& t);
    std::array<Shard, shard_count> shards_;
};

}  // namespace fwbench
