#pragma once
// Fixture packets that carry their bytes: a description with payload= (or a random case's packet
// with its payload) gets its datagram built (build_ipv4/build_ipv6 with the payload) and pointed
// at by Packet::bytes, kept here while the packets are walked and sent; the states walking them
// read those bytes through `rewriter`.

#include <deque>
#include <vector>

#include "fwbench/datagram_rewriter.hpp"
#include "fwbench/packet_codec.hpp"
#include "fwbench/packet_description.hpp"
#include "fwbench/packet_path.hpp"

namespace fwbench::test {

class DescribedDatagrams {
public:
    Packet packet(const PacketDescription& d) { return d.payload.empty() ? d.packet : packet(d.packet, d.payload); }
    // `p` with its datagram built, `payload` after its transport header (a random case's).
    Packet packet(const Packet& p, std::span<const std::uint8_t> payload) {
        Packet out = p;
        datagrams_.push_back(build_datagram(out, payload));
        out.bytes = datagrams_.back();
        return out;
    }
    // The state reads packets' bytes through this collection's view.
    void attach(PathState& st) { st.engine.datagram = &rewriter_; }

private:
    std::deque<std::vector<std::uint8_t>> datagrams_;
    DatagramRewriter rewriter_;
};

}  // namespace fwbench::test
