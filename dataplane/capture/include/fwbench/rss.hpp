#pragma once
// Receive-side scaling as a NIC computes it: the Toeplitz hash (Microsoft's RSS specification)
// of a packet's addresses, and ports for TCP and UDP, keyed; the queue the default redirection
// table gives. The port dataplane asks NICs for the symmetric key (0x6d5a repeated: Woo and
// Park, "Scalable TCP Session Monitoring with Symmetric Receive-side Scaling"), under which a
// flow's two directions hash alike; split_capture splits a capture into per-queue files by the
// same hash, for devices whose queues are files (net_pcap's rx_pcap=), and the dataplane spreads
// frames from a port with fewer queues than workers by it too.

#include <array>
#include <cstddef>
#include <cstdint>

#include "fwbench/packet.hpp"

namespace fwbench {

// 52 bytes: enough for IPv6's 36 bytes of input.
const std::array<std::uint8_t, 52>& symmetric_rss_key();

// Toeplitz over `len` bytes of input; `key` must hold len + 4 bytes.
std::uint32_t toeplitz_hash(const std::uint8_t* key, const std::uint8_t* data, std::size_t len);

// A NIC's hash of a packet with RSS on IP, TCP and UDP (RTE_ETH_RSS_IP | TCP | UDP): source and
// destination addresses, then for TCP and UDP that is not a fragment the source and destination
// ports (a fragment, first or later, goes by its addresses alone).
std::uint32_t rss_hash(const Packet& p, const std::uint8_t* key);
inline std::uint32_t symmetric_rss_hash(const Packet& p) { return rss_hash(p, symmetric_rss_key().data()); }

// The queue of a redirection table of 128 entries filled as DPDK's drivers fill it by default
// (entry i: queue i % queues), indexed by the hash's low bits.
inline unsigned rss_queue(std::uint32_t hash, unsigned queues) { return (hash & 127u) % queues; }

}  // namespace fwbench
