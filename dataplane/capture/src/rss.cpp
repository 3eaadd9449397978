#include "fwbench/rss.hpp"

#include <cstring>

namespace fwbench {

const std::array<std::uint8_t, 52>& symmetric_rss_key() {
    static const std::array<std::uint8_t, 52> key = [] {
        std::array<std::uint8_t, 52> k{};
        for (std::size_t i = 0; i < k.size(); ++i) k[i] = i % 2 ? 0x5a : 0x6d;
        return k;
    }();
    return key;
}

std::uint32_t toeplitz_hash(const std::uint8_t* key, const std::uint8_t* data, std::size_t len) {
    // The key's window of 32 bits slides one bit for each input bit; set input bits XOR it in.
    std::uint32_t window =
        static_cast<std::uint32_t>(key[0]) << 24 | static_cast<std::uint32_t>(key[1]) << 16 | static_cast<std::uint32_t>(key[2]) << 8 | key[3];
    std::uint32_t hash = 0;
    for (std::size_t i = 0; i < len; ++i) {
        for (int bit = 7; bit >= 0; --bit) {
            if (data[i] >> bit & 1) hash ^= window;
            window = window << 1 | (key[i + 4] >> bit & 1);
        }
    }
    return hash;
}

std::uint32_t rss_hash(const Packet& p, const std::uint8_t* key) {
    std::uint8_t input[36];
    std::size_t n = 0;
    const std::size_t addr = p.family == Family::ipv6 ? 16 : 4;
    const auto put_addr = [&](const IpAddr& a) {
        std::memcpy(input + n, a.bytes.data(), addr);  // network order; IPv4's in the first four
        n += addr;
    };
    put_addr(p.src);
    put_addr(p.dst);
    if ((p.proto == proto::tcp || p.proto == proto::udp) && !p.is_fragment() && p.l4_present) {
        for (std::uint16_t port : {p.sport, p.dport}) {
            input[n++] = static_cast<std::uint8_t>(port >> 8);
            input[n++] = static_cast<std::uint8_t>(port);
        }
    }
    return toeplitz_hash(key, input, n);
}

}  // namespace fwbench
