#include "fwbench/frame.hpp"

#include <algorithm>
#include <cstring>

namespace fwbench {

PacketMeta make_packet_meta(std::uint64_t index, std::uint64_t timestamp_ns, std::uint32_t origlen, std::uint16_t link_type, Direction direction,
                            std::string_view iface) {
    PacketMeta meta;
    meta.index = index;
    meta.timestamp_ns = timestamp_ns;
    meta.origlen = origlen;
    meta.link_type = link_type;
    meta.direction = direction;
    std::memcpy(meta.iface, iface.data(), std::min(iface.size(), sizeof meta.iface - 1));
    return meta;
}

}  // namespace fwbench
