#pragma once
// The Internet checksum (RFC 1071), written for the tests: fwbench's codec uses DPDK's, and the
// tests check what it writes with this independent sum. Over `size` bytes, with `initial` a
// pseudo-header sum of big-endian 16-bit words; the complement of the folded sum, as a number
// (a datagram whose checksum field is right sums to 0).

#include <cstddef>
#include <cstdint>

namespace fwbench::test {

inline std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t size, std::uint32_t initial = 0) {
    std::uint32_t sum = initial;
    for (std::size_t i = 0; i + 1 < size; i += 2) sum += std::uint32_t{data[i]} << 8 | data[i + 1];
    if (size & 1) sum += std::uint32_t{data[size - 1]} << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

}  // namespace fwbench::test
