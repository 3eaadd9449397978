#include "fwbench/box_index.hpp"

#include "fwbench/bit_vector_index.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace fwbench {

namespace {

// A node's region: per field, an aligned block [lo, lo + 2^bits - 1].
template <class Box>
struct Region {
    static constexpr int n = BoxLayout<Box>::fields;
    std::array<std::uint64_t, n> lo{};
    std::array<std::uint8_t, n> bits{};
    Region() {
        for (int f = 0; f < n; ++f) bits[static_cast<std::size_t>(f)] = BoxLayout<Box>::bits[f];
    }
};

// A box into lane i of a block.
void put_lane(LeafBlock& b, unsigned i, const RuleBox& box, std::uint32_t rule) {
    b.src_lo[i] = box.src_lo, b.src_span[i] = box.src_hi - box.src_lo;
    b.dst_lo[i] = box.dst_lo, b.dst_span[i] = box.dst_hi - box.dst_lo;
    b.ports_lo[i] = std::uint32_t{box.sport_lo} << 16 | box.dport_lo;
    b.ports_span[i] = std::uint32_t(box.sport_hi - box.sport_lo) << 16 | std::uint32_t(box.dport_hi - box.dport_lo);
    b.proto_lo[i] = box.proto_lo, b.proto_span[i] = std::uint32_t(box.proto_hi - box.proto_lo);
    b.rule[i] = rule;
    b.extra[i] = box.extra;
    b.valid |= static_cast<std::uint8_t>(1u << i);
}

// Lane by lane: every comparison made, no branch per lane.
unsigned lanes_scalar(const LeafBlock& b, const PacketKey& k, std::uint32_t from, std::uint32_t best) {
    unsigned m = 0;
    for (unsigned i = 0; i < LeafBlock::lanes; ++i) {
        const bool in = (k.src - b.src_lo[i] <= b.src_span[i]) & (k.dst - b.dst_lo[i] <= b.dst_span[i]) &
                        (static_cast<std::uint16_t>(k.sport - (b.ports_lo[i] >> 16)) <= (b.ports_span[i] >> 16)) &
                        (static_cast<std::uint16_t>(k.dport - (b.ports_lo[i] & 0xffff)) <= (b.ports_span[i] & 0xffff)) &
                        (k.proto - b.proto_lo[i] <= b.proto_span[i]) & (b.rule[i] >= from) & (b.rule[i] < best);
        m |= static_cast<unsigned>(in) << i;
    }
    return m & b.valid;
}

#if defined(__x86_64__)
// v - lo <= span, unsigned, in each 32-bit lane: all ones where it holds.
__attribute__((target("avx2"))) inline __m256i within32(const std::uint32_t* lo, const std::uint32_t* span, __m256i v) {
    const __m256i d = _mm256_sub_epi32(v, _mm256_load_si256(reinterpret_cast<const __m256i*>(lo)));
    const __m256i sp = _mm256_load_si256(reinterpret_cast<const __m256i*>(span));
    return _mm256_cmpeq_epi32(_mm256_max_epu32(d, sp), sp);
}

__attribute__((target("avx2"))) unsigned lanes_avx2(const LeafBlock& b, const PacketKey& k, std::uint32_t from, std::uint32_t best) {
    __m256i in = _mm256_and_si256(within32(b.src_lo, b.src_span, _mm256_set1_epi32(static_cast<int>(k.src))),
                                  within32(b.dst_lo, b.dst_span, _mm256_set1_epi32(static_cast<int>(k.dst))));
    in = _mm256_and_si256(in, within32(b.proto_lo, b.proto_span, _mm256_set1_epi32(k.proto)));
    // Both ports at once, each 16-bit half on its own; a lane holds when both halves do.
    const __m256i pd = _mm256_sub_epi16(_mm256_set1_epi32(static_cast<int>(std::uint32_t{k.sport} << 16 | k.dport)),
                                        _mm256_load_si256(reinterpret_cast<const __m256i*>(b.ports_lo)));
    const __m256i psp = _mm256_load_si256(reinterpret_cast<const __m256i*>(b.ports_span));
    const __m256i ports = _mm256_cmpeq_epi16(_mm256_max_epu16(pd, psp), psp);
    in = _mm256_and_si256(in, _mm256_cmpeq_epi32(ports, _mm256_set1_epi32(-1)));
    // from <= rule <= best - 1 (best > 0: a leaf is scanned only for a rule before best).
    const __m256i rule = _mm256_load_si256(reinterpret_cast<const __m256i*>(b.rule));
    in = _mm256_and_si256(in, _mm256_cmpeq_epi32(_mm256_max_epu32(rule, _mm256_set1_epi32(static_cast<int>(from))), rule));
    in = _mm256_and_si256(in, _mm256_cmpeq_epi32(_mm256_min_epu32(rule, _mm256_set1_epi32(static_cast<int>(best - 1))), rule));
    return static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(in))) & b.valid;
}

constexpr std::size_t descent_lanes = 16;

// Sixteen packets, each in a lane of AVX-512 registers, descend one tree together: per level,
// two words of their nodes are gathered (the first holds field, shift, bits and leaf; then base:
// BasicBoxIndex::Node), each lane's key field picked by its node's field (field f of lane j at
// field[f * 16 + j]: five registers, blended), and the children computed in every lane at once.
// A lane stops at a leaf (whose first rule the caller compares with what it found: a subtree's
// first rule is not gathered on the way down); the step repeats while any lane moves. No
// packet's path is a branch: where descents one by one mispredict at each one's last level, the
// group pays one exit per tree. Writes each lane's node to at[]; returns the lanes (of the first
// m) that took part, those whose best comes after first_rule.
// GCC 12's avx512fintrin.h leaves the unused source of unmasked shifts undefined on purpose, and
// then warns about it where the intrinsics are inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"))) unsigned descend16(const std::int32_t* words, std::uint32_t root, std::uint32_t first_rule,
                                                      const std::uint32_t* field, const std::uint32_t* best, unsigned m, std::uint32_t* at) {
    const __m512i zero = _mm512_setzero_si512(), byte = _mm512_set1_epi32(0xff), one = _mm512_set1_epi32(1);
    __m512i value_of[5];  // each lane's key, field by field
    for (int f = 0; f < 5; ++f) value_of[f] = _mm512_load_si512(field + 16 * f);
    const __mmask16 lanes = static_cast<__mmask16>((1u << m) - 1);
    const __mmask16 active = _mm512_mask_cmplt_epu32_mask(lanes, _mm512_set1_epi32(static_cast<int>(first_rule)), _mm512_load_si512(best));
    __m512i node = _mm512_set1_epi32(static_cast<int>(root));
    for (__mmask16 moving = active; moving;) {
        const __m512i word = _mm512_slli_epi32(node, 2);
        const __m512i head = _mm512_mask_i32gather_epi32(zero, moving, word, words, 4);
        moving = _mm512_mask_cmpeq_epi32_mask(moving, _mm512_srli_epi32(head, 24), zero);  // inner nodes
        if (!moving) break;
        const __m512i base = _mm512_mask_i32gather_epi32(zero, moving, _mm512_add_epi32(word, one), words, 4);
        const __m512i f = _mm512_and_si512(head, byte);
        const __m512i shift = _mm512_and_si512(_mm512_srli_epi32(head, 8), byte);
        const __m512i bits = _mm512_and_si512(_mm512_srli_epi32(head, 16), byte);
        __m512i value = value_of[0];  // the node's field of each lane's key, picked without a gather
        for (int i = 1; i < 5; ++i) value = _mm512_mask_mov_epi32(value, _mm512_cmpeq_epi32_mask(f, _mm512_set1_epi32(i)), value_of[i]);
        const __m512i width = _mm512_sub_epi32(_mm512_sllv_epi32(one, bits), one);
        node = _mm512_mask_mov_epi32(node, moving, _mm512_add_epi32(base, _mm512_and_si512(_mm512_srlv_epi32(value, shift), width)));
    }
    _mm512_store_si512(at, node);
    return active;
}
#pragma GCC diagnostic pop
#endif

}  // namespace

template <class Box>
class BasicBoxIndex<Box>::Builder {
public:
    using L = BoxLayout<Box>;
    static std::uint32_t box_lo(const Box& b, int f) { return L::lo(b, f); }
    static std::uint32_t box_hi(const Box& b, int f) { return L::hi(b, f); }
    Builder(BasicBoxIndex& ix, const std::vector<Box>& boxes, const BoxIndexOptions& opt)
        : ix_(ix), boxes_(boxes), opt_(opt), entry_budget_(std::max<std::size_t>(opt.budget_floor, boxes.size() * opt.max_replication)) {}

    Node build(const std::vector<std::uint32_t>& rules, const Region<Box>& reg, std::size_t depth) {
        ix_.stats_.max_depth = std::max(ix_.stats_.max_depth, depth);
        if (rules.size() <= opt_.leaf_size) return leaf(rules);
        // Past the memory budget, no more cuts: what is left becomes (larger) leaves.
        if (ix_.entries_.size() + ix_.blocks_.size() * LeafBlock::lanes + ix_.nodes_.size() > entry_budget_) return leaf(rules);
        Cut cut = choose_cut(rules, reg);
        if (cut.largest_child >= rules.size()) return leaf(rules);  // nothing separates them

        const std::uint32_t children = 1u << cut.bits;
        const std::uint32_t base = static_cast<std::uint32_t>(ix_.nodes_.size());
        ix_.nodes_.resize(ix_.nodes_.size() + children);
        const int f = cut.field;
        const std::uint8_t shift = static_cast<std::uint8_t>(cut.width - cut.bits);
        const std::uint64_t lo = cut.lo;
        const std::uint64_t hi = lo + (std::uint64_t{1} << cut.width) - 1;

        // Distribute the rules to the children they intersect (ids stay sorted).
        std::vector<std::vector<std::uint32_t>> lists(children);
        for (std::uint32_t r : rules) {
            const Box& b = boxes_[r];
            std::uint64_t a = std::max<std::uint64_t>(box_lo(b, f), lo) - lo, z = std::min<std::uint64_t>(box_hi(b, f), hi) - lo;
            for (std::uint64_t c = a >> shift; c <= z >> shift; ++c) lists[c].push_back(r);
        }
        Region<Box> sub = reg;
        sub.bits[static_cast<std::size_t>(f)] = shift;
        Node previous;
        bool previous_whole = false;
        for (std::uint32_t c = 0; c < children; ++c) {
            const std::uint64_t clo = lo + (std::uint64_t{c} << shift), chi = clo + (std::uint64_t{1} << shift) - 1;
            sub.lo[static_cast<std::size_t>(f)] = clo;
            const auto& list = lists[c];
            bool whole =
                std::all_of(list.begin(), list.end(), [&](std::uint32_t r) { return box_lo(boxes_[r], f) <= clo && box_hi(boxes_[r], f) >= chi; });
            Node node;
            if (list.empty()) node = Node{};  // an empty leaf
            else if (whole && previous_whole && list == lists[c - 1]) node = previous;  // the cut field does not matter here
            else node = build(list, sub, depth + 1);
            ix_.nodes_[base + c] = node;
            previous = node;
            previous_whole = whole;
        }
        Node n;
        n.leaf = 0;
        n.field = static_cast<std::uint8_t>(f);
        n.shift = shift;
        n.bits = static_cast<std::uint8_t>(cut.bits);
        n.base = base;
        n.min_rule = rules.front();  // rules are sorted; every one lies in some child
        ++ix_.stats_.nodes;
        return n;
    }

private:
    struct Cut {
        int field = 0;
        unsigned bits = 0;
        std::size_t largest_child = ~std::size_t{0}, total = ~std::size_t{0};
        std::uint64_t lo = 0;  // the block cut: the smallest aligned block holding every rule's part
        unsigned width = 0;  // of the region (bits where all rules agree are skipped)
    };

    // For each field, the most children (2^k) whose rule total stays within the space factor;
    // of those, the cut whose largest child is smallest.
    Cut choose_cut(const std::vector<std::uint32_t>& rules, const Region<Box>& reg) {
        Cut best;
        const std::size_t n = rules.size();
        const double budget = opt_.space_factor * static_cast<double>(n);
        std::vector<std::int32_t> diff;
        for (int f = 0; f < L::fields; ++f) {
            const std::uint64_t rlo = reg.lo[static_cast<std::size_t>(f)];
            const std::uint64_t rhi = rlo + (std::uint64_t{1} << reg.bits[static_cast<std::size_t>(f)]) - 1;
            // Leading bits on which every rule's part of the region agrees separate nothing: cut
            // below them. Keys outside this block reach some child and fail its boxes there.
            std::uint64_t hull_lo = rhi, hull_hi = rlo;
            for (std::uint32_t r : rules) {
                hull_lo = std::min<std::uint64_t>(hull_lo, std::max<std::uint64_t>(box_lo(boxes_[r], f), rlo));
                hull_hi = std::max<std::uint64_t>(hull_hi, std::min<std::uint64_t>(box_hi(boxes_[r], f), rhi));
            }
            unsigned width = 0;
            while (width < 64 && (hull_lo >> width) != (hull_hi >> width)) ++width;
            const std::uint64_t lo = width >= 64 ? 0 : (hull_lo >> width) << width, hi = lo + (std::uint64_t{1} << width) - 1;
            Cut field_best;
            for (unsigned k = 1; k <= std::min(width, opt_.max_cut_bits); ++k) {
                const unsigned shift = width - k;
                const std::size_t children = std::size_t{1} << k;
                diff.assign(children + 1, 0);
                std::size_t total = 0;
                for (std::uint32_t r : rules) {
                    const Box& b = boxes_[r];
                    std::uint64_t a = (std::max<std::uint64_t>(box_lo(b, f), lo) - lo) >> shift;
                    std::uint64_t z = (std::min<std::uint64_t>(box_hi(b, f), hi) - lo) >> shift;
                    total += z - a + 1;
                    ++diff[a];
                    --diff[z + 1];
                }
                if (static_cast<double>(total + children) > budget && k > 1) break;
                std::size_t largest = 0;
                std::int64_t run = 0;
                for (std::size_t c = 0; c < children; ++c) {
                    run += diff[c];
                    largest = std::max<std::size_t>(largest, static_cast<std::size_t>(run));
                }
                field_best = {f, k, largest, total, lo, width};
                if (largest <= 1) break;
            }
            if (field_best.bits == 0) continue;
            if (field_best.largest_child < best.largest_child || (field_best.largest_child == best.largest_child && field_best.total < best.total))
                best = field_best;
        }
        return best;
    }

    Node leaf(const std::vector<std::uint32_t>& rules) {
        Node n;
        n.leaf = 1;
        n.count = static_cast<std::uint32_t>(rules.size());
        n.min_rule = rules.empty() ? none : rules.front();
        n.base = static_cast<std::uint32_t>(ix_.entries_.size());
        if constexpr (blocked) {
            if (rules.size() > small_leaf) {
                n.leaf = 2;
                n.base = static_cast<std::uint32_t>(ix_.blocks_.size());
                for (std::size_t i = 0; i < rules.size(); ++i) {
                    if (i % LeafBlock::lanes == 0) ix_.blocks_.emplace_back();
                    put_lane(ix_.blocks_.back(), static_cast<unsigned>(i % LeafBlock::lanes), boxes_[rules[i]], rules[i]);
                }
            }
        }
        if (n.leaf == 1)
            for (std::uint32_t r : rules) ix_.entries_.push_back({boxes_[r], r});
        ++ix_.stats_.leaves;
        ix_.stats_.leaf_entries += rules.size();
        ix_.stats_.largest_leaf = std::max<std::size_t>(ix_.stats_.largest_leaf, rules.size());
        return n;
    }

    BasicBoxIndex& ix_;
    const std::vector<Box>& boxes_;
    BoxIndexOptions opt_;
    std::size_t entry_budget_;
};

template <class Box>
BasicBoxIndex<Box>::BasicBoxIndex(std::vector<Box> boxes, BoxIndexOptions opt, std::vector<RuleExtra> extras)
    : rules_(boxes.size()), extras_(std::move(extras)) {
    for (const Box& b : boxes)
        if (b.extra > extras_.size()) throw std::invalid_argument("BoxIndex: a box names an extra condition that was not given");
#if defined(__x86_64__)
    simd_ = blocked && opt.simd && __builtin_cpu_supports("avx2");
    simd512_ = simd_ && __builtin_cpu_supports("avx512f");
#endif
    if constexpr (blocked) {
        // Bit vectors when they fit the chain and their memory bound; then no trees are built.
        if (simd512_ && opt.bit_vectors && !boxes.empty() && boxes.size() <= std::min(opt.bit_vector_rules, BitVectorIndex::max_rules)) {
            auto bits = std::make_shared<const BitVectorIndex>(boxes);
            if (bits->memory_bytes() <= opt.bit_vector_memory) {
                bits_ = std::move(bits);
                for (const Box& b : boxes) rule_extra_.push_back(b.extra);
                return;
            }
        }
    }
    Builder builder(*this, boxes, opt);
    // Partition: small source (at most 2^16 addresses), else small destination, else neither.
    std::vector<std::uint32_t> groups[3];
    for (std::uint32_t r = 0; r < boxes.size(); ++r) {
        const Box& b = boxes[r];
        groups[BoxLayout<Box>::small_source(b) ? 0 : BoxLayout<Box>::small_destination(b) ? 1 : 2].push_back(r);
    }
    for (const auto& g : groups) {
        if (g.empty()) continue;
        Tree t;
        t.first_rule = g.front();
        t.last_rule = g.back();
        t.root = builder.build(g, Region<Box>{}, 1);
        trees_.push_back(t);
    }
    std::sort(trees_.begin(), trees_.end(), [](const Tree& a, const Tree& b) { return a.first_rule < b.first_rule; });
    stats_.trees = trees_.size();
    entries_.shrink_to_fit();
    blocks_.shrink_to_fit();
    for (Tree& t : trees_) {
        t.root_at = static_cast<std::uint32_t>(nodes_.size());
        nodes_.push_back(t.root);
    }
    nodes_.shrink_to_fit();
    simd512_ = simd512_ && nodes_.size() < (std::size_t{1} << 28);  // node indexes x 4 fit the gathers' 32 bits
}

template <class Box>
unsigned BasicBoxIndex<Box>::block_lanes(const LeafBlock& b, const Key& k, std::uint32_t from, std::uint32_t best) const {
    if constexpr (blocked) {
#if defined(__x86_64__)
        if (simd_) return lanes_avx2(b, k, from, best);
#endif
        return lanes_scalar(b, k, from, best);
    } else {
        (void)b, (void)k, (void)from, (void)best;
        return 0;
    }
}

template <class Box>
void BasicBoxIndex<Box>::prefetch_leaf(const Node& leaf) const {
    if (blocked && leaf.leaf == 2) {
        const auto* p = reinterpret_cast<const char*>(blocks_.data() + leaf.base);
        for (std::size_t line = 0; line < sizeof(LeafBlock); line += 64) __builtin_prefetch(p + line);
    } else {
        __builtin_prefetch(entries_.data() + leaf.base);
    }
}

template <class Box>
std::uint32_t BasicBoxIndex<Box>::scan_leaf(const Node& leaf, const Key& k, std::uint32_t from, std::uint32_t best) const {
    if (blocked && leaf.leaf == 2) {
        const LeafBlock* b = blocks_.data() + leaf.base;
        const LeafBlock* end = b + (leaf.count + LeafBlock::lanes - 1) / LeafBlock::lanes;
        for (; b != end && b->rule[0] < best; ++b) {
            for (unsigned m = block_lanes(*b, k, from, best); m; m &= m - 1) {
                const unsigned i = static_cast<unsigned>(__builtin_ctz(m));
                if (extra_holds(b->extra[i], k)) return b->rule[i];
            }
        }
        return best;
    }
    const LeafEntry* e = entries_.data() + leaf.base;
    const LeafEntry* end = e + leaf.count;
    if (from > 0) e = std::lower_bound(e, end, from, [](const LeafEntry& x, std::uint32_t v) { return x.rule < v; });
    for (; e != end; ++e) {
        if (e->rule >= best) break;
        if (holds(e->box, k)) return e->rule;
    }
    return best;
}

template <class Box>
std::uint32_t BasicBoxIndex<Box>::next(const Key& k, std::uint32_t from) const {
    if constexpr (blocked) {
        if (bits_) {
            std::uint32_t cls[5];
            bits_->classes_of(k, cls);
            return bits_->first_from(cls, from, [&](std::uint32_t r) { return extra_holds(rule_extra_[r], k); });
        }
    }
    std::uint32_t best = none;
    const Fields f(k);
    for (const Tree& t : trees_) {
        if (t.first_rule >= best) break;
        if (t.last_rule < from) continue;
        const Node* n = &t.root;
        while (!n->leaf && n->min_rule < best) n = &child(*n, f);
        if (n->min_rule < best) best = scan_leaf(*n, k, from, best);
    }
    return best;
}

template <class Box>
LookupCost BasicBoxIndex<Box>::cost_of(const Key& k) const {
    LookupCost c;
    std::uint32_t best = none;
    const Fields f(k);
    for (const Tree& t : trees_) {
        if (t.first_rule >= best) break;
        ++c.trees;
        const Node* n = &t.root;
        while (!n->leaf && n->min_rule < best) {
            ++c.nodes;
            n = &child(*n, f);
        }
        if (blocked && n->leaf == 2) {
            if (n->min_rule < best) {
                const std::uint32_t blocks = (n->count + LeafBlock::lanes - 1) / LeafBlock::lanes;
                for (std::uint32_t i = 0; i < blocks && blocks_[n->base + i].rule[0] < best; ++i)
                    c.boxes += static_cast<unsigned>(__builtin_popcount(blocks_[n->base + i].valid));
                best = scan_leaf(*n, k, 0, best);
            }
            continue;
        }
        for (std::uint32_t i = 0; i < n->count && n->min_rule < best; ++i) {
            const LeafEntry& e = entries_[n->base + i];
            if (e.rule >= best) break;
            ++c.boxes;
            if (holds(e.box, k)) {
                best = e.rule;
                break;
            }
        }
    }
    return c;
}

#if defined(__x86_64__)
template <class Box>
void BasicBoxIndex<Box>::first_burst_avx512(const Key* keys, std::size_t n, std::uint32_t* out) const {
    if constexpr (blocked) {
        static_assert(sizeof(Node) == 16 && offsetof(Node, base) == 4 && offsetof(Node, min_rule) == 12);
        const auto* words = reinterpret_cast<const std::int32_t*>(nodes_.data());
        for (std::size_t g = 0; g < n; g += descent_lanes) {
            const std::size_t m = std::min(descent_lanes, n - g);
            const Key* k = keys + g;
            alignas(64) std::uint32_t field[BoxLayout<Box>::fields][descent_lanes] = {};
            alignas(64) std::uint32_t best[descent_lanes], at[descent_lanes];
            key_lanes<Box>(k, m, field);
            std::fill(best, best + m, none);
            for (const Tree& t : trees_) {
                for (unsigned bits = descend16(words, t.root_at, t.first_rule, field[0], best, static_cast<unsigned>(m), at); bits;
                     bits &= bits - 1) {
                    const unsigned j = static_cast<unsigned>(__builtin_ctz(bits));
                    const Node& leaf = nodes_[at[j]];
                    if (leaf.leaf && leaf.min_rule < best[j]) best[j] = scan_leaf(leaf, k[j], 0, best[j]);
                }
            }
            std::copy(best, best + m, out + g);
        }
    } else {
        (void)keys, (void)n, (void)out;
    }
}
#endif

// By bit vectors, or sixteen descents at once (AVX-512), or else: several packets descend
// together, one level at a time, with the next level's nodes prefetched, so that their cache
// misses overlap instead of following one another.
template <class Box>
void BasicBoxIndex<Box>::first_burst(const Key* keys, std::size_t n, std::uint32_t* out) const {
    if constexpr (blocked) {
        if (bits_) {
            alignas(64) std::uint32_t cls[5][BitVectorIndex::burst_lanes];
            for (std::size_t g = 0; g < n; g += BitVectorIndex::burst_lanes) {
                const std::size_t m = std::min(BitVectorIndex::burst_lanes, n - g);
                if (extras_.empty()) {  // the first box decides
                    bits_->first16(keys + g, m, out + g);
                    continue;
                }
                bits_->classes16(keys + g, m, cls);
                for (std::size_t j = 0; j < m; ++j) {
                    const std::uint32_t c[5] = {cls[0][j], cls[1][j], cls[2][j], cls[3][j], cls[4][j]};
                    out[g + j] = bits_->first_from(c, 0, [&](std::uint32_t r) { return extra_holds(rule_extra_[r], keys[g + j]); });
                }
            }
            return;
        }
    }
#if defined(__x86_64__)
    if (simd512_) return first_burst_avx512(keys, n, out);
#endif
    constexpr std::size_t group = 8;
    for (std::size_t g = 0; g < n; g += group) {
        const std::size_t m = std::min(group, n - g);
        const Key* k = keys + g;
        std::uint32_t* best = out + g;
        Fields fields[group];
        for (std::size_t j = 0; j < m; ++j) {
            fields[j] = Fields(k[j]);
            best[j] = none;
        }
        for (const Tree& t : trees_) {
            const Node* cur[group];
            unsigned active = 0;
            for (std::size_t j = 0; j < m; ++j) {
                cur[j] = &t.root;
                if (t.first_rule < best[j]) active |= 1u << j;
            }
            for (unsigned walking = active; walking;) {
                for (unsigned bits = walking; bits; bits &= bits - 1) {
                    unsigned j = static_cast<unsigned>(__builtin_ctz(bits));
                    if (cur[j]->min_rule >= best[j]) {  // nothing below beats what was found
                        walking &= ~(1u << j);
                        active &= ~(1u << j);
                        continue;
                    }
                    if (cur[j]->leaf) {
                        walking &= ~(1u << j);
                        prefetch_leaf(*cur[j]);
                        continue;
                    }
                    cur[j] = &child(*cur[j], fields[j]);
                    __builtin_prefetch(cur[j]);
                }
            }
            for (unsigned bits = active; bits; bits &= bits - 1) {
                unsigned j = static_cast<unsigned>(__builtin_ctz(bits));
                best[j] = scan_leaf(*cur[j], k[j], 0, best[j]);
            }
        }
    }
}

template <class Box>
std::size_t BasicBoxIndex<Box>::memory_bytes() const {
    return nodes_.capacity() * sizeof(Node) + entries_.capacity() * sizeof(LeafEntry) + blocks_.capacity() * sizeof(LeafBlock) +
           trees_.capacity() * sizeof(Tree) + extras_.capacity() * sizeof(RuleExtra) + (bits_ ? bits_->memory_bytes() : 0) +
           rule_extra_.capacity() * sizeof(std::uint16_t);
}

template class BasicBoxIndex<RuleBox>;
template class BasicBoxIndex<RuleBox6>;

}  // namespace fwbench
