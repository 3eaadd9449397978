#pragma once
// BitVectorIndex: which of a chain's boxes (at most 16,000) hold a packet, as one vector of bits
// per packet — Lakshman and Stiliadis's bit-vector scheme, each field's values grouped into
// equivalence classes as in the first phase of Gupta and McKeown's RFC.
//
// What: each of the five fields (source, destination, ports, protocol) is cut into elementary
// intervals at every box's ends; intervals covered by the same set of boxes form one class, which
// keeps that set as bits (bit r: box r). A packet's matching boxes are the AND of its five
// classes' sets: exactly the boxes that hold it, so the first set bit is the first matching rule
// and the following bits enumerate the rest in order.
//
// How: a value's class comes from tables: the protocol's from 256 entries, a port's from 65,536;
// an address's through up to three levels — its top 16 bits, then the next 8, then the last 8 —
// where an entry gives the class at once when no box ends inside its block, else the next
// level's block. Sixteen packets' classes are looked up together with AVX-512 gathers (a lane
// whose entry is already a class keeps it: no branch per packet). Each set has a summary, a bit
// per 64-bit word that is not zero (an aggregated bit vector): the AND of the five summaries
// names the words that can hold a match, and only those words of the sets are read, in order.
// For at most 1,024 boxes the summary (16 bits) rides in the class's table entry itself.
//
// Invariants: immutable after construction; lookups never allocate, throw or log.
//
// Costs: build O(fields x (boxes log boxes + intervals x words)); memory (memory_bytes): two
// 256 KiB address first levels, two 256 KiB port tables, 1 KiB per block of 2^16 or 2^8 addresses
// in which a box ends, and per class its set (boxes / 8 bytes, in whole cache lines) and summary
// (32 bytes); a lookup reads at most nine table entries, five summaries and, per candidate word,
// five words.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fwbench/box_index.hpp"

namespace fwbench {

class BitVectorIndex {
public:
    static constexpr std::size_t max_rules = 16000;  // 2 x 16,000 + 1 classes fit class_bits
    static constexpr std::size_t burst_lanes = 16;
    static constexpr std::uint32_t none = 0xffffffffu;

    // boxes.size() <= max_rules (std::invalid_argument otherwise); their extras are not looked at.
    explicit BitVectorIndex(const std::vector<RuleBox>& boxes);

    // The class of each of k's five fields.
    void classes_of(const PacketKey& k, std::uint32_t* cls) const;
    // The same for n <= 16 keys at once, cls[field][lane] (AVX-512 when the CPU has it: the caller checks).
    void classes16(const PacketKey* keys, std::size_t n, std::uint32_t (*cls)[burst_lanes]) const;

    // The first box >= from in all five classes' sets that `accept(box)` takes, or `none`.
    template <class Accept>
    std::uint32_t first_from(const std::uint32_t* cls, std::uint32_t from, Accept&& accept) const {
        const std::uint64_t *set[5], *summary[5];
        for (int f = 0; f < 5; ++f) {
            set[f] = fields_[f].sets.data() + std::size_t{cls[f]} * words_;
            summary[f] = fields_[f].summaries.data() + std::size_t{cls[f]} * summary_words;
        }
        for (std::size_t q = from / 4096; q < summary_words; ++q) {
            std::uint64_t candidates = summary[0][q] & summary[1][q] & summary[2][q] & summary[3][q] & summary[4][q];
            if (q == from / 4096) candidates &= ~std::uint64_t{0} << (from / 64 % 64);
            for (; candidates; candidates &= candidates - 1) {
                const std::size_t w = q * 64 + static_cast<std::size_t>(__builtin_ctzll(candidates));
                std::uint64_t x = set[0][w] & set[1][w] & set[2][w] & set[3][w] & set[4][w];
                if (w == from / 64) x &= ~std::uint64_t{0} << (from % 64);
                for (; x; x &= x - 1) {
                    const auto box = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(x)));
                    if (accept(box)) return box;
                }
            }
        }
        return none;
    }
    // Each key's first box (n <= 16; AVX-512 when the CPU has it: the caller checks).
    void first16(const PacketKey* keys, std::size_t n, std::uint32_t* first) const;

    std::size_t memory_bytes() const;

private:
    static constexpr std::size_t summary_words = 4;  // 256 bits: one per word of up to 16,384 boxes (256 words)
    // A table entry: a class — the leaf bit, for at most 1,024 boxes its summary (16 bits), and
    // the class number — or, in an address table, the next level's block (its first entry / 256).
    static constexpr std::uint32_t leaf = 0x80000000u;
    static constexpr unsigned class_bits = 15;
    static constexpr std::uint32_t class_mask = (1u << class_bits) - 1;
    struct Field {
        std::vector<std::uint32_t> level1, level2, level3;  // addresses: 2^16, then blocks of 256
        std::vector<std::uint32_t> table;  // ports (2^16 entries) and protocol (256)
        std::vector<std::uint64_t> sets;  // class c's set: words [c * words_, (c + 1) * words_)
        std::vector<std::uint64_t> summaries;  // class c's: [c * summary_words, ...)
    };
    std::uint32_t entry(const Field& fd, std::uint32_t cls) const;
    std::uint32_t class_of(int field, std::uint32_t v) const;
    void entries16(const PacketKey* keys, std::size_t n, std::uint32_t (*entries)[burst_lanes]) const;

    std::size_t words_ = 0;  // per set: the boxes / 64, rounded up to whole cache lines
    bool summary_in_entry_ = false;  // at most 16 words
    Field fields_[5];  // source, destination, source port, destination port, protocol
};

}  // namespace fwbench
