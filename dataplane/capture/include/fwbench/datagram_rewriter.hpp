#pragma once
// The engines' DatagramView (engine_state.hpp) for packets with bytes: what -m string, -m u32 and -m bpf read.
//
// What: a packet's datagram as the hook holds it — its bytes as they came, with the fields the
// path and the walk changed written in (write_datagram_now); and the datagrams of the host's own
// answers, written as the kernel writes them (write_answer), quoting their causes as the hook
// held them.
// How: into a buffer of its own, allocated once (a whole datagram, and the room TCPMSS's option
// needs); each call overwrites the last view. Answers: a stack of such buffers, one per answer
// being walked, grown only when answers nest deeper than ever before.
// Invariants: one per PathState (a worker's); now() never allocates, begin_answer() only to
// grow the stack.
// Costs: a copy of the datagram and its checksums redone, per match that reads it; an answer's
// datagram written once, when it is sent.

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
    std::span<const std::uint8_t> begin_answer(const Packet& answer, std::uint32_t icmp_info, const Packet& cause) override {
        if (depth_ == answers_.size()) answers_.emplace_back(65535 + 64);
        std::vector<std::uint8_t>& out = answers_[depth_++];
        // A RST or SYN-ACK is its fields; an echo reply or an ICMP error carries its cause's bytes.
        const bool quotes = answer.proto != proto::tcp;
        const std::span<const std::uint8_t> cause_now = quotes ? now(cause) : std::span<const std::uint8_t>();
        if (quotes && cause_now.empty()) return {};
        return {out.data(), write_answer(answer, icmp_info, cause_now, out.data(), out.size())};
    }
    void end_answer() override { --depth_; }

private:
    std::vector<std::uint8_t> scratch_;
    std::deque<std::vector<std::uint8_t>> answers_;
    std::size_t depth_ = 0;
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
