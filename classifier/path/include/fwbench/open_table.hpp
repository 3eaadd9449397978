#pragma once
// OpenTable: a hash map of keys to values in one array of slots (open addressing), for
// conntrack's table of tuples.
//
// Why: std::unordered_map reaches an entry through its bucket array and a node elsewhere, each a
// cache miss once the table outgrows the caches; at a million connections its bucket walk took
// 37% of a worker's time (docs/flow-cache.md). Here a lookup reads the slot the hash names and
// the few after it: the key, its hash and the value side by side.
//
// How: linear probing over a power-of-two array kept at most half full, each slot holding its
// key's hash (compared before the key). Erasing shifts the later entries of the probe run back
// into the hole (no tombstones), so a lookup stops at the first empty slot.
//
// Invariants: an entry is found from its home slot without crossing an empty slot. Pointers to
// values stay valid until the next insert or erase (either may move entries).
//
// Costs: a lookup hashes once and reads one or two cache lines; the array grows by doubling (the
// only allocation: none once the table stops growing); memory 2-4 slots per entry.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

namespace fwbench {

template <class Key, class Value, class Hash, class Eq = std::equal_to<Key>>
class OpenTable {
public:
    OpenTable() { rebuild(16); }

    std::size_t size() const { return size_; }

    Value* find(const Key& k) { return find(k, hash_of(k)); }
    const Value* find(const Key& k) const { return const_cast<OpenTable*>(this)->find(k); }
    // With the key's hash_of(k) computed ahead (a burst's first stage): the same lookup.
    Value* find(const Key& k, std::uint32_t h) {
        const std::size_t i = locate(k, h);
        return slots_[i].used ? &slots_[i].value : nullptr;
    }

    // The hash a key is placed and found by: a function of the key alone, whatever the table
    // holds, so it may be computed before the entries ahead of it are inserted or erased.
    static std::uint32_t hash_of(const Key& k) {
        const std::uint64_t h = Hash{}(k);
        return static_cast<std::uint32_t>(h ^ h >> 32);
    }
    // Asks the cache for the home slot of hash h (both lines a slot may straddle); changes nothing.
    void prefetch(std::uint32_t h) const {
        const char* s = reinterpret_cast<const char*>(&slots_[h & mask_]);
        __builtin_prefetch(s);
        __builtin_prefetch(s + sizeof(Slot) - 1);
    }
    // The value in the home slot of hash h when that slot holds key k now, for a caller to
    // prefetch what it points to; null otherwise (a later slot of the run is not looked at).
    const Value* peek(const Key& k, std::uint32_t h) const {
        const Slot& s = slots_[h & mask_];
        return s.used && s.hash == h && Eq{}(s.key, k) ? &s.value : nullptr;
    }

    // The key's value, inserted (value-initialised) when absent.
    Value& operator[](const Key& k) {
        if (2 * (size_ + 1) > capacity()) rebuild(2 * capacity());
        const std::uint32_t h = hash_of(k);
        const std::size_t i = locate(k, h);
        Slot& s = slots_[i];
        if (!s.used) {
            s.key = k;
            s.value = Value{};
            s.hash = h;
            s.used = true;
            ++size_;
        }
        return s.value;
    }

    bool erase(const Key& k) {
        const std::size_t i = locate(k, hash_of(k));
        if (!slots_[i].used) return false;
        erase_at(i);
        return true;
    }

    // Erases every entry `dead(key, value)` says; the others stay (and may move).
    template <class Dead>
    void erase_if(Dead dead) {
        // An erase moves a later entry of the run into the hole: the slot is looked at again.
        for (std::size_t i = 0; i < capacity();) {
            if (slots_[i].used && dead(slots_[i].key, slots_[i].value)) erase_at(i);
            else ++i;
        }
    }

    template <class Visit>
    void for_each(Visit visit) const {
        for (std::size_t i = 0; i < capacity(); ++i)
            if (slots_[i].used) visit(slots_[i].key, slots_[i].value);
    }

private:
    struct Slot {
        Key key{};
        Value value{};
        std::uint32_t hash = 0;
        bool used = false;
    };

    std::size_t capacity() const { return mask_ + 1; }
    // The key's slot, or the empty slot that ends its run.
    std::size_t locate(const Key& k, std::uint32_t h) const {
        for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (!s.used || (s.hash == h && Eq{}(s.key, k))) return i;
        }
    }
    void erase_at(std::size_t hole) {
        // Backward shift: an entry after the hole moves into it unless its home lies cyclically
        // in (hole, j], where it is already reachable.
        for (std::size_t j = (hole + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
            const std::size_t home = slots_[j].hash & mask_;
            const bool reachable = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (reachable) continue;
            slots_[hole] = std::move(slots_[j]);
            hole = j;
        }
        slots_[hole].value = Value{};
        slots_[hole].used = false;
        --size_;
    }
    void rebuild(std::size_t capacity) {
        std::unique_ptr<Slot[]> old = std::move(slots_);
        const std::size_t old_capacity = slots_count_;
        slots_ = std::make_unique<Slot[]>(capacity);
        slots_count_ = capacity;
        mask_ = capacity - 1;
        for (std::size_t i = 0; i < old_capacity; ++i) {
            Slot& s = old[i];
            if (!s.used) continue;
            Slot& to = slots_[locate(s.key, s.hash)];
            to = std::move(s);
        }
    }

    std::unique_ptr<Slot[]> slots_;
    std::size_t slots_count_ = 0;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace fwbench
