#pragma once
// The kernel's jhash (include/linux/jhash.h, Bob Jenkins' lookup3), for the targets and matches
// that hash with it: HMARK's jhash_3words, cluster's jhash_1word (and its jhash2 of one word,
// which computes the same). Words are taken as the caller gives them: the kernel hashes some in
// host order (ntohl) and some as the bytes lie in memory, which each caller states.

#include <cstdint>

namespace fwbench::jhash {

constexpr std::uint32_t initval = 0xdeadbeefu;  // JHASH_INITVAL

constexpr std::uint32_t rol32(std::uint32_t v, int n) { return v << n | v >> (32 - n); }

constexpr void final_mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {  // __jhash_final
    c ^= b;
    c -= rol32(b, 14);
    a ^= c;
    a -= rol32(c, 11);
    b ^= a;
    b -= rol32(a, 25);
    c ^= b;
    c -= rol32(b, 16);
    a ^= c;
    a -= rol32(c, 4);
    b ^= a;
    b -= rol32(a, 14);
    c ^= b;
    c -= rol32(b, 24);
}

// __jhash_nwords after jhash_3words' and jhash_1word's seeds.
constexpr std::uint32_t words3(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t seed) {
    const std::uint32_t init = seed + initval + (3u << 2);
    a += init;
    b += init;
    c += init;
    final_mix(a, b, c);
    return c;
}

constexpr std::uint32_t word1(std::uint32_t a, std::uint32_t seed) {
    const std::uint32_t init = seed + initval + (1u << 2);
    a += init;
    std::uint32_t b = init, c = init;
    final_mix(a, b, c);
    return c;
}

// reciprocal_scale: a hash scaled to [0, n).
constexpr std::uint32_t scale(std::uint32_t hash, std::uint32_t n) { return static_cast<std::uint32_t>((std::uint64_t{hash} * n) >> 32); }

}  // namespace fwbench::jhash
