// Boyer-Moore and Knuth-Morris-Pratt as lib/ts_bm.c and lib/ts_kmp.c build and run them.
#include "fwbench/text_search.hpp"

#include <algorithm>

namespace fwbench {

namespace {

// lib/ctype.c's classes above ASCII (Latin-1): upper 0xc0-0xd6 and 0xd8-0xde, lower 0xdf-0xf6
// and 0xf8-0xff.
bool kernel_islower(std::uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 0xdf && c <= 0xf6) || c >= 0xf8; }
bool kernel_isupper(std::uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xde); }
std::uint8_t kernel_tolower(std::uint8_t c) { return kernel_isupper(c) ? static_cast<std::uint8_t>(c + 0x20) : c; }

// ts_bm's subpattern: whether the g bytes ending at i + g - 1 recur ending at j + g - 1, preceded
// by another byte (or running off the pattern's start).
bool subpattern(const std::vector<std::uint8_t>& p, int i, int j, int g) {
    int x = i + g - 1, y = j + g - 1;
    while (p[static_cast<std::size_t>(x--)] == p[static_cast<std::size_t>(y--)]) {
        if (y < 0) return true;
        if (--g == 0) return p[static_cast<std::size_t>(i - 1)] != p[static_cast<std::size_t>(j - 1)];
    }
    return false;
}

}  // namespace

std::uint8_t TextSearch::kernel_toupper(std::uint8_t c) { return kernel_islower(c) ? static_cast<std::uint8_t>(c - 0x20) : c; }

TextSearch::TextSearch(Algo algo, std::span<const std::uint8_t> pattern, bool ignore_case)
    : algo_(algo), icase_(ignore_case), given_(pattern.begin(), pattern.end()), pattern_(given_) {
    if (icase_)
        for (auto& c : pattern_) c = kernel_toupper(c);
    const int len = static_cast<int>(pattern_.size());
    if (algo_ == Algo::kmp) {
        // ts_kmp's compute_prefix_tbl over the (upper-cased) pattern.
        prefix_.assign(pattern_.size(), 0);
        for (int k = 0, q = 1; q < len; ++q) {
            while (k > 0 && pattern_[static_cast<std::size_t>(k)] != pattern_[static_cast<std::size_t>(q)])
                k = static_cast<int>(prefix_[static_cast<std::size_t>(k - 1)]);
            if (pattern_[static_cast<std::size_t>(k)] == pattern_[static_cast<std::size_t>(q)]) ++k;
            prefix_[static_cast<std::size_t>(q)] = static_cast<std::uint32_t>(k);
        }
        return;
    }
    // ts_bm's compute_prefix_tbl. The bad-character table is indexed by the text's byte as it is,
    // so with TS_IGNORECASE the kernel adds each pattern byte's lower case (tolower of the
    // upper-cased byte: Latin-1's 0xdf and 0xff have none, a quirk kept).
    bad_shift_.fill(static_cast<std::uint32_t>(len));
    for (int i = 0; i < len - 1; ++i) {
        const std::uint8_t c = pattern_[static_cast<std::size_t>(i)];
        bad_shift_[c] = static_cast<std::uint32_t>(len - 1 - i);
        if (icase_) bad_shift_[kernel_tolower(c)] = static_cast<std::uint32_t>(len - 1 - i);
    }
    good_shift_.assign(pattern_.size(), static_cast<std::uint32_t>(len));
    good_shift_[0] = 1;
    for (int i = len - 1, g = 1; i > 0; ++g, --i) {
        for (int j = i - 1; j >= 1 - g; --j)
            if (subpattern(pattern_, i, j, g)) {
                good_shift_[static_cast<std::size_t>(g)] = static_cast<std::uint32_t>(len - j - g);
                break;
            }
    }
}

bool TextSearch::bm_find(std::span<const std::uint8_t> text) const {
    const int patlen = static_cast<int>(pattern_.size());
    const int text_len = static_cast<int>(text.size());
    int shift = patlen - 1;
    while (shift < text_len) {
        int i = 0;
        for (; i < patlen; ++i)
            if (at(text, static_cast<std::size_t>(shift - i)) != pattern_[static_cast<std::size_t>(patlen - 1 - i)]) break;
        if (i == patlen) return true;
        const int bs = static_cast<int>(bad_shift_[text[static_cast<std::size_t>(shift - i)]]);
        shift = std::max(shift - i + bs, shift + static_cast<int>(good_shift_[static_cast<std::size_t>(i)]));
    }
    return false;
}

bool TextSearch::kmp_find(std::span<const std::uint8_t> text) const {
    std::size_t q = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const std::uint8_t c = at(text, i);
        while (q > 0 && pattern_[q] != c) q = prefix_[q - 1];
        if (pattern_[q] == c) ++q;
        if (q == pattern_.size()) return true;
    }
    return false;
}

TextSearch::Found TextSearch::find(std::span<const std::uint8_t> text) const {
    if (algo_ == Algo::kmp) return kmp_find(text) ? Found::found : Found::not_found;
    return bm_find(text) ? Found::in_one_block : Found::not_found;
}

}  // namespace fwbench
