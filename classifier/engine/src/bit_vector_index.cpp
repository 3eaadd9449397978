#include "fwbench/bit_vector_index.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace fwbench {

namespace {

constexpr int field_bits[5] = {32, 32, 16, 16, 8};

// A field's elementary intervals: starts[i] begins interval i (starts[0] = 0), each with the
// class of the boxes covering it.
struct Intervals {
    std::vector<std::uint64_t> starts;
    std::vector<std::uint32_t> cls;
    // The class of the interval holding v.
    std::uint32_t at(std::uint64_t v) const {
        return cls[static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), v) - starts.begin() - 1)];
    }
    // Whether some interval starts inside [lo + 1, hi]: the block [lo, hi] is not one class.
    bool split(std::uint64_t lo, std::uint64_t hi) const {
        auto it = std::upper_bound(starts.begin(), starts.end(), lo);
        return it != starts.end() && *it <= hi;
    }
};

// The field's intervals, each interval's class, and each class's set (`words` words, appended to
// `sets`).
Intervals sweep(const std::vector<RuleBox>& boxes, int f, std::size_t words, std::vector<std::uint64_t>& sets) {
    using L = BoxLayout<RuleBox>;
    const std::uint64_t end = std::uint64_t{1} << field_bits[f];
    std::map<std::uint64_t, std::vector<std::uint32_t>> adds, removes;
    for (std::uint32_t r = 0; r < boxes.size(); ++r) {
        adds[L::lo(boxes[r], f)].push_back(r);
        if (std::uint64_t{L::hi(boxes[r], f)} + 1 < end) removes[std::uint64_t{L::hi(boxes[r], f)} + 1].push_back(r);
    }
    std::vector<std::uint64_t> points{0};
    for (const auto& [v, _] : adds) points.push_back(v);
    for (const auto& [v, _] : removes) points.push_back(v);
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    Intervals iv;
    std::vector<std::uint64_t> current(words, 0);
    std::map<std::vector<std::uint64_t>, std::uint32_t> known;
    for (std::uint64_t p : points) {
        if (auto it = removes.find(p); it != removes.end())
            for (std::uint32_t r : it->second) current[r / 64] &= ~(std::uint64_t{1} << (r % 64));
        if (auto it = adds.find(p); it != adds.end())
            for (std::uint32_t r : it->second) current[r / 64] |= std::uint64_t{1} << (r % 64);
        auto [it, added] = known.emplace(current, static_cast<std::uint32_t>(sets.size() / words));
        if (added) sets.insert(sets.end(), current.begin(), current.end());
        iv.starts.push_back(p);
        iv.cls.push_back(it->second);
    }
    return iv;
}

}  // namespace

std::uint32_t BitVectorIndex::entry(const Field& fd, std::uint32_t cls) const {
    return leaf | (summary_in_entry_ ? static_cast<std::uint32_t>(fd.summaries[std::size_t{cls} * summary_words]) << class_bits : 0) | cls;
}

BitVectorIndex::BitVectorIndex(const std::vector<RuleBox>& boxes) {
    if (boxes.size() > max_rules) throw std::invalid_argument("BitVectorIndex: more than 16,000 boxes");
    words_ = std::max<std::size_t>(8, (boxes.size() + 511) / 512 * 8);
    summary_in_entry_ = words_ <= 16;
    for (int f = 0; f < 5; ++f) {
        Field& fd = fields_[f];
        const Intervals iv = sweep(boxes, f, words_, fd.sets);
        // At most 2 x 16,000 + 1 intervals, so classes fit their bits.
        const std::size_t classes = fd.sets.size() / words_;
        if (classes > (std::size_t{1} << class_bits)) throw std::logic_error("BitVectorIndex: too many classes");
        fd.summaries.assign(classes * summary_words, 0);
        for (std::size_t c = 0; c < classes; ++c)
            for (std::size_t w = 0; w < words_; ++w)
                if (fd.sets[c * words_ + w]) fd.summaries[c * summary_words + w / 64] |= std::uint64_t{1} << (w % 64);
        if (field_bits[f] < 32) {
            const std::size_t size = std::size_t{1} << field_bits[f];
            fd.table.assign(size, 0);
            for (std::size_t i = 0; i < iv.starts.size(); ++i) {
                const std::size_t stop = i + 1 < iv.starts.size() ? static_cast<std::size_t>(iv.starts[i + 1]) : size;
                std::fill(fd.table.begin() + static_cast<std::ptrdiff_t>(iv.starts[i]), fd.table.begin() + static_cast<std::ptrdiff_t>(stop),
                          entry(fd, iv.cls[i]));
            }
            continue;
        }
        fd.level1.resize(std::size_t{1} << 16);
        for (std::uint64_t top = 0; top < (std::uint64_t{1} << 16); ++top) {
            const std::uint64_t lo = top << 16;
            if (!iv.split(lo, lo + 0xffff)) {
                fd.level1[top] = entry(fd, iv.at(lo));
                continue;
            }
            fd.level1[top] = static_cast<std::uint32_t>(fd.level2.size() / 256);
            const std::size_t at2 = fd.level2.size();
            fd.level2.resize(at2 + 256);
            for (std::uint64_t mid = 0; mid < 256; ++mid) {
                const std::uint64_t lo2 = lo | mid << 8;
                if (!iv.split(lo2, lo2 + 0xff)) {
                    fd.level2[at2 + mid] = entry(fd, iv.at(lo2));
                    continue;
                }
                fd.level2[at2 + mid] = static_cast<std::uint32_t>(fd.level3.size() / 256);
                for (std::uint64_t low = 0; low < 256; ++low) fd.level3.push_back(entry(fd, iv.at(lo2 | low)));
            }
        }
    }
}

std::uint32_t BitVectorIndex::class_of(int f, std::uint32_t v) const {
    const Field& fd = fields_[f];
    if (field_bits[f] < 32) return fd.table[v] & class_mask;
    std::uint32_t e = fd.level1[v >> 16];
    if (!(e & leaf)) e = fd.level2[std::size_t{e} * 256 + (v >> 8 & 0xff)];
    if (!(e & leaf)) e = fd.level3[std::size_t{e} * 256 + (v & 0xff)];
    return e & class_mask;
}

void BitVectorIndex::classes_of(const PacketKey& k, std::uint32_t* cls) const {
    std::uint32_t v[5];
    BoxLayout<RuleBox>::values(k, v);
    for (int f = 0; f < 5; ++f) cls[f] = class_of(f, v[f]);
}

#if defined(__x86_64__)
// GCC 12's avx512fintrin.h leaves the unused source of unmasked shifts undefined on purpose, and
// then warns about it where the intrinsics are inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
namespace {

// Sixteen addresses' class entries through the three levels: a lane whose entry is already a class
// keeps it (the gather skips it), so every lane takes the same instructions.
__attribute__((target("avx512f"))) __m512i address_classes(const std::uint32_t* l1, const std::uint32_t* l2, const std::uint32_t* l3, __m512i v,
                                                           __mmask16 lanes) {
    const __m512i leaf = _mm512_set1_epi32(static_cast<int>(0x80000000u)), byte = _mm512_set1_epi32(0xff);
    __m512i e = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, _mm512_srli_epi32(v, 16), l1, 4);
    __mmask16 on = _mm512_mask_testn_epi32_mask(lanes, e, leaf);
    if (on) {
        const __m512i at = _mm512_add_epi32(_mm512_slli_epi32(e, 8), _mm512_and_si512(_mm512_srli_epi32(v, 8), byte));
        e = _mm512_mask_i32gather_epi32(e, on, at, l2, 4);
        on = _mm512_mask_testn_epi32_mask(on, e, leaf);
        if (on) e = _mm512_mask_i32gather_epi32(e, on, _mm512_add_epi32(_mm512_slli_epi32(e, 8), _mm512_and_si512(v, byte)), l3, 4);
    }
    return e;
}

}  // namespace

// The class entries of sixteen keys' five fields: entries[f][lane].
__attribute__((target("avx512f"))) void BitVectorIndex::entries16(const PacketKey* keys, std::size_t n, std::uint32_t (*entries)[burst_lanes]) const {
    alignas(64) std::uint32_t value[5][burst_lanes] = {};
    key_lanes<RuleBox>(keys, n, value);
    const __mmask16 lanes = static_cast<__mmask16>((1u << n) - 1);
    for (int f = 0; f < 2; ++f)
        _mm512_store_si512(entries[f], address_classes(fields_[f].level1.data(), fields_[f].level2.data(), fields_[f].level3.data(),
                                                       _mm512_load_si512(value[f]), lanes));
    for (int f = 2; f < 5; ++f)
        _mm512_store_si512(entries[f],
                           _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), lanes, _mm512_load_si512(value[f]), fields_[f].table.data(), 4));
}

__attribute__((target("avx512f"))) void BitVectorIndex::classes16(const PacketKey* keys, std::size_t n, std::uint32_t (*cls)[burst_lanes]) const {
    entries16(keys, n, cls);
    for (int f = 0; f < 5; ++f) _mm512_store_si512(cls[f], _mm512_and_si512(_mm512_load_si512(cls[f]), _mm512_set1_epi32(class_mask)));
}

// With at most 1,024 boxes each set's summary rides in its class entry: the summaries' AND names
// the words where all five sets have boxes. The first of those words is ANDed alone; when it comes
// to nothing (its summary bits were set by different boxes), the eight words around it (one
// 512-bit register of each set), then the next eight, and the first set bit is taken out of the
// register (compress), never stored. More boxes: first_from, lane by lane.
__attribute__((target("avx512f"))) void BitVectorIndex::first16(const PacketKey* keys, std::size_t n, std::uint32_t* first) const {
    alignas(64) std::uint32_t e[5][burst_lanes], both[burst_lanes];
    entries16(keys, n, e);
    if (!summary_in_entry_) {  // the summaries apart: candidate words eight at a time
        for (std::size_t j = 0; j < n; ++j) {
            first[j] = none;
            const std::uint64_t *set[5], *summary[5];
            for (int f = 0; f < 5; ++f) {
                set[f] = fields_[f].sets.data() + std::size_t{e[f][j] & class_mask} * words_;
                summary[f] = fields_[f].summaries.data() + std::size_t{e[f][j] & class_mask} * summary_words;
            }
            bool first_word = true;  // the first candidate word alone usually decides
            for (std::size_t q = 0; q < summary_words && first[j] == none; ++q) {
                for (std::uint64_t candidates = summary[0][q] & summary[1][q] & summary[2][q] & summary[3][q] & summary[4][q]; candidates;) {
                    if (first_word) {
                        first_word = false;
                        const std::size_t w = q * 64 + static_cast<std::size_t>(__builtin_ctzll(candidates));
                        const std::uint64_t x = set[0][w] & set[1][w] & set[2][w] & set[3][w] & set[4][w];
                        if (x) {
                            first[j] = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(x)));
                            break;
                        }
                    }
                    const std::size_t block = q * 64 + (static_cast<std::size_t>(__builtin_ctzll(candidates)) & ~std::size_t{7});
                    __m512i m = _mm512_loadu_si512(set[0] + block);
                    for (int f = 1; f < 5; ++f) m = _mm512_and_si512(m, _mm512_loadu_si512(set[f] + block));
                    const __mmask8 nonzero = _mm512_test_epi64_mask(m, m);
                    if (nonzero) {
                        const auto x = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm512_castsi512_si128(_mm512_maskz_compress_epi64(nonzero, m))));
                        first[j] = static_cast<std::uint32_t>((block + static_cast<std::size_t>(__builtin_ctz(nonzero))) * 64 +
                                                              static_cast<std::size_t>(__builtin_ctzll(x)));
                        break;
                    }
                    candidates &= ~(std::uint64_t{0xff} << (block % 64));
                }
            }
        }
        return;
    }
    __m512i summary = _mm512_load_si512(e[0]);
    for (int f = 1; f < 5; ++f) summary = _mm512_and_si512(summary, _mm512_load_si512(e[f]));
    _mm512_store_si512(both, _mm512_srli_epi32(summary, class_bits));
    for (std::size_t j = 0; j < n; ++j) {
        first[j] = none;
        const std::uint64_t* s[5];
        for (int f = 0; f < 5; ++f) s[f] = fields_[f].sets.data() + std::size_t{e[f][j] & class_mask} * words_;
        unsigned candidates = both[j] & 0xffffu;
        if (candidates) {  // the first candidate word alone usually decides
            const unsigned w = static_cast<unsigned>(__builtin_ctz(candidates));
            const std::uint64_t x = s[0][w] & s[1][w] & s[2][w] & s[3][w] & s[4][w];
            if (x) {
                first[j] = w * 64 + static_cast<std::uint32_t>(__builtin_ctzll(x));
                continue;
            }
        }
        while (candidates) {
            const unsigned half = static_cast<unsigned>(__builtin_ctz(candidates)) & ~7u;
            __m512i m = _mm512_loadu_si512(s[0] + half);
            for (int f = 1; f < 5; ++f) m = _mm512_and_si512(m, _mm512_loadu_si512(s[f] + half));
            const __mmask8 nonzero = _mm512_test_epi64_mask(m, m);
            if (nonzero) {
                const auto x = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm512_castsi512_si128(_mm512_maskz_compress_epi64(nonzero, m))));
                first[j] = (half + static_cast<unsigned>(__builtin_ctz(nonzero))) * 64 + static_cast<std::uint32_t>(__builtin_ctzll(x));
                break;
            }
            candidates &= ~(0xffu << half);
        }
    }
}
#pragma GCC diagnostic pop
#else
void BitVectorIndex::classes16(const PacketKey* keys, std::size_t n, std::uint32_t (*cls)[burst_lanes]) const {
    for (std::size_t j = 0; j < n; ++j) {
        std::uint32_t c[5];
        classes_of(keys[j], c);
        for (int f = 0; f < 5; ++f) cls[f][j] = c[f];
    }
}

void BitVectorIndex::first16(const PacketKey* keys, std::size_t n, std::uint32_t* first) const {
    for (std::size_t j = 0; j < n; ++j) {
        std::uint32_t c[5];
        classes_of(keys[j], c);
        first[j] = first_from(c, 0, [](std::uint32_t) { return true; });
    }
}
#endif

std::size_t BitVectorIndex::memory_bytes() const {
    std::size_t total = 0;
    for (const Field& fd : fields_)
        total += (fd.level1.capacity() + fd.level2.capacity() + fd.level3.capacity()) * sizeof(std::uint32_t) +
                 fd.table.capacity() * sizeof(std::uint32_t) + (fd.sets.capacity() + fd.summaries.capacity()) * sizeof(std::uint64_t);
    return total;
}

}  // namespace fwbench
