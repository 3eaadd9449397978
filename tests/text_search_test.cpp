// -m string's text search (text_search.hpp) against a plain search written here: Boyer-Moore's
// and KMP's tables must find exactly the occurrences a byte-by-byte comparison finds, with and
// without ignoring case, and case is folded as the kernel's Latin-1 ctype folds it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fwbench/text_search.hpp"

namespace fwbench {
namespace {

using Bytes = std::vector<std::uint8_t>;
Bytes bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// lib/ctype.c's upper case, written out: ASCII a-z, and Latin-1's lower-case letters 0xdf-0xf6
// and 0xf8-0xff (0xf7 is the division sign), each less 0x20.
std::uint8_t folded(std::uint8_t c, bool icase) {
    if (!icase) return c;
    const bool lower = (c >= 'a' && c <= 'z') || (c >= 0xdf && c <= 0xfe && c != 0xf7) || c == 0xff;
    return lower ? static_cast<std::uint8_t>(c - 0x20) : c;
}

bool plain_find(const Bytes& text, const Bytes& pat, bool icase) {
    for (std::size_t at = 0; at + pat.size() <= text.size(); ++at) {
        std::size_t i = 0;
        while (i < pat.size() && folded(text[at + i], icase) == folded(pat[i], icase)) ++i;
        if (i == pat.size()) return true;
    }
    return false;
}

struct SearchCase {
    const char* text;
    const char* pattern;
    bool icase;
    bool found;
};

// Occurrences at the start, the end, overlapping their own prefix, and just missed.
const SearchCase cases[] = {
    {"GET /index.html HTTP/1.1", "GET", false, true},
    {"GET /index.html HTTP/1.1", "HTTP/1.1", false, true},
    {"GET /index.html HTTP/1.1", "HTTP/1.2", false, false},
    {"get /index.html", "GET", false, false},
    {"get /index.html", "GET", true, true},
    {"GeT", "gEt", true, true},
    {"aaaaaaaaab", "aaab", false, true},
    {"abababababac", "ababac", false, true},
    {"abababababa", "ababac", false, false},
    {"xyz", "xyzz", false, false},
    {"", "x", false, false},
    {"needle", "needle", false, true},
};

TEST(TextSearch, FindsWhatAPlainSearchFinds) {
    for (const auto& c : cases)
        for (auto algo : {TextSearch::Algo::bm, TextSearch::Algo::kmp}) {
            const TextSearch s(algo, bytes(c.pattern), c.icase);
            const auto f = s.find(bytes(c.text));
            EXPECT_EQ(f != TextSearch::Found::not_found, c.found) << c.text << " / " << c.pattern << " algo " << int(algo);
            // Only Boyer-Moore's find rests on the block structure.
            if (f != TextSearch::Found::not_found) {
                EXPECT_EQ(f == TextSearch::Found::in_one_block, algo == TextSearch::Algo::bm);
            }
        }
}

TEST(TextSearch, FoldsCaseAsTheKernelsLatin1Ctype) {
    // 0xe9 (e acute) is 0xc9 upper-cased; 0xf7 (division) and 0xd7 (multiplication) are no
    // letters; 0xff folds to 0xdf and 0xdf to 0xbf (the kernel's __toupper takes 0x20 off), so neither meets the other.
    const struct {
        std::uint8_t text, pattern;
        bool found;
    } folds[] = {{0xe9, 0xc9, true}, {0xc9, 0xe9, true}, {0xf7, 0xd7, false}, {0xff, 0xdf, false},
                 {0xdf, 0xbf, true}, {0xbf, 0xdf, true}, {0xdf, 0xff, false}};
    for (const auto& f : folds)
        for (auto algo : {TextSearch::Algo::bm, TextSearch::Algo::kmp}) {
            const TextSearch s(algo, Bytes{'a', f.pattern}, true);
            EXPECT_EQ(s.find(Bytes{'A', f.text}) != TextSearch::Found::not_found, f.found) << int(f.text) << " " << int(f.pattern);
        }
}

// ts_bm ignoring case indexes its bad-character table by the text's byte as it is, filled for each
// pattern byte upper-cased and that lower-cased again. 0xff upper-cases to 0xdf, whose lower case
// is itself: a 0xff in the text that meets the pattern's 0xdf or 0xff where the comparison fails
// shifts the whole pattern's length, past an occurrence KMP finds (0xdf, upper-cased 0xbf, the
// same). The kernel fixture "string: Boyer-Moore's ignore-case quirk" has the kernel agree.
TEST(TextSearch, BoyerMooreIgnoringCaseSkipsPastLatin1sSharpSAndYDiaeresis) {
    const Bytes pattern{0xff, 'b'}, text{'x', 0xff, 'b'};
    EXPECT_EQ(TextSearch(TextSearch::Algo::bm, pattern, true).find(text), TextSearch::Found::not_found);
    EXPECT_EQ(TextSearch(TextSearch::Algo::kmp, pattern, true).find(text), TextSearch::Found::found);
    EXPECT_EQ(TextSearch(TextSearch::Algo::bm, pattern, false).find(text), TextSearch::Found::in_one_block);  // exact bytes: found
}

// Random texts and patterns over small alphabets (repeats make the tables' shifts matter), fixed
// seed: both algorithms against the plain search.
TEST(TextSearch, RandomTextsAgreeWithAPlainSearch) {
    std::mt19937 rng(20261207);
    const Bytes alphabets[] = {bytes("ab"), bytes("abc"), bytes("aAbB"), Bytes{'a', 0xe9, 0xc9, 0xff, 0xdf}};
    int found = 0;
    for (int round = 0; round < 20000; ++round) {
        const Bytes& abc = alphabets[round % 4];
        auto pick = [&] { return abc[rng() % abc.size()]; };
        Bytes pat(1 + rng() % 8), text(rng() % 40);
        for (auto& b : pat) b = pick();
        for (auto& b : text) b = pick();
        const bool icase = rng() % 2;
        const bool want = plain_find(text, pat, icase);
        found += want;
        ASSERT_EQ(TextSearch(TextSearch::Algo::kmp, pat, icase).find(text) != TextSearch::Found::not_found, want) << "round " << round;
        // Boyer-Moore's bad-character table (below) fails only on 0xdf and 0xff ignoring case.
        const bool quirk = icase && std::any_of(text.begin(), text.end(), [](std::uint8_t c) { return c == 0xdf || c == 0xff; });
        if (!quirk) {
            ASSERT_EQ(TextSearch(TextSearch::Algo::bm, pat, icase).find(text) != TextSearch::Found::not_found, want) << "round " << round;
        }
    }
    EXPECT_GT(found, 2000);  // both answers well represented
    EXPECT_LT(found, 18000);
}

}  // namespace
}  // namespace fwbench
