#pragma once
// Fragment reassembly as the kernel does it (net/ipv4/inet_fragment.c, ip_fragment.c,
// net/ipv6/netfilter/nf_conntrack_reasm.c): a datagram's fragments wait in a queue until all
// have come, then go on as one packet.
//
// Who reassembles (the queue's "user", part of its key):
//  - nf_defrag_ipv4 / nf_defrag_ipv6 at priority -400 of PREROUTING and OUTPUT, whenever
//    conntrack runs in the family: every table after sees whole datagrams;
//  - IPv4 local delivery (ip_local_deliver), before INPUT, with or without conntrack. IPv6's
//    stack reassembles after INPUT (ipv6_frag_rcv), so its INPUT sees fragments.
//
// How: one queue per (family, source, destination, identification, IPv4's protocol, user, and
// for an IPv6 link-local or multicast destination the arrival device). Fragments go in as
// inet_frag_queue_insert puts them: in runs; a fragment that lies inside one run is a duplicate
// (dropped, the queue kept), any other overlap kills the queue (RFC 5722). The last fragment fixes
// the length; a fragment past it or a second, different end is refused (IPv4 kills the queue, IPv6
// keeps it). The queue completes when the first and last fragments are in and the bytes add up:
// the datagram takes the first fragment's headers, the completing fragment's device and time, the
// whole length (IPv6: without the fragment header), the ECN bits combined, DF when the largest
// fragment had it (IPv4), and frag_max_size, the largest fragment. A queue lives ipfrag_time (IPv4)
// or nf_conntrack_frag6_timeout (IPv6) from its first fragment, on the packets' timestamps.
//
// Not modelled: the memory limits (ipfrag_high_thresh: 4 MiB of queued fragments) and
// ipfrag_max_dist; a timed-out queue is dropped silently here, where IPv4's local delivery sends
// time exceeded (Reassembly::expired counts them). A first fragment too short to hold its
// transport header is refused as not modelled: the header would come from bytes fwbench does not
// keep.
//
// Costs: a map lookup per fragment; whole datagrams never come here.

#include <array>
#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "fwbench/packet.hpp"

namespace fwbench {

enum class DefragUser : std::uint8_t { conntrack_in, conntrack_out, local_deliver };

enum class FragOutcome : std::uint8_t {
    held,  // queued until the datagram is complete (the hook returns NF_STOLEN)
    complete,  // it completed the datagram: the packet is now the whole datagram
    passed,  // nf_ct_frag6_gather lets it through as it is (a fragment not 8-byte aligned: the queue is killed)
    duplicate,  // its bytes are queued already: dropped, the queue kept
    overlap,  // it overlaps queued bytes: dropped, and the queue with it
    bad_end,  // past the datagram's end, or a second end that differs (IPv4 kills the queue)
    empty,  // no payload
    too_long,  // the datagram would exceed 65535 bytes
    ecn_mixed,  // fragments with and without ECN (ip_frag_ecn_table): the queue is killed
    not_modelled,  // the first fragment does not hold its transport header (see above)
};
const char* frag_outcome_name(FragOutcome o);

class Reassembly {
public:
    // Adds fragment `p` (is_fragment()) at its timestamp; a new queue lives `timeout_s`. On
    // `complete` p becomes the whole datagram, with frag_max_size set.
    FragOutcome gather(Packet& p, DefragUser user, std::uint64_t timeout_s);

    std::size_t queued() const { return queues_.size(); }  // datagrams waiting for fragments
    std::uint64_t expired() const { return expired_; }  // queues that timed out before completing

private:
    struct Run {
        std::uint32_t start, end;
    };
    struct Queue {
        std::vector<Run> runs;  // sorted, disjoint
        Run tail{0, 0};  // the fragment with the highest end (fragments_tail)
        bool have_tail = false, first_in = false, last_in = false;
        std::uint32_t len = 0, meat = 0;
        std::uint32_t max_size = 0, max_df_size = 0;
        std::uint8_t ecn = 0;  // IPFRAG_ECN_* bits seen
        std::uint64_t expires_ns = 0;
        Packet head;  // the first fragment, once in
    };
    // family, source, destination, identification, IPv4's protocol, user, device (IPv6 scoped only)
    using Key =
        std::tuple<Family, std::array<std::uint8_t, 16>, std::array<std::uint8_t, 16>, std::uint32_t, std::uint8_t, DefragUser, std::array<char, 16>>;
    static Key key_of(const Packet& p, DefragUser user);
    static FragOutcome insert(Queue& q, std::uint32_t offset, std::uint32_t end);
    static FragOutcome complete(Queue& q, Packet& p);
    std::map<Key, Queue> queues_;
    std::uint64_t expired_ = 0;
};

}  // namespace fwbench
