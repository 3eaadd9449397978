#pragma once
// The kernel's text search (lib/textsearch.c) as -m string uses it: Boyer-Moore (ts_bm) and
// Knuth-Morris-Pratt (ts_kmp), each optionally ignoring case.
//
// What: whether a pattern of 1 to 128 bytes occurs in a run of bytes.
// How: the two algorithms as the kernel writes them — BM's bad-character and good-suffix tables
// (compute_prefix_tbl's), KMP's prefix table — built once when the rule is parsed; with
// TS_IGNORECASE the pattern is upper-cased and each byte of text compared upper-cased, by the
// kernel's own ctype (Latin-1: 0xdf-0xf6 and 0xf8-0xff are lower case, and `toupper` takes 0x20
// from them), so a rule finds what the kernel finds. The bytes are searched as one block: the
// kernel searches the socket buffer piece by piece (its linear head, then each page fragment),
// and Boyer-Moore, unlike KMP, misses an occurrence that crosses from one piece to the next.
// No capture shows where those boundaries fell, so `find` says when an answer rests on that
// (Found::in_one_block).
// Invariants: immutable after construction; find() never allocates.
// Costs: BM about n / patlen comparisons on text without the pattern, KMP n.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace fwbench {

class TextSearch {
public:
    enum class Algo : std::uint8_t { bm, kmp };
    // `pattern` holds 1 to 128 bytes (XT_STRING_MAX_PATTERN_SIZE).
    TextSearch(Algo algo, std::span<const std::uint8_t> pattern, bool ignore_case);

    // not_found: no occurrence (certain for both algorithms: a block is part of the bytes).
    // found: KMP found one (it carries its state from one piece to the next, so the kernel finds it
    // too). in_one_block: BM found one, which the kernel finds if it lies inside one piece.
    enum class Found : std::uint8_t { not_found, found, in_one_block };
    Found find(std::span<const std::uint8_t> text) const;

    Algo algo() const { return algo_; }
    bool ignore_case() const { return icase_; }
    // The pattern as given (not upper-cased).
    std::span<const std::uint8_t> pattern() const { return given_; }

    bool operator==(const TextSearch& o) const { return algo_ == o.algo_ && icase_ == o.icase_ && given_ == o.given_; }

    // The kernel's toupper (lib/ctype.c, Latin-1).
    static std::uint8_t kernel_toupper(std::uint8_t c);

private:
    bool bm_find(std::span<const std::uint8_t> text) const;
    bool kmp_find(std::span<const std::uint8_t> text) const;
    std::uint8_t at(std::span<const std::uint8_t> text, std::size_t i) const { return icase_ ? kernel_toupper(text[i]) : text[i]; }

    Algo algo_;
    bool icase_;
    std::vector<std::uint8_t> given_, pattern_;  // pattern_: upper-cased when ignoring case
    std::array<std::uint32_t, 256> bad_shift_{};  // BM
    std::vector<std::uint32_t> good_shift_;  // BM, patlen entries
    std::vector<std::uint32_t> prefix_;  // KMP, patlen entries
};

}  // namespace fwbench
