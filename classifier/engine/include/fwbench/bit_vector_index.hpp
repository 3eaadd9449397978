#pragma once
// BitVectorIndex: which of a small chain's boxes (at most 1,024) hold a packet, as one vector of
// bits per packet — Lakshman and Stiliadis's bit-vector scheme, each field's values grouped into
// equivalence classes as in the first phase of Gupta and McKeown's RFC.
//
// What: each of the five fields (source, destination, ports, protocol) is cut into elementary
// intervals at every box's ends; intervals covered by the same set of boxes form one class, which
// keeps that set as 1,024 bits. A packet's matching boxes are the AND of its five classes' sets:
// exactly the boxes that hold it, bit r for box r, so the first set bit is the first matching
// rule and the following bits enumerate the rest in order.
//
// How: a value's class comes from tables: the protocol's from 256 entries, a port's from 65,536;
// an address's through up to three levels — its top 16 bits, then the next 8, then the last 8 —
// where an entry gives the class at once when no box ends inside its block, else the next
// level's block. Sixteen packets' classes are looked up together with AVX-512 gathers (a lane
// whose entry is already a class keeps it: no branch per packet), and each packet's five sets are
// ANDed in two 512-bit registers.
//
// Invariants: immutable after construction; lookups never allocate, throw or log.
//
// Costs: build O(fields x (boxes log boxes + intervals x 16 words + 2^16 table entries)); memory
// (memory_bytes): two 256 KiB address first levels, two 128 KiB port tables, 1 KiB per block of
// 2^16 or 2^8 addresses in which a box ends, 128 bytes per class; a lookup reads at most nine
// table entries and ten cache lines of sets.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fwbench/box_index.hpp"

namespace fwbench {

class BitVectorIndex {
public:
    static constexpr std::size_t max_rules = 1024;
    static constexpr std::size_t words = max_rules / 64;  // per set
    static constexpr std::size_t burst_lanes = 16;
    struct alignas(64) Set {
        std::uint64_t w[words];
    };

    // boxes.size() <= max_rules (std::invalid_argument otherwise); their extras are not looked at.
    explicit BitVectorIndex(const std::vector<RuleBox>& boxes);

    // The boxes holding k.
    void matches(const PacketKey& k, Set& out) const;
    // The same for n <= 16 keys at once (AVX-512; call only when the CPU has it: has_avx512()), and
    // each set's first box (`none`: empty).
    void matches16(const PacketKey* keys, std::size_t n, Set* out, std::uint32_t* first) const;
    static constexpr std::uint32_t none = 0xffffffffu;
    // Each key's first box alone (AVX-512), reading only the words where all five sets have boxes.
    void first16(const PacketKey* keys, std::size_t n, std::uint32_t* first) const;
    static bool has_avx512();

    std::size_t memory_bytes() const;
    std::size_t classes(int field) const { return fields_[field].sets.size(); }

private:
    // A table entry: a class — the leaf bit, its set's summary (bit w: word w is not zero) and
    // the class number — or, in an address table, the next level's block (its first entry / 256).
    static constexpr std::uint32_t leaf = 0x80000000u;
    static constexpr unsigned class_bits = 12;
    static constexpr std::uint32_t class_mask = (1u << class_bits) - 1;
    struct Field {
        std::vector<std::uint32_t> level1, level2, level3;  // addresses: 2^16, then blocks of 256
        std::vector<std::uint32_t> table;  // ports (2^16 entries) and protocol (256)
        std::vector<Set> sets;  // by class
    };
    static std::uint32_t entry(const Field& fd, std::uint32_t cls);
    std::uint32_t class_of(int field, std::uint32_t v) const;
    void entries16(const PacketKey* keys, std::size_t n, std::uint32_t (*entries)[burst_lanes]) const;

    Field fields_[5];  // source, destination, source port, destination port, protocol
};

}  // namespace fwbench
