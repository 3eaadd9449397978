#pragma once
// Single objects recycled through free lists, so a table that has stopped growing allocates
// nothing more: what the kernel's slab caches do for conntrack entries.
//
// What: RecyclingAllocator<T> hands out single objects (n == 1: a map's nodes, allocate_shared's
// object and control block) from a BlockPool, which keeps each freed block on a free list of its
// size and gives it out again; arrays (a map's buckets) go to operator new as usual.
//
// Invariants: a pool belongs to one thread's state (no locking). Allocators hold the pool by
// shared_ptr, so it lives until the last container and object using it are gone; every block
// is then on a free list and is released. Costs: memory is held at its high-water mark.

#include <cstddef>
#include <memory>
#include <new>
#include <vector>

namespace fwbench {

class BlockPool {
public:
    BlockPool() = default;
    BlockPool(const BlockPool&) = delete;
    BlockPool& operator=(const BlockPool&) = delete;
    ~BlockPool() {
        for (auto& list : lists_)
            while (list.head) {
                Free* next = list.head->next;
                ::operator delete(list.head);
                list.head = next;
            }
    }

    void* take(std::size_t bytes) {
        List& list = list_for(bytes);
        if (!list.head) return ::operator new(block_size(bytes));
        Free* block = list.head;
        list.head = block->next;
        return block;
    }
    void give(void* p, std::size_t bytes) {
        List& list = list_for(bytes);
        list.head = new (p) Free{list.head};
    }

private:
    struct Free {
        Free* next;
    };
    struct List {
        std::size_t bytes;
        Free* head;
    };
    static std::size_t block_size(std::size_t bytes) { return bytes < sizeof(Free) ? sizeof(Free) : bytes; }
    // A pool serves a handful of sizes (a node, a connection with its control block): a short
    // list searched in order; a new size allocates once, when first seen.
    List& list_for(std::size_t bytes) {
        for (auto& l : lists_)
            if (l.bytes == bytes) return l;
        lists_.push_back({bytes, nullptr});
        return lists_.back();
    }
    std::vector<List> lists_;
};

template <class T>
class RecyclingAllocator {
public:
    using value_type = T;
    explicit RecyclingAllocator(std::shared_ptr<BlockPool> pool) : pool_(std::move(pool)) {}
    template <class U>
    RecyclingAllocator(const RecyclingAllocator<U>& other) : pool_(other.pool()) {}  // NOLINT: rebinding is implicit by design

    T* allocate(std::size_t n) {
        static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "over-aligned types are not pooled");
        if (n == 1) return static_cast<T*>(pool_->take(sizeof(T)));
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) {
        if (n == 1) pool_->give(p, sizeof(T));
        else ::operator delete(p);
    }
    const std::shared_ptr<BlockPool>& pool() const { return pool_; }
    template <class U>
    bool operator==(const RecyclingAllocator<U>& other) const {
        return pool_ == other.pool();
    }

private:
    std::shared_ptr<BlockPool> pool_;
};

}  // namespace fwbench
