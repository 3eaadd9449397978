#pragma once
// Packets enter the dataplane as DPDK mbufs, in bursts, whatever their source: a capture file
// now, DPDK ports (NICs, af_packet, pcap vdevs) later. Each mbuf carries its capture metadata
// in its private area, so the packet path sees the same facts (interface, direction,
// timestamp, link type) for a packet from a file and for one from a port.

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fwbench/capture.hpp"
#include "fwbench/capture_filter.hpp"
#include "fwbench/frame.hpp"

namespace fwbench {

// PacketMeta in an mbuf's private area (rte_mbuf_to_priv).
inline PacketMeta& packet_meta(rte_mbuf* m) { return *static_cast<PacketMeta*>(rte_mbuf_to_priv(m)); }

// A pool of mbufs with room for PacketMeta; freed with the object.
class MbufPool {
public:
    MbufPool(const std::string& name, unsigned count, std::uint16_t data_room = RTE_MBUF_DEFAULT_BUF_SIZE);
    ~MbufPool();
    MbufPool(const MbufPool&) = delete;
    MbufPool& operator=(const MbufPool&) = delete;
    rte_mempool* get() const { return pool_; }

private:
    rte_mempool* pool_ = nullptr;
};

class PacketSource {
public:
    virtual ~PacketSource() = default;
    // Up to n packets; 0 at the end of the source. The caller frees the mbufs.
    virtual std::uint16_t rx_burst(rte_mbuf** pkts, std::uint16_t n) = 0;
};

// A capture file as a packet source: each record becomes one mbuf (a chain when the frame is
// larger than one mbuf's data room) with its metadata.
class CaptureFileSource : public PacketSource {
public:
    // With a filter, records it does not keep are left out (as tcpdump -r FILE EXPR leaves them)
    // and counted; the others keep their index in the file.
    CaptureFileSource(const std::string& path, rte_mempool* pool, CaptureFilter* filter = nullptr);
    std::uint16_t rx_burst(rte_mbuf** pkts, std::uint16_t n) override;
    bool truncated() const { return reader_.truncated(); }
    std::uint64_t bytes_read() const { return reader_.bytes_read(); }  // for progress
    std::uint64_t size() const { return reader_.size(); }

    std::uint64_t filtered_out() const { return filtered_out_; }

private:
    CaptureReader reader_;
    rte_mempool* pool_;
    CaptureFilter* filter_;
    std::uint64_t filtered_out_ = 0;
    CaptureRecord record_;  // reused: its storage grows to the longest frame, then stays
};

// The frame's bytes, contiguous: the mbuf's own data when it is one segment, else a copy into
// `scratch` (which must hold rte_pktmbuf_pkt_len bytes).
FrameView frame_view(rte_mbuf* m, std::vector<std::uint8_t>& scratch);

}  // namespace fwbench
