// OpenTable (open_table.hpp) against std::unordered_map: the same keys found with the same values
// after every step of a long random mix of inserts, erases and sweeps, on a hash that crowds keys
// into few home slots (long probe runs, runs that wrap past the array's end, shifts on erase).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>

#include "fwbench/open_table.hpp"

namespace fwbench {
namespace {

// Sixteen home slots at most, whatever the table's size: every run is long.
struct CrowdingHash {
    std::size_t operator()(std::uint32_t k) const { return (k % 16) * 0x9e3779b9u; }
};

TEST(OpenTable, AgreesWithUnorderedMapThroughInsertsErasesAndSweeps) {
    OpenTable<std::uint32_t, std::uint64_t, CrowdingHash> table;
    std::unordered_map<std::uint32_t, std::uint64_t> expected;
    std::mt19937 rng(7);
    for (int step = 0; step < 20000; ++step) {
        const std::uint32_t k = rng() % 600;
        switch (rng() % 10) {
            case 0:
            case 1:
            case 2:
            case 3: table[k] = step, expected[k] = static_cast<std::uint64_t>(step); break;
            case 4:
            case 5:
            case 6: EXPECT_EQ(table.erase(k), expected.erase(k) == 1) << "step " << step; break;
            case 7: {
                // A sweep of every key with a given remainder: erases across wrapped runs.
                const std::uint32_t r = rng() % 7;
                table.erase_if([&](std::uint32_t key, std::uint64_t) { return key % 7 == r; });
                std::erase_if(expected, [&](const auto& e) { return e.first % 7 == r; });
                break;
            }
            default: break;
        }
        ASSERT_EQ(table.size(), expected.size()) << "step " << step;
        if (step % 97 == 0)
            for (std::uint32_t key = 0; key < 600; ++key) {
                const std::uint64_t* v = table.find(key);
                const auto it = expected.find(key);
                ASSERT_EQ(v != nullptr, it != expected.end()) << "key " << key << " step " << step;
                if (v) {
                    ASSERT_EQ(*v, it->second) << "key " << key << " step " << step;
                }
            }
    }
    std::size_t visited = 0;
    table.for_each([&](std::uint32_t key, std::uint64_t v) {
        ++visited;
        EXPECT_EQ(expected.at(key), v);
    });
    EXPECT_EQ(visited, expected.size());
}

}  // namespace
}  // namespace fwbench
