// Replaced global allocation functions: every operator new (plain, array, aligned, nothrow)
// counts while counting is on, then takes its memory from malloc / aligned_alloc, and every
// delete gives it back with free. Replacing them is the standard's own hook ([new.delete]).
#include "allocation_count.hpp"

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

#include <execinfo.h>
#include <new>

namespace {
std::atomic<std::uint64_t> counted{0};
std::atomic<int> counting{0};

// FWBENCH_ALLOC_BACKTRACE=N prints the stack of the first N counted allocations (to find them).
thread_local bool in_backtrace = false;
void show_where() {
    static const long limit = [] {
        const char* v = std::getenv("FWBENCH_ALLOC_BACKTRACE");
        return v ? std::atol(v) : 0L;
    }();
    static std::atomic<long> shown{0};
    if (in_backtrace || shown.fetch_add(1) >= limit) return;
    in_backtrace = true;
    void* frames[24];
    const int n = backtrace(frames, 24);
    std::fputs("--- counted allocation:\n", stderr);
    backtrace_symbols_fd(frames, n, 2);
    in_backtrace = false;
}

void* allocate(std::size_t n, std::size_t align = 0) {
    if (counting.load(std::memory_order_relaxed) > 0 && !in_backtrace) {
        counted.fetch_add(1, std::memory_order_relaxed);
        show_where();
    }
    if (n == 0) n = 1;
    void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align) : std::malloc(n);
    return p;
}
}  // namespace

namespace fwbench::test {
std::uint64_t allocations() { return counted.load(); }
CountAllocations::CountAllocations() : start_(counted.load()) { counting.fetch_add(1); }
CountAllocations::~CountAllocations() { counting.fetch_sub(1); }
}  // namespace fwbench::test

void* operator new(std::size_t n) {
    if (void* p = allocate(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = allocate(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = allocate(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    if (void* p = allocate(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return allocate(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return allocate(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
