// BoxIndex against brute force: every rule whose box contains the key, in order, nothing else.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "fwbench/box_index.hpp"
#include "fwbench/classbench.hpp"
#include "must_run.hpp"

namespace fwbench {
namespace {

std::vector<std::uint32_t> brute_force(const std::vector<RuleBox>& boxes, const PacketKey& k) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t r = 0; r < boxes.size(); ++r)
        if (boxes[r].contains(k)) out.push_back(r);
    return out;
}

std::vector<std::uint32_t> enumerate(const BoxIndex& ix, const PacketKey& k) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t r = ix.next(k, 0); r != BoxIndex::none; r = ix.next(k, r + 1)) out.push_back(r);
    return out;
}

std::uint32_t prefix_lo(std::uint32_t a, int len) { return len == 0 ? 0 : a & ~((len == 32 ? 0u : 0xffffffffu >> len)); }
std::uint32_t prefix_hi(std::uint32_t a, int len) { return prefix_lo(a, len) | (len == 32 ? 0u : 0xffffffffu >> len); }

// Rules in the shapes real sets have: prefixes of every length (wildcards often), port ranges,
// exact ports, protocols or any; addresses drawn from few subnets so that rules overlap.
RuleBox random_box(std::mt19937_64& rng) {
    auto pick = [&](std::uint64_t n) { return static_cast<std::uint32_t>(rng() % n); };
    static const std::uint32_t nets[] = {0xc0000200u, 0xc6336400u, 0xcb007100u, 0x0a000000u};
    RuleBox b;
    auto addr = [&](std::uint32_t& lo, std::uint32_t& hi) {
        int len = pick(4) == 0 ? 0 : static_cast<int>(pick(33));
        std::uint32_t a = nets[pick(4)] | pick(256);
        lo = prefix_lo(a, len);
        hi = prefix_hi(a, len);
    };
    addr(b.src_lo, b.src_hi);
    addr(b.dst_lo, b.dst_hi);
    auto port = [&](std::uint16_t& lo, std::uint16_t& hi) {
        switch (pick(4)) {
            case 0: lo = 0, hi = 65535; break;
            case 1: lo = hi = static_cast<std::uint16_t>(pick(1024)); break;
            case 2: lo = 1024, hi = 65535; break;
            default: lo = static_cast<std::uint16_t>(pick(2000)), hi = static_cast<std::uint16_t>(lo + pick(3000)); break;
        }
    };
    port(b.sport_lo, b.sport_hi);
    port(b.dport_lo, b.dport_hi);
    if (pick(3)) b.proto_lo = b.proto_hi = pick(2) ? 6 : 17;
    return b;
}

PacketKey key_in(const RuleBox& b, std::mt19937_64& rng) {
    auto in = [&](std::uint64_t lo, std::uint64_t hi) { return lo + rng() % (hi - lo + 1); };
    PacketKey k;
    k.src = static_cast<std::uint32_t>(in(b.src_lo, b.src_hi));
    k.dst = static_cast<std::uint32_t>(in(b.dst_lo, b.dst_hi));
    k.sport = static_cast<std::uint16_t>(in(b.sport_lo, b.sport_hi));
    k.dport = static_cast<std::uint16_t>(in(b.dport_lo, b.dport_hi));
    k.proto = static_cast<std::uint8_t>(in(b.proto_lo, b.proto_hi));
    return k;
}

// IPv6 boxes: prefixes of every length over a few /48s, as four word ranges.
RuleBox6 random_box6(std::mt19937_64& rng) {
    auto pick = [&](std::uint64_t n) { return static_cast<std::uint32_t>(rng() % n); };
    static const std::uint32_t nets[][2] = {{0x20010db8u, 0x00010000u}, {0x20010db8u, 0x00020000u}, {0x20010db8u, 0xbeef0000u}, {0xfd000000u, 0}};
    RuleBox6 b;
    auto addr = [&](std::uint32_t* lo, std::uint32_t* hi) {
        const int len = pick(4) == 0 ? 0 : static_cast<int>(pick(129));
        const auto& net = nets[pick(4)];
        const std::uint32_t a[4] = {net[0], net[1] | pick(4), pick(3), pick(3) == 0 ? pick(256) : static_cast<std::uint32_t>(rng())};
        for (int w = 0; w < 4; ++w) {
            const int bits = std::clamp(len - 32 * w, 0, 32);  // of this word, inside the prefix
            lo[w] = prefix_lo(a[w], bits);
            hi[w] = prefix_hi(a[w], bits);
        }
    };
    addr(b.src_lo, b.src_hi);
    addr(b.dst_lo, b.dst_hi);
    const RuleBox ports = random_box(rng);
    b.sport_lo = ports.sport_lo, b.sport_hi = ports.sport_hi, b.dport_lo = ports.dport_lo, b.dport_hi = ports.dport_hi;
    b.proto_lo = ports.proto_lo, b.proto_hi = ports.proto_hi;
    return b;
}

PacketKey6 key_in6(const RuleBox6& b, std::mt19937_64& rng) {
    auto in = [&](std::uint64_t lo, std::uint64_t hi) { return lo + rng() % (hi - lo + 1); };
    PacketKey6 k;
    for (int w = 0; w < 4; ++w) {
        k.src[w] = static_cast<std::uint32_t>(in(b.src_lo[w], b.src_hi[w]));
        k.dst[w] = static_cast<std::uint32_t>(in(b.dst_lo[w], b.dst_hi[w]));
    }
    k.sport = static_cast<std::uint16_t>(in(b.sport_lo, b.sport_hi));
    k.dport = static_cast<std::uint16_t>(in(b.dport_lo, b.dport_hi));
    k.proto = static_cast<std::uint8_t>(in(b.proto_lo, b.proto_hi));
    return k;
}

TEST(BoxIndex6, EnumeratesExactlyTheMatchingRulesInOrder) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        std::mt19937_64 rng(seed);
        std::vector<RuleBox6> boxes;
        for (int i = 0; i < 1500; ++i) boxes.push_back(random_box6(rng));
        BoxIndex6 ix(boxes);
        std::vector<PacketKey6> keys;
        for (int i = 0; i < 400; ++i) keys.push_back(key_in6(i % 2 ? boxes[rng() % boxes.size()] : RuleBox6{}, rng));
        std::vector<std::uint32_t> burst(keys.size());
        ix.first_burst(keys.data(), keys.size(), burst.data());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            const PacketKey6& k = keys[i];
            std::vector<std::uint32_t> want;
            for (std::uint32_t r = 0; r < boxes.size(); ++r)
                if (boxes[r].contains(k)) want.push_back(r);
            std::vector<std::uint32_t> got;
            for (std::uint32_t r = ix.next(k, 0); r != BoxIndex6::none; r = ix.next(k, r + 1)) got.push_back(r);
            ASSERT_EQ(got, want) << "seed " << seed << " key " << i;
            ASSERT_EQ(burst[i], want.empty() ? BoxIndex6::none : want.front()) << "seed " << seed << " key " << i;
        }
        EXPECT_GT(ix.stats().nodes, 0u) << "the index cut the boxes";
    }
}

// Whether this CPU runs the vector leaf checks (the index must use them where it can).
bool cpu_has_avx2() {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

bool cpu_has_avx512() {
#if defined(__x86_64__)
    return __builtin_cpu_supports("avx512f");
#else
    return false;
#endif
}

// Every way the index can look a key up, each against brute force: chains of at most 1,024
// rules by bit vectors (AVX-512), the trees with leaves checked eight boxes at a time (AVX2; bursts
// descending sixteen at once with AVX-512), and the trees lane by lane.
enum class Lookup { bit_vectors, avx_trees, lane_by_lane };
class BoxIndexLeaves : public ::testing::TestWithParam<Lookup> {
protected:
    BoxIndexOptions options() const {
        BoxIndexOptions opt;
        opt.bit_vectors = GetParam() == Lookup::bit_vectors;
        opt.simd = GetParam() != Lookup::lane_by_lane;
        return opt;
    }
    // The index really looks up as the parameter says (on a CPU that has the instructions; past
    // 1,024 rules the bit vectors' memory bound may send a chain to the trees).
    void expect_lookup(const BoxIndex& ix, std::size_t rules) const {
        if (GetParam() != Lookup::bit_vectors || rules <= 1024) {
            EXPECT_EQ(ix.bit_vectors(), GetParam() == Lookup::bit_vectors && cpu_has_avx512() && rules > 0);
        }
        EXPECT_EQ(ix.simd(), GetParam() != Lookup::lane_by_lane && cpu_has_avx2());
    }
};
INSTANTIATE_TEST_SUITE_P(Simd, BoxIndexLeaves, ::testing::Values(Lookup::bit_vectors, Lookup::avx_trees, Lookup::lane_by_lane), [](const auto& p) {
    return p.param == Lookup::bit_vectors ? "BitVectors" : p.param == Lookup::avx_trees ? "Avx2" : "LaneByLane";
});

TEST_P(BoxIndexLeaves, EnumeratesExactlyTheMatchingRulesInOrder) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        std::mt19937_64 rng(seed);
        std::size_t n = seed <= 4 ? seed * 3 : 200 * seed;
        if (GetParam() == Lookup::bit_vectors && seed % 2) n = std::min<std::size_t>(n, seed == 11 ? 1024 : 80 * seed);  // summaries in the entries
        std::vector<RuleBox> boxes;
        for (std::size_t i = 0; i < n; ++i) boxes.push_back(random_box(rng));
        BoxIndexOptions opt = options();
        opt.leaf_size = 1 + static_cast<unsigned>(seed % 9) + (seed % 3 == 0 ? 12 : 0);  // some leaves over two blocks
        BoxIndex ix(boxes, opt);
        expect_lookup(ix, n);
        if (GetParam() == Lookup::bit_vectors && cpu_has_avx512()) {
            ASSERT_TRUE(ix.bit_vectors()) << n << " rules: their memory is small";
        }
        for (int i = 0; i < 2000; ++i) {
            PacketKey k = i % 2 ? key_in(boxes[rng() % boxes.size()], rng) : key_in(RuleBox{}, rng);
            auto want = brute_force(boxes, k);
            ASSERT_EQ(enumerate(ix, k), want) << "seed " << seed << " key " << i;
            std::uint32_t from = static_cast<std::uint32_t>(rng() % (n + 1));
            auto it = std::lower_bound(want.begin(), want.end(), from);
            ASSERT_EQ(ix.next(k, from), it == want.end() ? BoxIndex::none : *it) << "seed " << seed << " from " << from;
        }
    }
}

// The burst lookup gives every key's first matching rule, at every burst size.
TEST_P(BoxIndexLeaves, BurstsFindEveryKeysFirstMatch) {
    for (const std::size_t rules : {300, 1000, 3000}) {  // bit vectors: summaries in the entries, then apart
        std::mt19937_64 rng(99 + rules);
        std::vector<RuleBox> boxes;
        for (std::size_t i = 0; i < rules; ++i) boxes.push_back(random_box(rng));
        BoxIndex ix(boxes, options());
        expect_lookup(ix, boxes.size());
        std::vector<PacketKey> keys;
        for (int i = 0; i < 200; ++i) keys.push_back(i % 3 ? key_in(boxes[rng() % boxes.size()], rng) : key_in(RuleBox{}, rng));
        for (std::size_t n = 0; n <= 70; ++n) {
            std::vector<std::uint32_t> out(n + 1, 12345);
            ix.first_burst(keys.data() + n, n, out.data());
            for (std::size_t i = 0; i < n; ++i) {
                const auto want = brute_force(boxes, keys[n + i]);
                ASSERT_EQ(out[i], want.empty() ? BoxIndex::none : want.front()) << rules << " rules, burst " << n << " packet " << i;
            }
            EXPECT_EQ(out[n], 12345u) << "wrote past the burst";
        }
    }
}

// Rules that cross each other (wide in the source or in the destination, never small in either)
// replicate under every cut: the budget stops the cutting, the answers stay exact.
TEST(BoxIndex, CrossingRulesStayWithinTheMemoryBudget) {
    std::mt19937_64 rng(11);
    std::vector<RuleBox> boxes;
    for (int i = 0; i < 20000; ++i) {
        RuleBox b;
        int len = 4 + static_cast<int>(rng() % 12);
        std::uint32_t a = static_cast<std::uint32_t>(rng());
        (i % 2 ? b.src_lo : b.dst_lo) = prefix_lo(a, len);
        (i % 2 ? b.src_hi : b.dst_hi) = prefix_hi(a, len);
        b.dport_lo = b.dport_hi = static_cast<std::uint16_t>(rng() % 4);
        boxes.push_back(b);
    }
    BoxIndexOptions opt;
    opt.max_replication = 2;
    opt.budget_floor = 0;
    BoxIndex ix(boxes, opt);
    const std::size_t budget = boxes.size() * opt.max_replication;
    // The last cut before the budget may add one node's children and their leaves.
    EXPECT_LE(ix.stats().leaf_entries + ix.stats().nodes, budget + boxes.size() * 4) << "cutting went on past the budget";
    EXPECT_GT(ix.stats().largest_leaf, opt.leaf_size) << "the budget never stopped a cut: the test tests nothing";
    for (int i = 0; i < 300; ++i) {
        PacketKey k = key_in(boxes[rng() % boxes.size()], rng);
        auto want = brute_force(boxes, k);
        ASSERT_EQ(ix.next(k, 0), want.empty() ? BoxIndex::none : want.front());
    }
}

TEST(BoxIndex, EmptyAndIdenticalRules) {
    BoxIndex empty(std::vector<RuleBox>{});
    EXPECT_EQ(empty.next(PacketKey{}, 0), BoxIndex::none);
    // 100 identical wildcard rules: nothing separates them, one leaf holds them all.
    std::vector<RuleBox> same(100);
    BoxIndex ix(same);
    PacketKey k{1, 2, 3, 4, 5};
    EXPECT_EQ(ix.next(k, 0), 0u);
    EXPECT_EQ(ix.next(k, 57), 57u);
    EXPECT_EQ(ix.next(k, 100), BoxIndex::none);
}

// The ClassBench sets under ../shared/data (when present): keys drawn inside rules and at random.
TEST_P(BoxIndexLeaves, ClassBenchSets) {
    namespace fs = std::filesystem;
    const char* env = std::getenv("FWBENCH_SHARED_DATA");
    fs::path dir = fs::path(env ? env : "../shared/data") / "classbench";
    if (!fs::is_directory(dir)) FWBENCH_CANNOT_RUN(dir << " is not present");
    int sets = 0;
    for (const char* name : {"acl1_1k", "fw1_1k", "ipc1_1k", "acl1_10k", "fw1_10k", "ipc1_10k"}) {
        if (!fs::exists(dir / name)) continue;
        auto rules = read_classbench_rules((dir / name).string());
        std::vector<RuleBox> boxes;
        for (const auto& r : rules) boxes.push_back(classbench_box(r));
        BoxIndex ix(boxes, options());
        expect_lookup(ix, boxes.size());
        std::mt19937_64 rng(7);
        for (int i = 0; i < 3000; ++i) {
            PacketKey k = i % 4 ? key_in(boxes[rng() % boxes.size()], rng) : key_in(RuleBox{}, rng);
            auto want = brute_force(boxes, k);
            ASSERT_EQ(ix.next(k, 0), want.empty() ? BoxIndex::none : want.front()) << name << " key " << i;
            if (i % 10 == 0) {
                ASSERT_EQ(enumerate(ix, k), want) << name << " key " << i;
            }
        }
        ++sets;
    }
    EXPECT_GT(sets, 0);
}

}  // namespace
}  // namespace fwbench
