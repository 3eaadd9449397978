#pragma once
// What the flow cache keeps in each direction of a connection (Connection::memo): the key the
// recorded packet came with, what conntrack said of it, the program its path replays and the
// packet as the path finished it. docs/flow-cache.md says why these fields and no others.

#include <cstdint>

#include "fwbench/packet.hpp"

namespace fwbench {

// What a packet brings to the path beyond its connection's tuple that the path may read
// (routing reads tos, mark and the arrival device; rules read any of these): a recorded outcome
// is replayed only for a packet whose key equals the one it was recorded with.
struct PathKey {
    IfaceName in, out;
    std::uint32_t mark = 0;
    std::uint8_t tos = 0, ttl = 0, icmp_code = 0;
    PktType pkttype = PktType::host;
    bool has_mac = false;
    MacAddr src_mac;
    // The host's own packets: from a socket of this owner (the owner match reads them).
    bool local = false, has_socket = false;
    std::uint32_t uid = 0, gid = 0;
    bool operator==(const PathKey&) const = default;
};

inline PathKey path_key_of(const Packet& p, bool local) {
    PathKey k;
    k.in = p.in;
    k.out = p.out;
    k.local = local;
    k.has_socket = p.has_socket;
    k.uid = p.uid;
    k.gid = p.gid;
    k.mark = p.mark;
    k.tos = p.tos;
    k.ttl = p.ttl;
    k.icmp_code = p.icmp_code;
    k.pkttype = p.pkttype;
    k.has_mac = p.has_mac;
    if (p.has_mac) k.src_mac = p.src_mac;
    return k;
}

// One direction of one connection.
struct FlowMemo {
    std::uint32_t program = 0;  // 1-based in the FlowCache; 0: nothing recorded
    std::uint32_t generation = 0;  // the FlowCache's when recorded (a new path forgets every memo)
    PathKey key;
    // Conntrack's answer for the recorded packet: its state and the entry's status bits after
    // tracking it, and the entry's mark before and after the path (CONNMARK).
    CtState state = CtState::invalid;
    std::uint32_t status = 0;
    std::uint32_t ctmark_in = 0, ctmark_out = 0;
    // The packet as the path finished it, where that depends on the flow: NAT's addresses and
    // ports, and the mark (MARK, CONNMARK --restore-mark).
    IpAddr src, dst;
    std::uint16_t sport = 0, dport = 0;
    std::uint32_t mark = 0;
};

}  // namespace fwbench
