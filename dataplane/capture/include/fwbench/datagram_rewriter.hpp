#pragma once
// The engines' DatagramView (engine_state.hpp) for packets with bytes: what -m string, -m u32 and -m bpf read.
//
// What: a packet's datagram as the hook holds it — its bytes as they came, with the fields the
// path and the walk changed written in (write_datagram_now).
// How: into a buffer of its own, allocated once (a whole datagram, and the room TCPMSS's option
// needs); each call overwrites the last view.
// Invariants: one per PathState (a worker's); now() never allocates.
// Costs: a copy of the datagram and its checksums redone, per match that reads it.

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "fwbench/engine_state.hpp"
#include "fwbench/packet_codec.hpp"

namespace fwbench {

class DatagramRewriter final : public DatagramView {
public:
    DatagramRewriter() : scratch_(65535 + 64) {}
    std::span<const std::uint8_t> now(const Packet& p) override { return {scratch_.data(), write_datagram_now(p, scratch_.data(), scratch_.size())}; }

private:
    std::vector<std::uint8_t> scratch_;
};

// Datagrams kept beyond the frames they came in (a capture's records are read into one reused
// buffer): keep() copies a packet's bytes into storage of the store's own, which never moves,
// and points the packet at them. For packets walked again later (compare's timing, optimize).
class DatagramStore {
public:
    void keep(Packet& p) {
        if (p.bytes.empty()) return;
        kept_.emplace_back(p.bytes.begin(), p.bytes.end());
        p.bytes = kept_.back();
    }

private:
    std::deque<std::vector<std::uint8_t>> kept_;
};

}  // namespace fwbench
