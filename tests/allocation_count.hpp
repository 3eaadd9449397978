#pragma once
// Counts heap allocations made through operator new while a Counting guard is alive, in any
// thread (the replaced operators are in allocation_count.cpp, linked only into alloc_tests).
#include <cstdint>

namespace fwbench::test {

std::uint64_t allocations();  // since the program began, while counting

class CountAllocations {
public:
    CountAllocations();
    ~CountAllocations();
    std::uint64_t so_far() const { return allocations() - start_; }

private:
    std::uint64_t start_;
};

}  // namespace fwbench::test
