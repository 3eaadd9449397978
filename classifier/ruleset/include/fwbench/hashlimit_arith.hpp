#pragma once
// xt_hashlimit's arithmetic (revision 3), shared by the parser, which checks and prints a rule
// from it as libxt_hashlimit and the kernel's checkentry do, and the engine, which runs the
// buckets. All in the kernel's integer units and with its truncations, so a rule's numbers and
// a bucket's decisions are the kernel's to the credit:
// - a packet rate is `avg`, microseconds per packet (XT_HASHLIMIT_SCALE_v2 per second over the
//   rate), turned into credits per jiffy at the host's HZ;
// - a byte rate is `avg` = U32_MAX / (bytes per second / 16 + 1) ("cost" of one 16-byte chunk,
//   XT_HASHLIMIT_BYTE_SHIFT), which libxt and the kernel turn back into bytes per second;
// - rate-match mode counts packets or bytes per window against `rate` and `burst`.
// Pure functions; no state.

#include <cstdint>

namespace fwbench::hashlimit {

inline constexpr std::uint64_t scale = 1000000;  // XT_HASHLIMIT_SCALE_v2
inline constexpr unsigned byte_shift = 4;  // XT_HASHLIMIT_BYTE_SHIFT
inline constexpr std::uint32_t u32_max = 0xffffffffu;

// CREDITS_PER_JIFFY (64-bit credits): the largest power of two whose day's worth fits 64 bits.
constexpr std::uint64_t credits_per_jiffy(unsigned hz) {
    const std::uint64_t max_cpj = ~std::uint64_t{0} / (static_cast<std::uint64_t>(hz) * 60 * 60 * 24);
    std::uint64_t p = 1;
    while (p * 2 <= max_cpj) p *= 2;
    return p;
}

// CREDITS_PER_JIFFY_BYTES: the same for a second's worth in 32 bits.
constexpr std::uint64_t credits_per_jiffy_bytes(unsigned hz) {
    const std::uint64_t max_cpj = u32_max / hz;
    std::uint64_t p = 1;
    while (p * 2 <= max_cpj) p *= 2;
    return p;
}

// user2credits: a packet rate's avg (or avg * burst) in credits; the product wraps in 64 bits,
// as the kernel's does (its checkentry refuses a burst whose credits wrapped below one packet's).
constexpr std::uint64_t user2credits(std::uint64_t user, unsigned hz) {
    const std::uint64_t hz_cpj = hz * credits_per_jiffy(hz);
    if (scale >= hz_cpj) return user / (scale / hz_cpj);
    return user * (hz_cpj / scale);
}

// user2credits_byte: the credits one 16-byte chunk costs at a byte rate's avg (32-bit avg).
constexpr std::uint32_t user2credits_byte(std::uint32_t user, unsigned hz) {
    const std::uint64_t us = static_cast<std::uint64_t>(user) * (hz * credits_per_jiffy_bytes(hz));
    return static_cast<std::uint32_t>(us >> 32);
}

// libxt's bytes_to_cost: bytes per second to avg. The chunk count is cut to 32 bits, as libxt's
// is; 0 when it is U32_MAX (libxt divides by zero there: the caller refuses it).
constexpr std::uint64_t bytes_to_cost(std::uint64_t bytes) {
    const auto chunks = static_cast<std::uint32_t>(bytes >> byte_shift);
    if (chunks == u32_max) return 0;
    return u32_max / (chunks + 1);
}

// libxt's cost_to_bytes, the kernel's user2rate_bytes: avg back to bytes per second (a whole
// number of chunks less one: the rate iptables-save prints).
constexpr std::uint64_t cost_to_bytes(std::uint64_t cost) {
    const std::uint64_t r = cost ? u32_max / cost : u32_max;
    return (r - 1) << byte_shift;
}

// user2rate: rate-match mode's packets per window second from avg.
constexpr std::uint64_t user2rate(std::uint64_t avg) { return avg ? scale / avg : 0; }

}  // namespace fwbench::hashlimit
