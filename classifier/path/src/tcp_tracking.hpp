#pragma once
// TCP connection tracking as nf_conntrack_proto_tcp.c does it (Linux 6.x): tcp_new for a
// connection's first packet, then nf_conntrack_tcp_packet — the state table, the special cases
// around it (ignored packets and the SYN/ACK resync, reopening from TIME_WAIT/CLOSE, challenge
// ACKs, the RST checks) and tcp_in_window, which keeps per direction the highest sequence sent
// (td_end), the window's right edge (td_maxend) and largest window (td_maxwin), and finds a
// segment beyond the receiver's window or an ACK of unseen data INVALID unless be_liberal.
//
// Invariants: the connection's state, windows and timeout change only as the kernel's would for
// the same packet; a packet the kernel ignores leaves state and timeout as they were.
// Costs: a few comparisons per packet; the options are read only on SYNs and when SACK is
// permitted.

#include <cstdint>

#include "fwbench/conntrack.hpp"

namespace fwbench {

enum class TcpVerdict : std::uint8_t {
    accept,  // tracked (state, windows and timeout updated, or deliberately left: ignored)
    invalid,  // -NF_ACCEPT: the packet goes on INVALID, the connection unchanged (but its timeout)
    reopen,  // a SYN reopening a closed connection: the entry dies, the packet starts a new one
    accept_and_kill,  // a reset before any reply: the packet is tracked, then the entry dies
};

struct TcpTrackResult {
    TcpVerdict verdict = TcpVerdict::accept;
    CtInvalid why = CtInvalid::none;
    TcpCtState from = TcpCtState::none;  // the state a transition was refused from
    bool accounted = false;  // the tracker ended in nf_ct_refresh_acct or nf_ct_kill_acct
};

// tcp_error's flag sanity check (tcp_valid_flags): the combinations a TCP may send.
bool tcp_flags_valid(std::uint8_t flags);

// tcp_new: whether the packet may open a connection (sets up the first direction's window).
bool tcp_new(Connection& c, const Packet& p, const ConntrackOptions& opt, CtInvalid& why);

// nf_conntrack_tcp_packet for a packet already past tcp_error's flag check; `now_ns` is what a
// refreshed timeout counts from.
TcpTrackResult tcp_packet(Connection& c, CtDir dir, const Packet& p, const ConntrackOptions& opt, std::uint64_t now_ns);

}  // namespace fwbench
