#pragma once
// A frame as the capture analysis reads it, whatever it came from (a capture file, a DPDK port):
// its metadata and its contiguous bytes, link header included.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fwbench/capture.hpp"

namespace fwbench {

// A frame's capture facts: what the packet path needs besides the bytes. The dataplane keeps one
// in each mbuf's private area (packet_source.hpp), so a packet from a file and one from a port
// carry the same facts.
struct PacketMeta {
    std::uint64_t index = 0;
    std::uint64_t timestamp_ns = 0;
    std::uint32_t origlen = 0;
    std::uint16_t link_type = 0;
    Direction direction = Direction::unknown;
    char iface[16] = {};  // empty: the frame or --iface must say
};

// A frame's metadata, from a capture record or a port's arrival (interface names are checked
// where they are read, names.hpp, so the 15 bytes the kernel keeps always hold them).
PacketMeta make_packet_meta(std::uint64_t index, std::uint64_t timestamp_ns, std::uint32_t origlen, std::uint16_t link_type, Direction direction,
                            std::string_view iface);

// A frame as the replay reads it: metadata and contiguous bytes (link header included).
struct ParsedDatagram;

struct FrameView {
    const PacketMeta* meta = nullptr;
    const std::uint8_t* data = nullptr;
    std::size_t caplen = 0;
    // The frame's network layer already parsed, as CaptureAnalysis would parse it (the port
    // dataplane's steering parses every frame to find its worker): not parsed again. Null: parsed.
    const ParsedDatagram* parsed = nullptr;
};

}  // namespace fwbench
