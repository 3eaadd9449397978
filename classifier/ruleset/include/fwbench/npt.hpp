#pragma once
// IPv6 network prefix translation's arithmetic (RFC 6296; the kernel's ip6t_NPT).
//
// What: the checksum-neutral adjustment of a prefix pair (checkentry) and the mapping of one
// address (ip6t_npt_map_pfx): the longer prefix's bits replaced by the translated prefix's, then
// one 16-bit word changed by the adjustment so that the address sums as before.
// How: one's-complement sums of big-endian 16-bit words, which fold to what the kernel's
// native-order csum helpers give byte-swapped (the sum commutes with swapping every word).
// Invariants: pure functions; no allocation.

#include <cstdint>
#include <optional>

#include "fwbench/addr.hpp"
#include "fwbench/ruleset.hpp"

namespace fwbench {

namespace npt_detail {
inline std::uint32_t word16(const IpAddr& a, int i) { return std::uint32_t{a.bytes[2 * i]} << 8 | a.bytes[2 * i + 1]; }
inline std::uint32_t add_with_carry(std::uint32_t a, std::uint32_t b) {
    const std::uint32_t r = a + b;
    return r + (r < b);  // csum_add: the carry out of bit 31 comes back in
}
inline std::uint16_t fold(std::uint32_t s) {  // csum_fold without its final complement
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}
}  // namespace npt_detail

// The hooks ip6t_NPT registers each target for: SNPT where the source is final (INPUT,
// POSTROUTING), DNPT before the route is chosen (PREROUTING, OUTPUT).
inline HookMask npt_hooks(bool source) {
    return source ? static_cast<HookMask>(hook_bit(Hook::input) | hook_bit(Hook::postrouting))
                  : static_cast<HookMask>(hook_bit(Hook::prerouting) | hook_bit(Hook::output));
}

// An address's one's complement sum of its eight 16-bit words (what the transport checksum's
// pseudo-header adds for it), folded.
inline std::uint16_t npt_address_sum(const IpAddr& a) {
    std::uint32_t s = 0;
    for (int i = 0; i < 8; ++i) s += npt_detail::word16(a, i);
    return npt_detail::fold(s);
}

// ip6t_npt_checkentry: ~csum_fold(csum_sub(sum(src), sum(dst))).
inline std::uint16_t npt_adjustment(const IpAddr& src_pfx, const IpAddr& dst_pfx) {
    std::uint32_t s = 0, d = 0;
    for (int i = 0; i < 8; ++i) {
        s += npt_detail::word16(src_pfx, i);
        d += npt_detail::word16(dst_pfx, i);
    }
    return npt_detail::fold(npt_detail::add_with_carry(s, ~d));
}

// ip6t_npt_map_pfx on `addr`: false when no word past a prefix longer than 48 bits can take the
// adjustment (all 0xffff), where the kernel drops the packet with an ICMPv6 parameter problem.
inline bool npt_map_prefix(IpAddr& addr, const IpAddr& dst_pfx, int src_len, int dst_len, std::uint16_t adjustment) {
    const int len = src_len > dst_len ? src_len : dst_len;
    for (int i = 0; i < len; i += 32) {
        const std::uint32_t keep = len - i >= 32 ? 0 : (1u << (i - len + 32)) - 1;  // the word's bits past the prefix
        const std::uint32_t w = (addr.word(i / 32) & keep) | (dst_pfx.word(i / 32) & ~keep);
        for (int b = 0; b < 4; ++b) addr.bytes[static_cast<std::size_t>(i / 8 + b)] = static_cast<std::uint8_t>(w >> (24 - 8 * b));
    }
    int idx = 3;
    if (len > 48) {
        for (idx = 4; idx < 8 && npt_detail::word16(addr, idx) == 0xffff; ++idx) {
        }
        if (idx == 8) return false;
    }
    std::uint16_t sum = npt_detail::fold(npt_detail::word16(addr, idx) + adjustment);
    if (sum == 0xffff) sum = 0;  // CSUM_MANGLED_0 is written as 0
    addr.bytes[static_cast<std::size_t>(2 * idx)] = static_cast<std::uint8_t>(sum >> 8);
    addr.bytes[static_cast<std::size_t>(2 * idx + 1)] = static_cast<std::uint8_t>(sum);
    return true;
}

}  // namespace fwbench
