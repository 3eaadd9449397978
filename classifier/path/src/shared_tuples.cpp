#include "fwbench/shared_tuples.hpp"

#include <immintrin.h>

namespace fwbench {

void SharedTuples::Shard::lock() {
    // Test and test-and-set: waiting reads its own cached copy until the holder lets go.
    while (busy.exchange(true, std::memory_order_acquire))
        while (busy.load(std::memory_order_relaxed)) _mm_pause();
}

void SharedTuples::Shard::unlock() { busy.store(false, std::memory_order_release); }

// By the hash's top bits: the shard's open table takes its home slots from the low ones.
SharedTuples::Shard& SharedTuples::shard_of(const ConnTuple& t) {
    static_assert(shard_count == 64);
    return shards_[static_cast<std::uint64_t>(ConnTupleHash{}(t)) >> 58];
}

bool SharedTuples::claim(const Connection& c, unsigned worker, std::uint64_t now_ns) {
    // Both tuples' shards locked at once, in address order (two workers never wait on each other
    // in a cycle), so no other claim can take either tuple between the check and the insert.
    Shard* a = &shard_of(c.orig);
    Shard* b = &shard_of(c.reply);
    if (b < a) std::swap(a, b);
    a->lock();
    if (b != a) b->lock();
    bool free = true;
    for (const ConnTuple* t : {&c.orig, &c.reply}) {
        const Holder* h = shard_of(*t).table.find(*t);
        free = free && !(h && h->worker != worker && h->conn != &c && live(*h, now_ns));
    }
    if (free) {
        shard_of(c.orig).table[c.orig] = {&c, worker};
        shard_of(c.reply).table[c.reply] = {&c, worker};
    }
    ++(free ? a->claims : a->refused_claims);
    if (b != a) b->unlock();
    a->unlock();
    return free;
}

void SharedTuples::release(const Connection& c) {
    for (const ConnTuple* t : {&c.orig, &c.reply}) {
        Shard& s = shard_of(*t);
        s.lock();
        const Holder* h = s.table.find(*t);
        if (h && h->conn == &c) s.table.erase(*t);
        s.unlock();
    }
}

bool SharedTuples::held_elsewhere(const ConnTuple& t, unsigned worker, std::uint64_t now_ns) {
    Shard& s = shard_of(t);
    s.lock();
    const Holder* h = s.table.find(t);
    const bool held = h && h->worker != worker && live(*h, now_ns);
    s.taken_elsewhere += held;
    s.unlock();
    return held;
}

std::optional<unsigned> SharedTuples::owner(const ConnTuple& t, std::uint64_t now_ns) {
    Shard& s = shard_of(t);
    s.lock();
    const Holder* h = s.table.find(t);
    const std::optional<unsigned> owner = h && live(*h, now_ns) ? std::optional<unsigned>(h->worker) : std::nullopt;
    s.unlock();
    return owner;
}

SharedTuples::Stats SharedTuples::stats() {
    Stats out;
    for (Shard& s : shards_) {
        s.lock();
        out.claims += s.claims;
        out.refused_claims += s.refused_claims;
        out.taken_elsewhere += s.taken_elsewhere;
        s.unlock();
    }
    return out;
}

std::size_t SharedTuples::size() {
    std::size_t n = 0;
    for (Shard& s : shards_) {
        s.lock();
        n += s.table.size();
        s.unlock();
    }
    return n;
}

}  // namespace fwbench
