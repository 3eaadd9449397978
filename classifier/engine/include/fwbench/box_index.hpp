#pragma once
// BoxIndex: which rules of a chain can match a packet, found without walking the chain.
//
// What: each rule is reduced to a box — an inclusive range per field over the 5-tuple (source,
// destination, source port, destination port, protocol; an IPv6 address is four 32-bit fields,
// BoxLayout<RuleBox6>) that contains every packet the
// rule can match. `next(key, from)` returns the first rule at or after `from` whose box contains
// the key: the walk jumps straight to it, and consecutive calls enumerate, in order, every rule
// whose box matches (what the chain walk needs to count non-terminating rules as the kernel does).
//
// How: cut trees over rule partitions (the HiCuts / EffiCuts / CutSplit family). Rules are
// split by which address fields are "small" (IPv4: at most 2^16 addresses; IPv6: a /32 or longer): rules small
// in the source go to one tree, those small only in the destination to another, and the rest
// (wide in both) to a third. Cutting a tree on a field its rules are small in replicates few
// rules. A node cuts its region of one field into 2^k equal parts (child = (value >> shift) &
// (2^k - 1); regions stay aligned, so no range is ever expanded into prefixes), choosing the
// field and k that leave the smallest largest child while the children together hold at most
// `space_factor` times the node's rules. Leaves hold at most `leaf_size` rule ids (more only when
// no cut separates them), sorted; children with the same rules that cover them whole share one
// subtree. Lookup descends each tree (trees ordered by their first rule), scans the leaf for the
// first id >= from whose box contains the key, and stops early: a descent stops at the first
// node whose subtree holds no rule before the best found so far.
// On CPUs with the instructions (checked at run time; the scalar ways give the same answers),
// IPv4 lookups go faster three ways: a chain of up to 16,000 rules whose bit vectors fit 16 MiB
// is looked up by them instead, and builds no trees (BitVectorIndex, bit_vector_index.hpp);
// bursts descend the trees sixteen packets at a time in AVX-512 registers (gathers per level, no
// branch per packet); leaves of more than three boxes are blocks of eight (LeafBlock) checked at
// once with AVX2.
//
// Invariants: immutable after construction; lookups never allocate, throw or log. A leaf lists
// every rule whose box intersects the leaf's region, so no matching rule is ever missed; boxes
// are checked in full at the leaf, so no false candidate is ever returned.
//
// Costs: build O(rules x fields x 8 x depth); memory reported by memory_bytes(); a lookup is one
// descent per tree (a few nodes each) plus a scan of at most leaf_size boxes per tree.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace fwbench {

class BitVectorIndex;

// Host byte order. Past the 5-tuple, what the rules' other stateless conditions test (zero for
// ClassBench headers): which of the ruleset's interface patterns the input and output devices
// match (bit i: pattern i), the conntrack state bits (ct_state_bit), TCP flags, ICMP type << 8 |
// code.
struct PacketKey {
    std::uint32_t src = 0, dst = 0;
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t proto = 0;
    std::uint8_t ct = 0, tcp_flags = 0;
    std::uint16_t icmp = 0;
    std::uint64_t in_ifs = 0, out_ifs = 0;
};

// A rule's conditions beyond its box, each a test of a few bits: input and output interface
// (masks over the pattern bits of PacketKey), conntrack state (any of ct_mask, or none of it when
// negated; no test when ct_mask is 0), TCP flags ((flags & mask) == want), ICMP type and code.
struct RuleExtra {
    std::uint64_t in_mask = 0, in_want = 0, out_mask = 0, out_want = 0;
    std::uint16_t icmp_lo = 0, icmp_hi = 0xffff;
    std::uint8_t ct_mask = 0, flags_mask = 0, flags_want = 0;
    bool ct_negated = false;
    template <class Key>  // PacketKey or PacketKey6
    bool holds(const Key& k) const {
        return static_cast<bool>(((k.in_ifs & in_mask) == in_want) & ((k.out_ifs & out_mask) == out_want) & (icmp_lo <= k.icmp) &
                                 (k.icmp <= icmp_hi) & ((k.tcp_flags & flags_mask) == flags_want) &
                                 ((ct_mask == 0) | (((k.ct & ct_mask) != 0) != ct_negated)));
    }
    auto operator<=>(const RuleExtra&) const = default;
    bool operator==(const RuleExtra&) const = default;
};

struct RuleBox {
    std::uint32_t src_lo = 0, src_hi = 0xffffffffu, dst_lo = 0, dst_hi = 0xffffffffu;
    std::uint16_t sport_lo = 0, sport_hi = 0xffff, dport_lo = 0, dport_hi = 0xffff;
    std::uint8_t proto_lo = 0, proto_hi = 0xff;
    // 0: nothing past the box; else 1 + the index of the rule's RuleExtra among the index's extras
    // (kept in the box's padding, so a leaf entry stays 32 bytes).
    std::uint16_t extra = 0;
    // The box alone (extra is not looked at). Branch-free: every comparison is made; a scan over a leaf then mispredicts only at its end.
    bool contains(const PacketKey& k) const {
        return static_cast<bool>((src_lo <= k.src) & (k.src <= src_hi) & (dst_lo <= k.dst) & (k.dst <= dst_hi) & (sport_lo <= k.sport) &
                                 (k.sport <= sport_hi) & (dport_lo <= k.dport) & (k.dport <= dport_hi) & (proto_lo <= k.proto) &
                                 (k.proto <= proto_hi));
    }
};

// IPv4 leaves: blocks of eight boxes laid out field by field, each field as its low end and its
// span (a value v is inside when v - lo <= span, unsigned), so that one leaf's boxes are checked
// eight at a time (AVX2 when the CPU has it: a handful of vector operations and no branch per box,
// where a scan box by box mispredicts at the box that matches). A leaf of more than eight boxes
// takes consecutive blocks; lanes are in rule order.
struct LeafBlock {
    static constexpr unsigned lanes = 8;
    alignas(32) std::uint32_t src_lo[lanes] = {}, src_span[lanes] = {}, dst_lo[lanes] = {}, dst_span[lanes] = {};
    std::uint32_t ports_lo[lanes] = {}, ports_span[lanes] = {};  // source port << 16 | destination port, each half on its own
    std::uint32_t proto_lo[lanes] = {}, proto_span[lanes] = {};
    std::uint32_t rule[lanes] = {};
    std::uint16_t extra[lanes] = {};  // as RuleBox::extra
    std::uint8_t valid = 0;  // lane bits: the lanes that hold a box
};

// IPv6: each address as four 32-bit words, most significant first (the layout DPDK's own IPv6
// ACL examples use); the rest as PacketKey.
struct PacketKey6 {
    std::uint32_t src[4] = {}, dst[4] = {};
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t proto = 0;
    std::uint8_t ct = 0, tcp_flags = 0;
    std::uint16_t icmp = 0;
    std::uint64_t in_ifs = 0, out_ifs = 0;
};

// A range per address word. A prefix is exactly such a box: the words it covers whole are one
// value, the word it ends in a range, the words after it any value.
struct RuleBox6 {
    std::uint32_t src_lo[4] = {}, src_hi[4] = {~0u, ~0u, ~0u, ~0u}, dst_lo[4] = {}, dst_hi[4] = {~0u, ~0u, ~0u, ~0u};
    std::uint16_t sport_lo = 0, sport_hi = 0xffff, dport_lo = 0, dport_hi = 0xffff;
    std::uint8_t proto_lo = 0, proto_hi = 0xff;
    std::uint16_t extra = 0;  // as RuleBox::extra
    bool contains(const PacketKey6& k) const {
        bool in = (sport_lo <= k.sport) & (k.sport <= sport_hi) & (dport_lo <= k.dport) & (k.dport <= dport_hi) & (proto_lo <= k.proto) &
                  (k.proto <= proto_hi);
        for (int w = 0; w < 4; ++w) in &= (src_lo[w] <= k.src[w]) & (k.src[w] <= src_hi[w]) & (dst_lo[w] <= k.dst[w]) & (k.dst[w] <= dst_hi[w]);
        return in;
    }
};

// The fields a BoxIndex cuts, per box layout: how many, their widths, a box's range and a key's
// value in each, and which tree a box goes to (small source, small destination, neither).
template <class Box>
struct BoxLayout;
template <>
struct BoxLayout<RuleBox> {
    using Key = PacketKey;
    static constexpr int fields = 5;  // source, destination, source port, destination port, protocol
    static constexpr std::uint8_t bits[fields] = {32, 32, 16, 16, 8};
    static std::uint32_t lo(const RuleBox& b, int f) {
        const std::uint32_t v[fields] = {b.src_lo, b.dst_lo, b.sport_lo, b.dport_lo, b.proto_lo};
        return v[f];
    }
    static std::uint32_t hi(const RuleBox& b, int f) {
        const std::uint32_t v[fields] = {b.src_hi, b.dst_hi, b.sport_hi, b.dport_hi, b.proto_hi};
        return v[f];
    }
    static void values(const PacketKey& k, std::uint32_t* v) { v[0] = k.src, v[1] = k.dst, v[2] = k.sport, v[3] = k.dport, v[4] = k.proto; }
    // A range of at most 2^16 addresses.
    static bool small_source(const RuleBox& b) { return b.src_hi - b.src_lo < 0x10000u; }
    static bool small_destination(const RuleBox& b) { return b.dst_hi - b.dst_lo < 0x10000u; }
};
template <>
struct BoxLayout<RuleBox6> {
    using Key = PacketKey6;
    static constexpr int fields = 11;  // source words 0-3, destination words 0-3, ports, protocol
    static constexpr std::uint8_t bits[fields] = {32, 32, 32, 32, 32, 32, 32, 32, 16, 16, 8};
    static std::uint32_t lo(const RuleBox6& b, int f) {
        return f < 4 ? b.src_lo[f] : f < 8 ? b.dst_lo[f - 4] : f == 8 ? b.sport_lo : f == 9 ? b.dport_lo : b.proto_lo;
    }
    static std::uint32_t hi(const RuleBox6& b, int f) {
        return f < 4 ? b.src_hi[f] : f < 8 ? b.dst_hi[f - 4] : f == 8 ? b.sport_hi : f == 9 ? b.dport_hi : b.proto_hi;
    }
    static void values(const PacketKey6& k, std::uint32_t* v) {
        for (int w = 0; w < 4; ++w) v[w] = k.src[w], v[4 + w] = k.dst[w];
        v[8] = k.sport, v[9] = k.dport, v[10] = k.proto;
    }
    // A /32 or longer: its first word is one value (cutting the rest of the address then pays, as
    // the 2^16 rule does for IPv4; /64 sorted ClassBench's IPv6 sets worse, up to 40x on ipc1).
    static bool small_source(const RuleBox6& b) { return b.src_lo[0] == b.src_hi[0]; }
    static bool small_destination(const RuleBox6& b) { return b.dst_lo[0] == b.dst_hi[0]; }
};

// Keys field by field for the vector lookups: lanes[f][j] is field f of keys[j] (n <= Lanes; the
// lanes past n are left as they are).
template <class Box, std::size_t Lanes>
void key_lanes(const typename BoxLayout<Box>::Key* keys, std::size_t n, std::uint32_t (&lanes)[BoxLayout<Box>::fields][Lanes]) {
    for (std::size_t j = 0; j < n; ++j) {
        std::uint32_t v[BoxLayout<Box>::fields];
        BoxLayout<Box>::values(keys[j], v);
        for (int f = 0; f < BoxLayout<Box>::fields; ++f) lanes[f][j] = v[f];
    }
}

struct BoxIndexOptions {
    unsigned leaf_size = 8;  // rules per leaf before a node is cut
    double space_factor = 4.0;  // children may hold at most this many times their parent's rules
    unsigned max_cut_bits = 8;  // at most 2^8 children per node
    bool simd = true;  // IPv4 leaves checked with AVX2 when the CPU has it (false: lane by lane, for tests)
    // IPv4 chains of at most bit_vector_rules rules are looked up by BitVectorIndex when the CPU
    // has AVX-512 and its memory stays within bit_vector_memory (false: by the trees, for tests
    // and comparisons). On ClassBench 10K they measured 0.81x the trees' time on acl1, the same on
    // ipc1, and past the memory bound on fw1 (docs/compiled-engine.md).
    bool bit_vectors = true;
    std::size_t bit_vector_rules = 16000;
    std::size_t bit_vector_memory = std::size_t{16} << 20;
    // Nodes plus leaf entries stay under max(budget_floor, rules x max_replication): past it,
    // no more cuts (the leaves grow instead), so no ruleset makes the index blow up.
    std::size_t max_replication = 64;
    std::size_t budget_floor = std::size_t{1} << 20;
};

struct BoxIndexStats {
    std::size_t trees = 0, nodes = 0, leaves = 0, leaf_entries = 0, max_depth = 0, largest_leaf = 0;
};

// What one lookup costs: trees descended, nodes passed, boxes compared.
struct LookupCost {
    unsigned trees = 0, nodes = 0, boxes = 0;
};

// Box is RuleBox (IPv4) or RuleBox6 (IPv6): BoxIndex and BoxIndex6 below.
template <class Box>
class BasicBoxIndex {
public:
    using Key = typename BoxLayout<Box>::Key;
    static constexpr std::uint32_t none = 0xffffffffu;

    BasicBoxIndex() = default;
    // extras[i] is the RuleExtra of boxes whose extra is i + 1.
    explicit BasicBoxIndex(std::vector<Box> boxes, BoxIndexOptions opt = {}, std::vector<RuleExtra> extras = {});

    // Whether box b and its extra condition hold for k.
    bool holds(const Box& b, const Key& k) const { return b.contains(k) && extra_holds(b.extra, k); }

    // The first rule >= from whose box contains k, or `none`.
    std::uint32_t next(const Key& k, std::uint32_t from = 0) const;
    // next(keys[i], 0) for a burst.
    void first_burst(const Key* keys, std::size_t n, std::uint32_t* out) const;

    // next(k, 0) again, counting its work (for tuning and reports; not the fast path).
    LookupCost cost_of(const Key& k) const;

    std::size_t rule_count() const { return rules_; }
    bool simd() const { return simd_; }  // IPv4 leaves are checked with AVX2
    bool simd512() const { return simd512_; }  // IPv4 bursts descend sixteen packets at once with AVX-512
    bool bit_vectors() const { return bits_ != nullptr; }  // lookups by BitVectorIndex, not the trees
    std::size_t memory_bytes() const;
    BoxIndexStats stats() const { return stats_; }

private:
    // Children are stored contiguously as whole nodes, so a descent costs one memory access per
    // level; a leaf's entries carry their boxes, so its scan reads one contiguous run.
    struct Node {
        std::uint8_t field = 0, shift = 0, bits = 0, leaf = 1;  // leaf: 0 inner, 1 entries, 2 blocks
        std::uint32_t base = 0;  // inner: first child in nodes_; leaf: first entry in entries_ (IPv4: first block in blocks_)
        std::uint32_t count = 0;  // leaf: number of entries
        // The first rule anywhere below: a descent stops as soon as it cannot beat what an
        // earlier tree found.
        std::uint32_t min_rule = 0xffffffffu;
    };
    struct LeafEntry {
        Box box;
        std::uint32_t rule = 0;
    };
    struct Tree {
        Node root;
        std::uint32_t first_rule = 0, last_rule = 0;
        std::uint32_t root_at = 0;  // a copy of root in nodes_, where the vector descent starts
    };
    class Builder;

    // The key as fields indexed by number: a node reads its field without a branch.
    struct Fields {
        std::uint32_t v[BoxLayout<Box>::fields];
        Fields() = default;
        explicit Fields(const Key& k) { BoxLayout<Box>::values(k, v); }
    };
    const Node& child(const Node& n, const Fields& f) const { return nodes_[n.base + ((f.v[n.field] >> n.shift) & ((1u << n.bits) - 1))]; }
    std::uint32_t scan_leaf(const Node& leaf, const Key& k, std::uint32_t from, std::uint32_t best) const;
    // The lanes of block b whose box holds k (extras not looked at) and whose rule is in [from, best).
    unsigned block_lanes(const LeafBlock& b, const Key& k, std::uint32_t from, std::uint32_t best) const;
    void prefetch_leaf(const Node& leaf) const;
    // first_burst for IPv4 with AVX-512: sixteen packets descend at once, a level per step.
    void first_burst_avx512(const Key* keys, std::size_t n, std::uint32_t* out) const;
    static constexpr bool blocked = std::is_same_v<Box, RuleBox>;  // leaves of more than small_leaf boxes as LeafBlocks
    static constexpr std::size_t small_leaf = 3;

    std::size_t rules_ = 0;
    std::vector<Node> nodes_;
    std::vector<LeafEntry> entries_;  // IPv6 leaves
    std::vector<LeafBlock> blocks_;  // IPv4 leaves
    bool simd_ = false;
    std::shared_ptr<const BitVectorIndex> bits_;  // IPv4 chains that fit them, with AVX-512 (then no trees)
    std::vector<std::uint16_t> rule_extra_;  // with bits_: each rule's RuleBox::extra
    // A box's extra condition (RuleBox::extra: 0, none) holds for k.
    bool extra_holds(std::uint16_t extra, const Key& k) const { return extra == 0 || extras_[extra - 1u].holds(k); }
    bool simd512_ = false;  // bursts descend with AVX-512 (IPv4, the CPU has it)
    std::vector<Tree> trees_;
    std::vector<RuleExtra> extras_;
    BoxIndexStats stats_;
};

using BoxIndex = BasicBoxIndex<RuleBox>;
using BoxIndex6 = BasicBoxIndex<RuleBox6>;
extern template class BasicBoxIndex<RuleBox>;
extern template class BasicBoxIndex<RuleBox6>;

}  // namespace fwbench
